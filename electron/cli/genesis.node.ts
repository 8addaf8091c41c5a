import { AppServices } from '../services/app-services.node';
import { UsageError, type Command } from './command.node';
import { formatBits, formatGenesis } from './format.node';
import type { GenesisRecord } from '../../native-bridge/harvest/harvest-store.std';

export const genesisCommand: Command = {
  name: 'genesis',
  summary: 'List Genesis records, or show one with its full provenance',
  usage: 'list|show ID [--json]',
  options: { json: { type: 'boolean' } },
  optionHelp: { json: { text: 'print JSON' } },
  async run(values, positionals, context) {
    const [action = 'list', idText] = positionals;
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0 });
    if (action === 'list') {
      const { genesis, poolBits } = services.entropy.listGenesis(1000);
      if (values.json) {
        context.out(JSON.stringify({ genesis, poolBits }, null, 2));
        return 0;
      }
      if (genesis.length === 0) context.out('No Genesis records yet: run `lightseed harvest --source jitter:`.');
      for (const g of genesis) context.out(`#${String(g.id).padEnd(5)} ${new Date(g.createdAt).toISOString()}  ${g.seedHex.slice(0, 16)}…  ${formatBits(g.creditedBits)} bits  ${g.source}`);
      if (poolBits > 0) context.out(`The pool holds ${formatBits(poolBits)} bits towards the next seed.`);
      return 0;
    }
    if (action === 'show') {
      const id = Number(idText);
      if (!Number.isInteger(id) || id < 1) throw new UsageError('genesis show needs the record number, e.g. `lightseed genesis show 1`.');
      const { summary, record } = services.entropy.getGenesis(id);
      context.out(values.json ? JSON.stringify({ ...summary, record }, null, 2) : formatGenesis(id, record as unknown as GenesisRecord));
      return 0;
    }
    throw new UsageError(`Unknown genesis action "${action}": use list or show ID.`);
  },
};
