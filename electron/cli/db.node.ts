// `lightseed db check` and `lightseed db backup FILE`: the database file's health and a copy of it.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../services/app-services.node';
import { backupDatabase, checkIntegrity } from '../store/maintenance.node';
import { UsageError, type Command } from './command.node';

export const dbCommand: Command = {
  name: 'db',
  summary: "The database file: check its integrity, or back it up while LightSeed runs",
  usage: 'check | backup FILE',
  options: { json: { type: 'boolean' } },
  optionHelp: { json: { text: 'print JSON' } },
  async run(values, [action, file], context) {
    const path = join(context.dataDir, DATABASE_FILE);
    if (action === 'check') {
      const report = checkIntegrity(path);
      if (values.json) context.out(JSON.stringify({ path, ...report }, null, 2));
      else if (report.ok) context.out(`${path}: intact (SQLite's integrity check found nothing wrong).`);
      else {
        context.out(`${path} is damaged: SQLite's integrity check found ${report.problems.length === 100 ? 'at least 100' : report.problems.length} problem(s):`);
        for (const problem of report.problems) context.out(`  ${problem}`);
        context.out('To recover, stop LightSeed and run `sqlite3 lightseed.db .recover > recovered.sql` in its folder, then `sqlite3 new.db < recovered.sql`; or put back a backup.');
      }
      return report.ok ? 0 : 1;
    }
    if (action === 'backup') {
      if (!file) throw new UsageError('db backup needs a file to write: lightseed db backup lightseed-backup.db');
      const { pages } = await backupDatabase(path, file);
      context.out(`Backed up ${path} to ${file} (${pages} pages, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB).`);
      return 0;
    }
    throw new UsageError(action === undefined ? 'db needs an action: check or backup FILE.' : `unknown action ${action}: check or backup FILE.`);
  },
};
