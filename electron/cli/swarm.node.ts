// The swarm on the command line: make or join a circle by its invite code, see who is in it and
// which agents live where, remove a peer, leave, or run the circle headless (`serve` and the app
// run it too). Joining is the opt-in: until then nothing leaves this machine.
import { shortKey } from '../identity/short-key.std';
import { AppServices } from '../services/app-services.node';
import { simulateSwarm } from '../swarm/swarm-simulation.node';
import type { SwarmStatus } from '../api/contract.std';
import { stopSignal, UsageError, type CliContext, type Command } from './command.node';

const ACTIONS = ['invite', 'join', 'status', 'leave', 'remove', 'run', 'simulate'] as const;

function openServices(context: CliContext, bootstrap: unknown, name: unknown): Promise<AppServices> {
  return AppServices.create({
    dataDir: context.dataDir,
    mode: 'cli',
    heartbeatMs: 0,
    paths: context.paths,
    ...(typeof bootstrap === 'string' ? { swarmBootstrap: bootstrap.split(',').filter(Boolean) } : {}),
    ...(typeof name === 'string' ? { swarmName: name } : {}),
  });
}

function ago(at: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} days ago`;
}

export function printSwarmStatus(status: SwarmStatus, out: (line: string) => void): void {
  if (!status.circle) {
    out('Not in a circle: nothing is shared. Make one with `lightseed swarm invite`, or join a friend’s with `lightseed swarm join CODE`.');
    return;
  }
  const c = status.circle;
  out(`In a circle since ${new Date(c.joinedAt).toISOString().slice(0, 16).replace('T', ' ')}, invited by ${c.inviter === status.self ? 'this installation (it made the circle)' : shortKey(c.inviter)}; this installation is ${shortKey(status.self!)}.`);
  out(`  ${status.running ? 'connected' : 'not connected now (the app, `lightseed serve` or `lightseed swarm run` connects)'}; hosts up to ${c.capacity} agents for its peers; children ${c.placeChildren ? 'may be placed on peers with room' : 'stay here'}.`);
  if (status.peers.length === 0) out('  No peer met yet.');
  for (const p of status.peers) {
    const state = p.removed ? 'removed' : p.online ? 'online' : `last seen ${ago(p.lastSeen)}`;
    out(`  peer ${shortKey(p.publicKey)}  ${p.name}  ${state}  room for ${p.capacity}`);
  }
  for (const a of status.abroad) out(`  ${a.name} (#${a.agentId}) lives on ${a.peerName}${a.state === 'committed' ? ' (on its way: the peer has not confirmed the birth yet)' : ''}`);
  for (const a of status.hosted) out(`  ${a.name} (#${a.agentId}) lives here for ${a.peerName}`);
  for (const t of status.pending.filter((p) => p.state !== 'committed')) out(`  transfer ${t.key.slice(0, 12)}… ${t.direction === 'in' ? 'from' : 'to'} ${shortKey(t.peer)}: ${t.state}`);
}

