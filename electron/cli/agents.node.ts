// Lineage commands: list agents, export a family tree, move an agent between machines.
import { writeFile } from 'node:fs/promises';
import { checkedBundle, signBundle } from '../agents/bundle-signature.node';
import { readIdentity, shortKey } from '../identity/identity.node';
import { AppServices } from '../services/app-services.node';
import { decodeBundleText, exportBundle, importBundle, MAX_BUNDLE_BYTES } from '../store/agent-bundle.node';
import { currentFitness } from '../agents/fitness.std';
import { newick, phylogenyCsv } from '../store/lineage-export.node';
import { findAgent, listAgents, type Agent } from '../store/lineage.node';
import { UsageError, type CliContext, type Command } from './command.node';
import { readInputFile } from './input-file.node';

export function mustFind(agent: Agent | undefined, key: string): Agent {
  if (!agent) throw new UsageError(`There is no agent "${key}": see \`lightseed agents\`.`);
  return agent;
}

async function withServices<T>(context: CliContext, work: (services: AppServices) => Promise<T> | T): Promise<T> {
  await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0 });
  return await work(services);
}

export const agentsCommand: Command = {
  name: 'agents',
  summary: 'List agents: name, generation, fitness, interactions since the last division, state',
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  optionHelp: { json: { text: 'print JSON' } },
  run: (values, _positionals, context) =>
    withServices(context, (services) => {
      const agents = listAgents(services.database.connection);
      const rows = agents.map((a) => ({
        id: a.id,
        uid: a.uid,
        name: a.name,
        generation: a.generation,
        parentId: a.parentId,
        fitness: currentFitness(a),
        interactions: a.interactions,
        totalInteractions: a.totalInteractions,
        descendants: a.descendants,
        state: a.state,
        bornAt: a.bornAt,
      }));
      if (values.json) {
        context.out(JSON.stringify(rows, null, 2));
        return 0;
      }
      if (rows.length === 0) context.out('No agents yet: harvest a Genesis seed and give birth to one.');
      for (const r of rows) {
        context.out(
          `#${String(r.id).padEnd(6)} ${r.name.padEnd(20)} gen ${String(r.generation).padEnd(4)} fitness ${r.fitness.toFixed(3).padStart(7)}  ${String(r.interactions).padStart(4)} interactions  ${r.descendants} descendants  ${r.state}`,
        );
      }
      return 0;
    }),
};

export const treeCommand: Command = {
  name: 'tree',
  summary: "Print an agent's whole lineage as Newick or as ALife phylogeny CSV",
  usage: 'AGENT [--format newick|csv]',
  options: { format: { type: 'string' } },
  optionHelp: { format: { value: 'FORMAT', text: 'newick (default) or csv (ALife standard: id, ancestor_list, origin_time, …)' } },
  run: (values, [key], context) =>
    withServices(context, (services) => {
      if (!key) throw new UsageError('tree needs an agent: its number, name or uid.');
      const format = values.format ?? 'newick';
      if (format !== 'newick' && format !== 'csv') throw new UsageError('--format must be newick or csv.');
      const db = services.database.connection;
      const agent = mustFind(findAgent(db, key), key);
      context.stdout.write(format === 'csv' ? phylogenyCsv(db, agent.rootId) : newick(db, agent.rootId));
      return 0;
    }),
};

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write an agent bundle: seed chain, traits, memories and its lineage, checksummed',
  usage: 'AGENT FILE',
  options: {},
  optionHelp: {},
  run: (_values, [key, file], context) =>
    withServices(context, async (services) => {
      if (!key || !file) throw new UsageError('export needs an agent and a file: lightseed export Ada ada.json');
      const db = services.database.connection;
      const agent = mustFind(findAgent(db, key), key);
      const bundle = signBundle(exportBundle(db, agent.id, Date.now()), services.identity);
      await writeFile(file, `${JSON.stringify(bundle, null, 2)}\n`);
      context.out(
        `Exported ${agent.name} (generation ${agent.generation}, ${bundle.lineage.length} ancestors, ${bundle.memories.length} memories) to ${file}, signed by this installation (${shortKey(bundle.signer)}).`,
      );
      return 0;
    }),
};

export const importCommand: Command = {
  name: 'import',
  summary: 'Import an agent bundle, refusing malformed or tampered files',
  usage: 'FILE',
  options: {},
  optionHelp: {},
  async run(_values, [file], context) {
    if (!file) throw new UsageError('import needs a bundle file.');
    // Read and checked before the database is opened: a bad file changes nothing.
    const bytes = await readInputFile(file, { what: 'an agent bundle', maxBytes: MAX_BUNDLE_BYTES });
    const { bundle, droppedMemories, signer } = checkedBundle(decodeBundleText(bytes, file));
    return withServices(context, async (services) => {
      const db = services.database.connection;
      const result = importBundle(db, bundle, { signer });
      const name = result.renamed.find((r) => r.from === bundle.agent.name)?.to ?? bundle.agent.name;
      if (result.created === 0) {
        context.out(`${name} is already here (agent #${result.agentId}); nothing changed.`);
        return 0;
      }
      context.out(`Imported ${name} as agent #${result.agentId}: ${result.created} lineage member(s) new here, ${result.memories} memories.`);
      context.out(
        signer === null
          ? '  The bundle is unsigned (an older LightSeed exported it): who made it cannot be told.'
          : `  Signed by ${signer === readIdentity(context.dataDir)?.publicKey ? 'this installation' : 'the installation'} ${shortKey(signer)} (${signer}).`,
      );
      for (const { from, to } of result.renamed) context.out(`  ${from} is the name of a living agent here, so the imported one is called ${to}.`);
      if (droppedMemories > 0) context.out(`  ${droppedMemories} memories were left out: an agent keeps its ${bundle.memories.length} best (by fitness).`);
      if (result.unverifiedAncestors > 0) {
        context.out(`  ${result.unverifiedAncestors} ancestor(s) came only with the bundle (imported: parent not on this machine); their seeds are checked, their history is as the bundle says.`);
      }
      return 0;
    });
  },
};
