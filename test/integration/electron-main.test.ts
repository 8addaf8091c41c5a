// The built Electron main process (out/main/index.js), run on Node with `electron`
// resolved to a double of the API it uses (test/fixtures/electron-double): every line
// of the shell runs, against the real services, database, IPC binding and engine. The
// double plays a session and reports what the shell did, in order. Where a real Electron
// binary exists, test/browser/electron-app.test.ts launches the app itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

type Note = { kind: string } & Record<string, unknown>;
const REGISTER = join(REPO_ROOT, 'test/fixtures/electron-double/register.mjs');
const MAIN = join(REPO_ROOT, 'out/main/index.js');

let dir: ReturnType<typeof makeTempDir>;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => dir.remove());

/** The first note of `kind`, which must be there. */
function noteOf<T>(notes: Note[], kind: string): T {
  const found = notes.find((n) => n.kind === kind);
  expect(found, kind).toBeDefined();
  return found as unknown as T;
}

function runShell(name: string, env: NodeJS.ProcessEnv = {}): { status: number | null; notes: Note[]; data: string; stderr: string } {
  const data = join(dir.path, name);
  const report = join(dir.path, `${name}.json`);
  const result = spawnSync(process.execPath, ['--import', REGISTER, MAIN, '--data-dir', data], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, ELECTRON_DOUBLE_REPORT: report, ...env },
  });
  return { status: result.status, notes: JSON.parse(readFileSync(report, 'utf8')) as Note[], data, stderr: result.stderr };
}

describe('the Electron main process', () => {
  it('runs a session: secure window, permissions, navigation, IPC, the engine in a utility process, then a graceful quit', () => {
    const { status, notes, data, stderr } = runShell('session');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const kinds = notes.map((n) => n.kind);
    // Crash dumps are local and set up before anything else can crash.
    expect(notes.slice(0, 2)).toEqual([
      { kind: 'set-path', name: 'crashDumps', path: join(data, 'crashes') },
      { kind: 'crash-reporter', options: { uploadToServer: false, compress: true } },
    ]);
    const window = noteOf<{ options: { webPreferences: Record<string, unknown> } }>(notes, 'window');
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(existsSync(window.options.webPreferences.preload as string)).toBe(true);
    expect(notes.find((n) => n.kind === 'load-file')).toMatchObject({ path: join(REPO_ROOT, 'out/renderer/index.html'), exists: true });
    expect(notes.filter((n) => n.kind.startsWith('permission'))).toEqual([
      { kind: 'permission', permission: 'media/audio', granted: true },
      { kind: 'permission', permission: 'media/video', granted: false },
      { kind: 'permission', permission: 'geolocation', granted: false },
      { kind: 'permission-check', permission: 'media/audio', granted: true },
    ]);
    expect(notes.filter((n) => n.kind === 'navigate').map((n) => n.blocked)).toEqual([true, false]);
    expect(notes.filter((n) => n.kind === 'window-open').map((n) => n.result)).toEqual([{ action: 'deny' }, { action: 'deny' }]);
    expect(notes.filter((n) => n.kind === 'open-external')).toEqual([{ kind: 'open-external', url: 'https://example.com/' }]);
    expect(noteOf<{ blocked: boolean }>(notes, 'attach-webview').blocked).toBe(true);

    expect(notes.find((n) => n.kind === 'ipc')).toMatchObject({ reply: { id: 1, ok: true, result: { mode: 'electron', dataDir: data } } });
    expect(notes.find((n) => n.kind === 'ipc-untrusted')).toEqual({ kind: 'ipc-untrusted', answered: false });
    const fork = noteOf<{ modulePath: string; pid: number }>(notes, 'utility-fork');
    expect(fork.modulePath).toBe(join(REPO_ROOT, 'out/main/engine-worker.js'));
    expect(notes.find((n) => n.kind === 'generated')).toMatchObject({ event: { event: 'generate.done', payload: { ok: true, text: expect.stringMatching(/\w/) } } });

    // Closing the last window quits; the first will-quit is held until the services stopped.
    expect(kinds.slice(kinds.indexOf('close-window'))).toEqual(['close-window', 'quit', 'will-quit', 'quit', 'will-quit', 'process-exit']);
    expect(notes.filter((n) => n.kind === 'will-quit').map((n) => n.held)).toEqual([true, false]);
    expect(() => process.kill(fork.pid, 0)).toThrow(/ESRCH/);
    expect(existsSync(join(data, 'lightseed.db'))).toBe(true);
    expect(existsSync(join(data, 'lightseed.db-wal'))).toBe(false);
    const log = readFileSync(join(data, 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/Dropped an API message from an untrusted frame: https:\/\/example.com\//);
    expect(log).toMatch(/GPU process gone: crashed \(exit code 139\)/);
    expect(log).toMatch(/Renderer gone: oom \(exit code 9\)/);
    expect(log).toMatch(/The window stopped responding/);
    expect(log).not.toMatch(/quiet helper/); // a clean exit is not a crash
  }, 120_000);

  it('quits gracefully on SIGTERM, as at a logout', () => {
    const { status, notes, data } = runShell('sigterm', { ELECTRON_DOUBLE_END: 'SIGTERM' });
    expect(status).toBe(0);
    const kinds = notes.map((n) => n.kind);
    expect(kinds.slice(kinds.indexOf('sigterm'))).toEqual(['sigterm', 'quit', 'will-quit', 'quit', 'will-quit', 'process-exit']);
    expect(notes.filter((n) => n.kind === 'will-quit').map((n) => n.held)).toEqual([true, false]);
    expect(() => process.kill(noteOf<{ pid: number }>(notes, 'utility-fork').pid, 0)).toThrow(/ESRCH/);
    expect(existsSync(join(data, 'lightseed.db-wal'))).toBe(false);
  }, 120_000);

  it('a second instance hands over to the first and starts nothing', () => {
    const { status, notes, data } = runShell('second', { ELECTRON_DOUBLE_SECOND_INSTANCE: '1' });
    expect(status).toBe(0);
    expect(notes.map((n) => n.kind)).toEqual(['set-path', 'crash-reporter', 'single-instance-lock', 'quit', 'will-quit', 'process-exit']);
    expect(existsSync(join(data, 'lightseed.db'))).toBe(false);
  });

  it('says in a dialog why it could not start, and where the details are', () => {
    const data = join(dir.path, 'foreign');
    mkdirSync(data);
    writeFileSync(join(data, 'lightseed.db'), 'a shopping list, not a database');
    const { status, notes } = runShell('foreign');
    expect(status).toBe(1);
    const box = noteOf<{ title: string; content: string }>(notes, 'error-box');
    expect(box.title).toBe('LightSeed could not start');
    expect(box.content).toMatch(/lightseed\.db/);
    expect(box.content).toContain(`Details are in ${join(data, 'logs', 'main.log')}`);
    expect(readFileSync(join(data, 'lightseed.db'), 'utf8')).toBe('a shopping list, not a database');
    expect(readFileSync(join(data, 'logs', 'main.log'), 'utf8')).toMatch(/LightSeed could not start/);
    expect(notes.some((n) => n.kind === 'window')).toBe(false);
  });
});
