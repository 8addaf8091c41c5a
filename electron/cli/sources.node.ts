import { readSettings, writeSettings } from '../store/settings.node';
import { AppServices } from '../services/app-services.node';
import { parseSourceUri } from '../../native-bridge/sources/source-uri.std';
import { UsageError, type Command } from './command.node';

export const sourcesCommand: Command = {
  name: 'sources',
  summary: 'List the noise sources attached: CPU jitter, serial devices, audio inputs, rtl_tcp endpoints',
  usage: '[--json] [--add-rtltcp URI] [--remove-rtltcp URI]',
  options: { json: { type: 'boolean' }, 'add-rtltcp': { type: 'string' }, 'remove-rtltcp': { type: 'string' } },
  optionHelp: {
    json: { text: 'print JSON' },
    'add-rtltcp': { value: 'URI', text: 'remember an rtl_tcp server, e.g. rtltcp://127.0.0.1:1234?freq=100000000' },
    'remove-rtltcp': { value: 'URI', text: 'forget an rtl_tcp server' },
  },
  async run(values, _positionals, context) {
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0 });
    const db = services.database.connection;
    const add = values['add-rtltcp'];
    const remove = values['remove-rtltcp'];
    if (typeof add === 'string') {
      if (parseSourceUri(add).kind !== 'rtltcp') throw new UsageError(`${add} is not an rtltcp:// URI.`);
      const endpoints = readSettings(db).rtltcpEndpoints.filter((uri) => uri !== add);
      writeSettings(db, { rtltcpEndpoints: [...endpoints, add] });
    }
    if (typeof remove === 'string') writeSettings(db, { rtltcpEndpoints: readSettings(db).rtltcpEndpoints.filter((uri) => uri !== remove) });
    const sources = await services.entropy.sources(readSettings(db).rtltcpEndpoints);
    if (values.json) {
      context.out(JSON.stringify(sources, null, 2));
      return 0;
    }
    for (const source of sources) {
      context.out(`${source.label}`);
      context.out(`    ${source.uri}${source.detail ? `   (${source.detail})` : ''}`);
      if (source.note) context.out(`    note: ${source.note}`);
    }
    return 0;
  },
};
