// `lightseed db check` and `lightseed db backup FILE`: the database file's health and a copy of it.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../services/app-services.node';
import { backupDatabase, checkIntegrity, salvageDatabase } from '../store/maintenance.node';
import { UsageError, type Command } from './command.node';

export const dbCommand: Command = {
  name: 'db',
  summary: 'The database file: check its integrity, back it up while LightSeed runs, or salvage a damaged one',
  usage: 'check | backup FILE | salvage FOLDER',
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
        context.out('To recover, put back a backup made with `lightseed db backup`, or copy every row that still reads into a new file: `lightseed db salvage NEW_FOLDER`.');
      }
      return report.ok ? 0 : 1;
    }
    if (action === 'backup') {
      if (!file) throw new UsageError('db backup needs a file to write: lightseed db backup lightseed-backup.db');
      const { pages } = await backupDatabase(path, file);
      context.out(`Backed up ${path} to ${file} (${pages} pages, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB).`);
      return 0;
    }
    if (action === 'salvage') {
      if (!file) throw new UsageError('db salvage needs a new folder to write to: lightseed db salvage ~/lightseed-salvaged');
      const destination = join(file, DATABASE_FILE);
      const report = await salvageDatabase(path, destination);
      context.out(`Copied what still reads from ${path} into ${destination} (schema version ${report.version}); ${path} was not changed.`);
      for (const table of report.tables) {
        const lost = table.unreadable ? `, ${table.unreadable} damaged stretch(es) skipped` : '';
        const refused = table.refused ? `, ${table.refused} damaged row(s) refused` : '';
        context.out(`  ${table.name.padEnd(20)} ${table.copied} row(s)${lost}${refused}`);
      }
      context.out(`Use it with --data-dir ${file}, or, with LightSeed stopped, put it in place of ${path}.`);
      return 0;
    }
    throw new UsageError(action === undefined ? 'db needs an action: check, backup FILE or salvage FOLDER.' : `unknown action ${action}: check, backup FILE or salvage FOLDER.`);
  },
};
