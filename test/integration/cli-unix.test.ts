// The `lightseed` command behaves like a Unix tool, through the real binary and a real data
// folder: a closed pipe ends a command quietly, system errors are sentences with the path,
// mistyped options get a suggestion, progress in a log is one line per step, living agents'
// names are unique and "#N" works wherever a name does.
import { loadOrCreateIdentity } from '../../electron/identity/identity.node';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/api/event-hub.std';
import { AgentService } from '../../electron/services/agent-service.node';
import { InferenceService } from '../../electron/services/inference-service.node';
import { Database } from '../../electron/store/database.node';
import { BIN, runCli } from '../helpers/cli';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let data: string;
let spareGenesis: number;

/** Runs `lightseed ARGS | head -1` in a shell and returns head's output and lightseed's status and stderr. */
function intoHead(args: string[]): { line: string; status: number; stderr: string } {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `"${process.execPath}" "${BIN}" ${quoted} 2>"${join(dir.path, 'stderr')}" | head -1; echo "status=\${PIPESTATUS[0]}"; cat "${join(dir.path, 'stderr')}"`;
  const output = execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  const [line = '', statusLine = '', ...rest] = output.split('\n');
  return { line, status: Number(statusLine.replace('status=', '')), stderr: rest.join('\n') };
}

beforeAll(async () => {
  dir = makeTempDir();
  data = join(dir.path, 'data');
  await using database = await Database.open({ path: join(data, 'lightseed.db') });
  const hub = new EventHub(() => {});
  const agents = new AgentService(database, hub, new InferenceService(database, hub, undefined), {
    adapterCacheDir: join(data, 'adapters'),
    identity: () => loadOrCreateIdentity(data),
    drawPoolBytes: async (n) => randomBytes(n),
  });
  const ada = agents.life.birth(insertGenesis(database.connection), 'Ada');
  // Two children of one parent, and a grandchild: each name names one living agent.
  const first = await agents.life.divide(ada.id, 'test');
  await agents.life.divide(ada.id, 'test');
  await agents.life.divide(first.id, 'test');
  for (let i = 0; i < 40; i++) agents.life.birth(insertGenesis(database.connection));
  spareGenesis = insertGenesis(database.connection);
}, 60_000);
afterAll(() => dir.remove());

describe('a closed pipe', () => {
  it('ends agents, agent, tree and simulate quietly with status 0', () => {
    for (const args of [
      ['--data-dir', data, 'agents'],
      ['--data-dir', data, 'agent', 'Ada'],
      ['--data-dir', data, 'tree', 'Ada'],
      ['simulate', '--agents', '200', '--generations', '400'],
    ]) {
      const { line, status, stderr } = intoHead(args);
      expect(line, args.join(' ')).not.toBe('');
      expect(status, args.join(' ')).toBe(0);
      expect(stderr, args.join(' ')).not.toMatch(/EPIPE|Error|at /);
    }
  });

  it('still fails a write that failed for another reason (a full device)', () => {
    const result = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" --data-dir "${data}" agents > /dev/full`], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^lightseed: could not write to standard output: ENOSPC/);
  });
});

describe('system errors as sentences', () => {
  it('names a missing file, a folder and a named pipe, and reads none of them', () => {
    const missing = runCli(['assess', join(dir.path, 'nope.bin')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`lightseed: ${join(dir.path, 'nope.bin')} does not exist: check the path.\n`);
    const folder = runCli(['--data-dir', data, 'import', dir.path]);
    expect(folder.stderr).toBe(`lightseed: ${dir.path} is a folder, not an agent bundle: name a file in it.\n`);
    const fifo = join(dir.path, 'samples.fifo');
    execFileSync('mkfifo', [fifo]);
    const pipe = runCli(['assess', fifo], {}, 20_000);
    expect(pipe.status).toBe(1); // not killed by the timeout: refused at once
    expect(pipe.stderr).toBe(`lightseed: ${fifo} is a named pipe (FIFO), not a sample file (one sample per byte): save its contents to a file first and name that file.\n`);
  });

  it('says when --data-dir names a file', () => {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'not a folder');
    const result = runCli(['--data-dir', file, 'agents']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`lightseed: ${file} is a file, not a folder: name a folder (it is created when missing).\n`);
  });

  it('refuses a bundle over 16 MiB before reading it', () => {
    const big = join(dir.path, 'big.json');
    writeFileSync(big, Buffer.alloc(17 * 2 ** 20, 0x20));
    const result = runCli(['--data-dir', data, 'import', big]);
    expect(result.stderr).toBe(`lightseed: ${big} is 17.0 MiB, more than 16 MiB for an agent bundle: it was not read.\n`);
  });
});

