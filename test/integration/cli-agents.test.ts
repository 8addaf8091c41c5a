// The agent commands through the real `lightseed` binary: birth, an agent's card, an
// interactive chat fed through stdin (feedback, regeneration, council and pick), and
// the evolution simulation's reproducibility and progress.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { runCli } from '../helpers/cli';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';
import { tinyModel } from '../helpers/tiny-model';

let dir: ReturnType<typeof makeTempDir>;
let genesis: number[];

beforeAll(async () => {
  dir = makeTempDir();
  await tinyModel(join(dir.path, 'tiny.gguf'), 8, 'llama', 2048);
  expect(runCli(['--data-dir', dir.path, 'models', 'add', join(dir.path, 'tiny.gguf')]).status).toBe(0);
  await using db = await Database.open({ path: join(dir.path, 'lightseed.db') });
  genesis = [insertGenesis(db.connection), insertGenesis(db.connection), insertGenesis(db.connection)];
}, 60_000);
afterAll(() => dir.remove());

describe('lightseed birth, agent, chat', () => {
  it('gives birth once per Genesis record and shows the agent’s card', () => {
    const born = runCli(['--data-dir', dir.path, 'birth', String(genesis[0]), '--name', 'Ada']);
    expect(born.status).toBe(0);
    expect(born.stdout).toContain(`Ada (#1) was born from Genesis record ${genesis[0]}.`);
    expect(born.stdout).toMatch(/You are Ada, a small companion born from physical noise/);
    const again = runCli(['--data-dir', dir.path, 'birth', String(genesis[0])]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already gave birth to Ada/);
    expect(runCli(['--data-dir', dir.path, 'birth', String(genesis[1]), '--name', 'Bea']).status).toBe(0);
    const card = runCli(['--data-dir', dir.path, 'agent', 'Ada']);
    expect(card.stdout).toMatch(/Ada \(#1, uid [0-9a-f]{12}\) · generation 0 · alive/);
    expect(card.stdout).toMatch(/temperament\.arousal\s+[█·]{20} 0\.\d{3}/);
    expect(card.stdout).toMatch(/sampling: temperature \d\.\d\d/);
    const json = JSON.parse(runCli(['--data-dir', dir.path, 'agent', '1', '--json']).stdout) as { agent: { untilDivision: number; traits: Record<string, number> } };
    expect(json.agent.untilDivision).toBe(25);
    expect(Object.keys(json.agent.traits)).toContain('voice.quirk');
  });

  it('chats through stdin with streaming answers, feedback, regeneration, a council and a pick', () => {
    const input = ['Hello, who are you?', '/up', '/regen', '/down', 'Tell me more.', '/council 2 What is noise?', '/pick 2', '/frobnicate', '/quit'].join('\n') + '\n';
    const chat = runCli(['--data-dir', dir.path, 'chat', 'Ada'], {}, 120_000, input);
    expect(chat.status).toBe(0);
    expect(chat.stdout).toContain('Talking with Ada (#1).');
    expect(chat.stdout.match(/^Ada: (?!fitness)/gm)?.length).toBe(3);
    expect(chat.stdout).toMatch(/Ada: fitness 1\.000/);
    expect(chat.stdout).toMatch(/Ada: fitness -?0\.\d{3}/);
    expect(chat.stdout).toMatch(/\[1\] (Ada|Bea): [\s\S]*\[2\] (Ada|Bea): /);
    expect(chat.stdout).toMatch(/Council of 2: \/pick 1–2/);
    expect(chat.stdout).toMatch(/Picked (Ada|Bea): fitness/);
    expect(chat.stderr).toMatch(/tokens\/s, noise adapter \d at -?\d\.\d\d/);
    expect(chat.stderr).toContain('Unknown command /frobnicate');
    const list = JSON.parse(runCli(['--data-dir', dir.path, 'agents', '--json']).stdout) as { name: string; totalInteractions: number }[];
    expect(list.find((a) => a.name === 'Ada')!.totalInteractions).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('says clearly when there is no such agent or Genesis record', () => {
    expect(runCli(['--data-dir', dir.path, 'chat', 'Nobody'], {}, 30_000, '').stderr).toMatch(/There is no agent "Nobody"/);
    expect(runCli(['--data-dir', dir.path, 'birth', '999']).stderr).toMatch(/There is no Genesis record 999/);
  });
});

describe('lightseed simulate', () => {
  it('raises mean fitness over 20 generations, reproducibly from its seed', () => {
    const args = ['simulate', '--agents', '3000', '--generations', '20', '--seed', 'test', '--json'];
    const first = runCli(args, {}, 120_000);
    expect(first.status).toBe(0);
    expect(runCli(args, {}, 120_000).stdout).toBe(first.stdout);
    const rows = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { generation: number; alive: number; meanFitness: number; maxFitness: number; meanApproval: number; meanDistance: number });
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.alive > 0 && r.alive <= 3000)).toBe(true);
    expect(rows[19]!.meanFitness).toBeGreaterThan(rows[0]!.meanFitness + 10);
    expect(rows[19]!.meanApproval).toBeGreaterThan(rows[0]!.meanApproval + 0.1);
    expect(rows[19]!.meanDistance).toBeLessThan(rows[0]!.meanDistance);
    expect(first.stderr).toMatch(/agent-generations in [\d.]+ s/);
    const other = runCli(['simulate', '--agents', '3000', '--generations', '20', '--seed', 'other', '--json'], {}, 120_000);
    expect(other.stdout).not.toBe(first.stdout);
  }, 300_000);
});
