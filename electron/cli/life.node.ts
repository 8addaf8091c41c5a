// Agents' lives on the command line: birth, an agent's card, an interactive chat with
// feedback, regeneration and the council, and the evolution simulation.
import { createInterface } from 'node:readline';
import { simulate } from '../agents/simulate.node';
import { TRAIT_NAMES } from '../agents/trait-names.std';
import { AppServices } from '../services/app-services.node';
import type { Turn, TurnResult } from '../services/chat-service.node';
import { readIdentity, shortKey } from '../identity/identity.node';
import { findAgent, getAgent, type Agent } from '../store/lineage.node';
import { mustFind } from './agents.node';
import { UsageError, type CliContext, type Command } from './command.node';
import { failureMessage } from './failure-message.node';

async function openServices(context: CliContext): Promise<AppServices> {
  return AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0, paths: context.paths });
}

function agentNamed(services: AppServices, key: string | undefined): Agent {
  if (!key) throw new UsageError('Name the agent: its number, name or uid.');
  return mustFind(findAgent(services.database.connection, key), key);
}

function bar(value: number, width = 20): string {
  const filled = Math.round(Math.max(0, Math.min(1, value)) * width);
  return '█'.repeat(filled) + '·'.repeat(width - filled);
}

export const birthCommand: Command = {
  name: 'birth',
  summary: 'Give birth to an agent from an unused Genesis record (its traits come from the seed)',
  usage: 'GENESIS [--name NAME] [--json]',
  options: { name: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: { name: { value: 'NAME', text: 'the agent’s name (default: one derived from the seed)' }, json: { text: 'print JSON' } },
  async run(values, positionals, context) {
    const genesisId = Number(positionals[0]);
    if (!Number.isInteger(genesisId) || genesisId < 1) throw new UsageError('Name the Genesis record by its number: see `lightseed genesis`.');
    await using services = await openServices(context);
    const agent = services.agents.life.birth(genesisId, typeof values.name === 'string' ? values.name : undefined);
    if (values.json) context.out(JSON.stringify(services.agents.view.summary(agent), null, 2));
    else {
      context.out(`${agent.name} (#${agent.id}) was born from Genesis record ${genesisId}.`);
      context.out(services.agents.view.detail(agent.id).persona);
    }
    return 0;
  },
};

export const agentCommand: Command = {
  name: 'agent',
  summary: "An agent's card: traits, sampling profile, fitness, interactions to division, lineage",
  usage: 'AGENT [--json]',
  options: { json: { type: 'boolean' } },
  optionHelp: { json: { text: 'print JSON' } },
  async run(values, positionals, context) {
    await using services = await openServices(context);
    const detail = services.agents.view.detail(agentNamed(services, positionals[0]).id);
    if (values.json) {
      context.out(JSON.stringify(detail, null, 2));
      return 0;
    }
    const a = detail.agent;
    context.out(`${a.name} (#${a.id}, uid ${a.uid.slice(0, 12)}) · generation ${a.generation} · ${a.state}`);
    context.out(`fitness ${a.fitness.toFixed(3)} · ${a.interactions} interactions since the last division, ${a.untilDivision} to the next · ${a.totalInteractions} in all · ${detail.memories} memories`);
    context.out('');
    for (const name of TRAIT_NAMES) context.out(`  ${name.padEnd(24)} ${bar(a.traits[name] ?? 0.5)} ${(a.traits[name] ?? 0.5).toFixed(3)}`);
    context.out(`  ${'voice.rank'.padEnd(24)} adapter rank ${a.traits['voice.rank']}`);
    const p = detail.profile;
    context.out('');
    context.out(
      `sampling: temperature ${p.temperature.toFixed(2)}, top-p ${p.topP.toFixed(2)}, top-k ${p.topK}, min-p ${p.minP.toFixed(2)}, repeat penalty ${p.repeatPenalty.toFixed(2)} over ${p.repeatLastN} tokens, ` +
        `adapter scale ${p.adapterScale.toFixed(2)}, noise up to ±${p.noiseScale.toFixed(2)}, at most ${p.maxTokens} tokens (from its temperament)`,
    );
    context.out(`persona: ${detail.persona}`);
    // Agents that came in a bundle: their seeds were checked, their history is the bundle's claim.
    const imported = (id: number) => getAgent(services.database.connection, id)?.origin === 'imported';
    const ref = (x: { id: number; name: string }) => `${x.name} (#${x.id}${imported(x.id) ? ', imported' : ''})`;
    context.out(`lineage: ${detail.ancestors.length ? detail.ancestors.map(ref).join(' ← ') : imported(a.id) ? 'a root, imported' : 'a root, born from a Genesis seed'}`);
    if (imported(a.id) || detail.ancestors.some((x) => imported(x.id))) context.out('  imported: came in a bundle, parent not on this machine before; seeds checked, history as the bundle claims');
    if (a.origin === 'imported') {
      context.out(a.signer ? `  signed by the installation ${shortKey(a.signer)} (${a.signer}${a.signer === readIdentity(context.dataDir)?.publicKey ? ', this one' : ''})` : '  unsigned: an older LightSeed exported it, so who made it cannot be told');
    }
    context.out(`children: ${detail.children.length ? detail.children.map((x) => `${x.name} (#${x.id})`).join(', ') : 'none yet'}`);
    return 0;
  },
};

export const chatCommand: Command = {
  name: 'chat',
  summary: 'Talk with an agent, streaming; /up /down /regen /council K QUESTION /pick N /quit',
  usage: 'AGENT [--conversation N] [--greeting K]',
  options: { conversation: { type: 'string' }, greeting: { type: 'string' } },
  optionHelp: {
    conversation: { value: 'N', text: 'continue conversation N (default: a new one)' },
    greeting: { value: 'K', text: "open a new conversation with the card's K-th greeting (1: its first message, then the alternate greetings)" },
  },
  async run(values, positionals, context) {
    await using services = await openServices(context);
    const agents = services.agents;
    let agent = agentNamed(services, positionals[0]);
    let conversationId = values.conversation === undefined ? undefined : Number(values.conversation);
    let last: TurnResult | undefined;
    let council: TurnResult[] = [];
    let running: Turn | undefined;
    const write = (text: string) => context.stdout.write(text);
    const input = createInterface({ input: process.stdin, terminal: false });
    // Ctrl-C stops the answer being written; a second one, or one while idle, quits.
    const onSigint = () => {
      if (running && agents.chat.stop(running.id)) return;
      input.close();
    };
    process.on('SIGINT', onSigint);
    // Nobody reads the answers any more (`| head`): the chat ends as /quit ends it.
    const onClosed = () => {
      if (running) agents.chat.stop(running.id);
      input.close();
    };
    context.stdout.closed.addEventListener('abort', onClosed);
    const report = (result: TurnResult) => {
      write('\n');
      context.err(`  (${result.stats.tokens} tokens, ${result.stats.tokensPerSecond.toFixed(1)} tokens/s, noise adapter ${result.noise.adapter} at ${result.noise.scale.toFixed(2)}, ${result.recalled.length} memories recalled${result.stats.stopReason === 'aborted' ? ', stopped' : ''})`);
      if (result.worldInfo.length) context.err(`  (world info used: ${result.worldInfo.map((w) => `${w.label} (${w.reason})`).join(', ')})`);
      if (result.divided) context.out(`${agent.name} divided: meet ${result.divided.name} (#${result.divided.id}).`);
    };
    const answer = async (start: (onToken: (t: string) => void) => Promise<Turn>, speaker: string) => {
      write(`${speaker}: `);
      running = await start(write);
      const result = await running.done;
      running = undefined;
      report(result);
      return result;
    };
    context.out(`Talking with ${agent.name} (#${agent.id}). /up /down rate the last answer, /regen asks again, /council K QUESTION asks K agents, /pick N chooses, /quit ends.`);
    // A card's greeting opens a new conversation (it is kept with the first message).
    const greetingIndex = values.greeting === undefined ? 0 : Number(values.greeting) - 1;
    if (!Number.isInteger(greetingIndex) || greetingIndex < 0) throw new UsageError('--greeting takes a number from 1: see the greetings with `lightseed card show AGENT`.');
    const greeting = conversationId === undefined ? agents.cards.greeting(agent, greetingIndex) : '';
    if (greeting) context.out(`${agent.name}: ${greeting}`);
    try {
      for await (const raw of input) {
        const line = raw.trim();
        if (!line) continue;
        try {
          if (line === '/quit' || line === '/exit') break;
          if (line === '/up' || line === '/down') {
            if (!last) throw new UsageError('Nothing to rate yet.');
            const result = await agents.chat.feedback(last.message.id, line === '/up' ? 'up' : 'down');
            context.out(`${result.agent.name}: fitness ${result.fitness.toFixed(3)}${result.archived ? ' — archived: it no longer answers' : ''}`);
            if (result.divided) context.out(`${result.agent.name} divided: meet ${result.divided.name} (#${result.divided.id}).`);
            continue;
          }
          if (line === '/regen') {
            if (!last) throw new UsageError('Nothing to regenerate yet.');
            const previous = last;
            last = await answer((onToken) => agents.chat.regenerate(previous.message.id, onToken), agent.name);
            continue;
          }
          const councilMatch = /^\/council\s+(\d+)\s+(.+)$/.exec(line);
          if (councilMatch) {
            const k = Number(councilMatch[1]);
            let member = 0;
            let speaking = 0;
            const started = await agents.council.ask(
              { text: councilMatch[2]!, k, ...(conversationId ? { conversationId } : {}), parentId: last?.message.id ?? null },
              (_turn, agentId, t) => {
                if (agentId !== speaking) write(`\n[${++member}] ${findAgent(services.database.connection, String(agentId))?.name ?? agentId}: `);
                speaking = agentId;
                write(t);
              },
              (turn) => (running = turn),
            );
            council = await started.done;
            running = undefined;
            write('\n');
            context.out(`Council of ${council.length}: /pick 1–${council.length} to choose the best answer.`);
            conversationId = started.userMessage.conversationId;
            continue;
          }
          const pickMatch = /^\/pick\s+(\d+)$/.exec(line);
          if (pickMatch) {
            const chosen = council[Number(pickMatch[1]) - 1];
            if (!chosen) throw new UsageError(council.length ? `Pick 1 to ${council.length}.` : 'No council answers to pick from: /council K QUESTION first.');
            const { picked, others } = agents.council.pick(chosen.message.id);
            context.out(`Picked ${picked.name}: fitness ${agents.life.fitnessOf(picked).toFixed(3)}; ${others.map((o) => `${o.name} ${agents.life.fitnessOf(o).toFixed(3)}`).join(', ')}`);
            last = chosen;
            council = [];
            continue;
          }
          if (line.startsWith('/')) throw new UsageError(`Unknown command ${line.split(/\s/)[0]}: /up /down /regen /council K QUESTION /pick N /quit.`);
          last = await answer(
            (onToken) =>
              agents.chat.say({ agentId: agent.id, text: line, ...(conversationId ? { conversationId } : { greeting: greetingIndex }), parentId: last?.message.id ?? null }, onToken),
            agent.name,
          );
          conversationId = last.userMessage.conversationId;
          agent = agentNamed(services, String(agent.id));
        } catch (error) {
          running = undefined;
          // A failed turn is reported and the chat goes on.
          context.err(`lightseed: ${failureMessage(error, context.dataDir)}`);
        }
      }
    } finally {
      process.off('SIGINT', onSigint);
      context.stdout.closed.removeEventListener('abort', onClosed);
      input.close();
    }
    return 0;
  },
};

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Evolve a population without the language model against a hidden target trait vector',
  usage: '--agents N --generations G --seed S [--threshold R] [--json]',
  options: { agents: { type: 'string' }, generations: { type: 'string' }, seed: { type: 'string' }, threshold: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: {
    agents: { value: 'N', text: 'population size (default 10000)' },
    generations: { value: 'G', text: 'generations to run (default 20)' },
    seed: { value: 'S', text: 'any text; the same seed gives the same run (default "lightseed")' },
    threshold: { value: 'R', text: 'interactions between divisions at fitness 0 (default 25)' },
    json: { text: 'print one JSON object per generation' },
  },
  async run(values, _positionals, context) {
    const number = (value: unknown, fallback: number, name: string, max: number) => {
      const n = value === undefined ? fallback : Number(value);
      if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}.`);
      return n;
    };
    const agents = number(values.agents, 10_000, 'agents', 10_000_000);
    const generations = number(values.generations, 20, 'generations', 100_000);
    const threshold = number(values.threshold, 25, 'threshold', 100_000);
    const seed = typeof values.seed === 'string' ? values.seed : 'lightseed';
    const started = performance.now();
    if (!values.json) context.out('generation      alive  divisions   archived  mean fitness  max fitness  approval  distance');
    let agentGenerations = 0;
    for (const g of simulate({ agents, generations, seed, rules: { divisionThreshold: threshold, selectionPressure: 0.1, archiveIdleMs: Infinity, fitnessFloor: -5 } })) {
      if (context.stdout.closed.aborted) break; // `| head`: the reader has its lines
      agentGenerations += g.alive;
      if (values.json) context.out(JSON.stringify(g));
      else {
        context.out(
          `${String(g.generation).padStart(10)} ${String(g.alive).padStart(10)} ${String(g.divisions).padStart(10)} ${String(g.archived).padStart(10)} ${g.meanFitness.toFixed(3).padStart(13)} ${g.maxFitness.toFixed(3).padStart(12)} ${g.meanApproval.toFixed(3).padStart(9)} ${g.meanDistance.toFixed(3).padStart(9)}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    context.err(`${agentGenerations} agent-generations in ${seconds.toFixed(1)} s (${(agentGenerations / seconds).toFixed(0)} per second)`);
    return 0;
  },
};