describe('options', () => {
  it('suggests the option that was meant', () => {
    const result = runCli(['harvest', '--sorce', 'jitter:']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('lightseed: unknown option --sorce; did you mean --source?');
  });

  it('says which option lacks its value', () => {
    expect(runCli(['harvest', '--source']).stderr.split('\n')[0]).toBe('lightseed: --source needs a value.');
  });

  it('prints one progress line per assessment step into a log', () => {
    const samples = join(dir.path, 'samples.bin');
    writeFileSync(samples, randomBytes(20_000));
    const result = runCli(['assess', samples, '--bits', '8']);
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('\r');
    const steps = result.stderr.trim().split('\n');
    expect(steps.length).toBeGreaterThan(3);
    for (const line of steps) expect(line).toMatch(/^Assessing: step \d+ of \d+$/);
  });
});

describe('generate with the embedded model', () => {
  it('answers a plain prompt as a chat turn, and says so', () => {
    const result = runCli(['--data-dir', join(dir.path, 'fresh'), 'generate', '--prompt', 'Tell me something.', '--max-tokens', '16', '--temperature', '0'], {}, 120_000);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('answers chat turns only (it was trained on conversations), so the prompt goes to it as a user message, as with --chat.');
    expect(result.stdout.trim()).toMatch(/\w+/);
    expect(Number(/(\d+) tokens,/.exec(result.stderr)?.[1])).toBeGreaterThan(0);
  });

  it("takes llama.cpp's sampling options, each checked", () => {
    const fresh = join(dir.path, 'fresh');
    const tuned = runCli(['--data-dir', fresh, 'generate', '--prompt', 'Tell me something.', '--max-tokens', '4', '--top-k', '10', '--top-p', '0.9', '--min-p', '0.1', '--repeat-penalty', '1.2'], {}, 120_000);
    expect(tuned.status, tuned.stderr).toBe(0);
    for (const [option, value, message] of [
      ['--top-k', '-1', '--top-k must be a whole number, 0 or more (0 keeps every token).'],
      ['--top-p', '0', '--top-p must be more than 0 and at most 1.'],
      ['--min-p', '1', '--min-p must be at least 0 and below 1.'],
      ['--repeat-penalty', '0', '--repeat-penalty must be a number above 0 (1 = off).'],
    ]) {
      const refused = runCli(['--data-dir', fresh, 'generate', '--prompt', 'x', `${option}=${value}`]);
      expect(refused.status).toBe(2);
      expect(refused.stderr.split('\n')[0]).toBe(`lightseed: ${message}`);
    }
  });
});

describe('agent names', () => {
  it('are unique among living agents: a second child of Ada is Ada III', () => {
    const listed = JSON.parse(runCli(['--data-dir', data, 'agents', '--json']).stdout) as { id: number; name: string; parentId: number | null }[];
    const family = listed.filter((agent) => agent.name.startsWith('Ada')).map((agent) => [agent.id, agent.name, agent.parentId]);
    expect(family).toEqual([
      [1, 'Ada', null],
      [2, 'Ada II', 1],
      [3, 'Ada III', 1],
      [4, 'Ada IV', 2],
    ]);
    const names = listed.map((agent) => agent.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('"#N" works wherever a name does', () => {
    const card = runCli(['--data-dir', data, 'agent', '#3']);
    expect(card.status).toBe(0);
    expect(card.stdout).toMatch(/^Ada III \(#3,/);
    // Its own sampling profile, repetition penalty included (llama.cpp's default has none).
    expect(card.stdout).toMatch(/sampling: temperature \d\.\d\d, top-p \d\.\d\d, top-k 40, min-p 0\.05, repeat penalty 1\.10 over 64 tokens, .* \(from its temperament\)/);
    expect(runCli(['--data-dir', data, 'tree', '#2', '--format', 'newick']).stdout).toContain('Ada');
  });

  it('refuses a chosen name a living agent has', () => {
    const result = runCli(['--data-dir', data, 'birth', String(spareGenesis), '--name', 'Ada II']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('lightseed: Ada II is the name of a living agent (#2): choose another name, or leave it out for one from the seed.\n');
    expect(runCli(['--data-dir', data, 'birth', String(spareGenesis), '--name', '#7']).stderr).toMatch(/reads as an agent's number/);
  });
});