export const swarmCommand: Command = {
  name: 'swarm',
  summary: "Circles of friends' installations on Hyperswarm: invite, join, status, remove a peer, leave, or run one headless",
  usage: 'invite | join CODE | status [--json] | remove PEER | leave | run [--bootstrap HOST:PORT,…] [--name NAME] | simulate [--peers N] [--agents-per-peer N] [--generations G] [--questions Q] [--seed S] [--json]',
  options: {
    json: { type: 'boolean' },
    bootstrap: { type: 'string' },
    name: { type: 'string' },
    peers: { type: 'string' },
    'agents-per-peer': { type: 'string' },
    generations: { type: 'string' },
    questions: { type: 'string' },
    seed: { type: 'string' },
  },
  optionHelp: {
    json: { text: 'status, simulate: print JSON' },
    peers: { value: 'N', text: 'simulate: installations in the circle (default 10000)' },
    'agents-per-peer': { value: 'N', text: 'simulate: agents each starts with (default 100)' },
    generations: { value: 'G', text: 'simulate: generations (default 20)' },
    questions: { value: 'Q', text: 'simulate: questions asked across the circle per generation (default 2000)' },
    seed: { value: 'S', text: 'simulate: any text; the same seed gives the same run (default "lightseed")' },
    bootstrap: { value: 'HOST:PORT,…', text: 'run: HyperDHT bootstrap nodes of a private network (default: the public ones)' },
    name: { value: 'NAME', text: "run: what this installation calls itself to its peers (default: the computer's name)" },
  },
  async run(values, [action, argument], context) {
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) throw new UsageError(`swarm needs one of ${ACTIONS.join(', ')}: lightseed swarm invite`);
    if (action === 'join' && !argument) throw new UsageError('swarm join needs the invite code a friend gave you: lightseed swarm join lightseed-circle:…');
    if (action === 'remove' && !argument) throw new UsageError('swarm remove needs the peer: its key (or the start of it) or its name, as lightseed swarm status shows them.');
    if (action === 'simulate') return simulate(values, context);
    await using services = await openServices(context, values.bootstrap, values.name);
    const swarm = services.swarm;
    switch (action) {
      case 'invite': {
        const code = swarm.invite();
        context.out(code);
        context.out('Give this code to a friend you trust, by a private channel: whoever has it can find this circle and offer agents to it. They join with `lightseed swarm join CODE`.');
        return 0;
      }
      case 'join': {
        const { inviter } = swarm.join(argument!);
        context.out(`Joined the circle of ${shortKey(inviter)}. The app, \`lightseed serve\` or \`lightseed swarm run\` connects to it; \`lightseed swarm leave\` leaves it.`);
        return 0;
      }
      case 'status': {
        const status = swarm.status();
        if (values.json) context.out(JSON.stringify(status, null, 2));
        else printSwarmStatus(status, context.out);
        return 0;
      }
      case 'remove': {
        swarm.remove(argument!);
        context.out(`${argument} is removed: its key is refused from now on. Agents it hosts stay there.`);
        return 0;
      }
      case 'leave': {
        const had = await swarm.leave();
        context.out(had ? 'Left the circle: this installation no longer looks for it. Agents that moved to peers stay there; agents hosted here stay here.' : 'Not in a circle.');
        return 0;
      }
      default: {
        if (!swarm.status().circle) {
          context.err('Not in a circle: make one with `lightseed swarm invite` or join one with `lightseed swarm join CODE` first.');
          return 1;
        }
        const stopped = stopSignal();
        await swarm.start();
        context.out(`Connected to the circle as ${shortKey(services.identity.publicKey)}. Press Ctrl+C to leave it for now.`);
        await stopped;
        await swarm.stop();
        context.out('Disconnected.');
        return 0;
      }
    }
  },
};

/** `swarm simulate`: the swarm without the model (swarm/swarm-simulation.node.ts), a line per generation. */
function simulate(values: Record<string, unknown>, context: CliContext): number {
  const number = (name: string, fallback: number, max: number) => {
    const value = values[name];
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}.`);
    return n;
  };
  const peers = number('peers', 10_000, 100_000);
  const agentsPerPeer = number('agents-per-peer', 100, 10_000);
  if (peers * agentsPerPeer > 20_000_000) throw new UsageError('--peers × --agents-per-peer is at most 20,000,000 agents.');
  const options = {
    peers,
    agentsPerPeer,
    generations: number('generations', 20, 10_000),
    questions: number('questions', 2000, 1_000_000),
    k: 3,
    seed: typeof values.seed === 'string' ? values.seed : 'lightseed',
  };
  if (!values.json) context.out('generation     agents  divisions  hit rate  member fitness  picked quality  memories  msgs/question  KiB/question');
  for (const g of simulateSwarm(options)) {
    if (context.stdout.closed.aborted) break; // `| head`: the reader has its lines
    if (values.json) context.out(JSON.stringify(g));
    else {
      context.out(
        [
          String(g.generation).padStart(10),
          g.agents.toLocaleString('en').padStart(10),
          String(g.divisions).padStart(10),
          g.hitRate.toFixed(3).padStart(9),
          g.memberFitness.toFixed(3).padStart(15),
          g.pickedQuality.toFixed(3).padStart(15),
          String(g.memories).padStart(9),
          g.messagesPerQuestion.toFixed(1).padStart(14),
          (g.bytesPerQuestion / 1024).toFixed(1).padStart(13),
        ].join(' '),
      );
    }
  }
  return 0;
}
