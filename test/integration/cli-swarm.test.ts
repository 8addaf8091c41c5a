// The swarm through the real `lightseed` binary: an invite made in one data folder and joined
// from another, status, a peer that runs the circle headless in its own process (`swarm run`) and
// hosts a divided child, the same peer frozen and killed during an offer (the child stays where it
// was born, once), removal and leaving. The divisions start in this process's services, on the
// same HyperDHT testnet (127.0.0.1) as the child process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../electron/services/app-services.node';
import type { SwarmStatus } from '../../electron/api/contract.std';
import { BIN, runCli } from '../helpers/cli';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';
import { until } from '../helpers/wait-for';

let testnet: Testnet;
let bootstrap: string;
const dirs = [makeTempDir(), makeTempDir()];
const [anaDir, benDir] = dirs.map((d) => d.path) as [string, string];
let ana: AppServices;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  testnet = await createTestnet(3);
  bootstrap = testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',');
}, 30_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await ana?.shutdown();
  await testnet.destroy();
  for (const d of dirs) d.remove();
}, 60_000);

const cli = (dataDir: string, ...args: string[]) => runCli(['--data-dir', dataDir, 'swarm', ...args]);
const status = (dataDir: string) => JSON.parse(cli(dataDir, 'status', '--json').stdout) as SwarmStatus;

/** `lightseed swarm run` in its own process, connected once it says so. */
async function runPeer(dataDir: string, name: string) {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'swarm', 'run', '--bootstrap', bootstrap, '--name', name]);
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(() => /Connected to the circle as/.test(output) || child.exitCode !== null, `${name} to connect`);
  expect(output).toMatch(/Connected to the circle as [0-9a-f]{4}·[0-9a-f]{4}\./);
  return { child, output: () => output };
}

describe('lightseed swarm', () => {
  it('says there is no circle, and refuses what is not an invite', () => {
    const none = cli(anaDir, 'status');
    expect(none.status).toBe(0);
    expect(none.stdout).toMatch(/^Not in a circle: nothing is shared\./);
    expect(status(anaDir)).toMatchObject({ self: null, circle: null, running: false, peers: [] });
    const bad = cli(benDir, 'join', 'lightseed-circle:short');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/cut short/);
    expect(cli(benDir, 'run').stderr).toMatch(/Not in a circle/);
  });

  it('simulates a swarm without the model, the same for the same seed', () => {
    const args = ['simulate', '--peers', '50', '--agents-per-peer', '10', '--generations', '3', '--questions', '50', '--seed', 'demo'];
    const json = cli(anaDir, ...args, '--json');
    expect(json.status).toBe(0);
    const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { generation: number; agents: number; hitRate: number });
    expect(lines.map((g) => g.generation)).toEqual([1, 2, 3]);
    expect(lines[0]!.agents).toBeGreaterThanOrEqual(500);
    expect(cli(anaDir, ...args, '--json').stdout).toBe(json.stdout);
    const table = cli(anaDir, ...args).stdout.split('\n');
    expect(table[0]).toMatch(/^generation +agents +divisions +hit rate/);
    expect(table).toHaveLength(5);
    expect(cli(anaDir, 'simulate', '--peers', '0').stderr).toMatch(/--peers must be a whole number from 1 to 100000/);
  });

  it('joins by invite code; a headless peer in its own process hosts a divided child', async () => {
    const invite = cli(anaDir, 'invite');
    expect(invite.status).toBe(0);
    const code = invite.stdout.split('\n')[0]!;
    expect(code).toMatch(/^lightseed-circle:[A-Za-z0-9_-]{87}$/);
    expect(invite.stdout).toMatch(/whoever has it can find this circle/);
    const joined = cli(benDir, 'join', code);
    expect(joined.stdout).toMatch(/^Joined the circle of [0-9a-f]{4}·[0-9a-f]{4}\./);
    expect(cli(benDir, 'join', code).status).toBe(0); // the same circle again: nothing changes
    expect(status(benDir).circle).toMatchObject({ inviter: status(anaDir).self });

    await runPeer(benDir, 'Ben');
    ana = await AppServices.create({ dataDir: anaDir, mode: 'cli', heartbeatMs: 0, log: () => {}, swarmBootstrap: bootstrap.split(','), swarmName: 'Ana' });
    await ana.swarm.start();
    await until(() => ana.swarm.status().peers.some((p) => p.online && p.name === 'Ben'), 'Ana to meet Ben');
    const parent = ana.agents.life.birth(insertGenesis(ana.database.connection), 'Curie');
    const child = await ana.agents.life.divide(parent.id, 'test');
    await until(() => ana.swarm.status().abroad.some((a) => a.agentId === child.id && a.state === 'born'), 'the child to be born on Ben');
    // Ben's database, read by another process while Ben runs: the child lives there.
    const ben = status(benDir);
    expect(ben.hosted).toEqual([expect.objectContaining({ name: child.name, peer: status(anaDir).self, peerName: 'Ana' })]);
    expect(cli(benDir, 'status').stdout).toContain(`${child.name} (#${ben.hosted[0]!.agentId}) lives here for Ana`);
    expect(cli(anaDir, 'status').stdout).toContain(`${child.name} (#${child.id}) lives on Ben`);
  }, 90_000);

  it('keeps the child here, once, when the peer is frozen and killed during the offer', async () => {
    const ben = children[0]!;
    const offers = ana.swarm as unknown as { options: { offerTimeoutMs: number } };
    offers.options.offerTimeoutMs = 3000;
    ben.kill('SIGSTOP'); // a hung machine: the connection stays open, nothing answers
    const parent = ana.agents.life.birth(insertGenesis(ana.database.connection), 'Meitner');
    ana.database.connection.prepare('UPDATE swarm_circle SET place_children = 0').run();
    const child = await ana.agents.life.divide(parent.id, 'test');
    const placement = await ana.swarm.placeChild(child.id);
    expect(placement).toEqual({ placed: false, reason: 'Ben did not answer within 3 s' });
    ben.kill('SIGKILL');
    await once(ben, 'exit');
    expect(ana.agents.life.agent(child.id).state).toBe('alive');
    // Ben never took the offer in: it holds no trace of it, and Ana recorded the abort.
    expect(status(benDir).pending).toEqual([]);
    expect(status(benDir).hosted).toHaveLength(1);
    expect(ana.database.connection.prepare('SELECT state FROM swarm_transfer WHERE key = ?').pluck().get(child.uid)).toBe('aborted');
    // Ben back: still one copy of each, and the aborted child is not offered again.
    await runPeer(benDir, 'Ben');
    await until(() => ana.swarm.status().peers.some((p) => p.online), 'Ben to be back');
    expect(await ana.swarm.placeChild(child.id)).toMatchObject({ placed: false });
    expect(status(benDir).hosted).toHaveLength(1);
  }, 90_000);

  it('removes a peer and leaves the circle', async () => {
    const benKey = ana.swarm.status().peers[0]!.publicKey;
    await ana.shutdown();
    const removed = cli(anaDir, 'remove', benKey.slice(0, 8));
    expect(removed.stdout).toMatch(/is removed: its key is refused from now on/);
    expect(status(anaDir).peers).toMatchObject([{ publicKey: benKey, removed: true }]);
    expect(cli(anaDir, 'remove', 'nobody').stderr).toMatch(/No peer is known by "nobody"/);
    const left = cli(anaDir, 'leave');
    expect(left.stdout).toMatch(/^Left the circle/);
    expect(status(anaDir).circle).toBeNull();
    expect(cli(anaDir, 'leave').stdout).toMatch(/^Not in a circle\./);
  }, 60_000);
});
