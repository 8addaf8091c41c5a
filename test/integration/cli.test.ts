// The real `lightseed` command as a user runs it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLICATION_ID } from '../../electron/store/database.node';
import { runCli, startServe } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => (dir = makeTempDir()));
afterEach(() => dir.remove());

describe('lightseed --help and --version', () => {
  it('lists the commands and the global options', () => {
    const { status, stdout } = runCli(['--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Usage: lightseed \[--data-dir DIR\] COMMAND/);
    expect(stdout).toMatch(/^ {2}serve +Run LightSeed headless/m);
    expect(stdout).toContain('--data-dir DIR');
    expect(stdout).toContain('--version');
  });

  it('shows help for one command', () => {
    const { status, stdout } = runCli(['serve', '--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('Usage: lightseed serve [--port N]');
    expect(stdout).toContain('--port N');
  });

  it('prints the package version', () => {
    expect(runCli(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  it('prints help and exits 2 without a command', () => {
    const { status, stdout } = runCli([]);
    expect(status).toBe(2);
    expect(stdout).toContain('Commands:');
  });
});

describe('mistakes', () => {
  it('names an unknown command and exits 2', () => {
    const { status, stderr } = runCli(['harvets']);
    expect(status).toBe(2);
    expect(stderr).toContain('unknown command harvets; did you mean harvest?');
  });

  it('names an unknown option and exits 2', () => {
    const { status, stderr } = runCli(['serve', '--prot', '80']);
    expect(status).toBe(2);
    expect(stderr).toContain('lightseed: unknown option --prot; did you mean --port?\n');
    expect(stderr).toContain('Usage: lightseed serve');
  });

  it('refuses a port that is not a number', () => {
    const { status, stderr } = runCli(['--data-dir', dir.path, 'serve', '--port', 'eighty']);
    expect(status).toBe(2);
    expect(stderr).toContain('--port must be a whole number from 0 to 65535');
  });

  it('refuses a database from a newer LightSeed with a clear message and leaves it alone', () => {
    const db = new BetterSqlite3(join(dir.path, 'lightseed.db'));
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 999');
    db.close();
    const before = statSync(join(dir.path, 'lightseed.db')).mtimeMs;
    const { status, stderr } = runCli(['--data-dir', dir.path, 'serve', '--port', '0']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/schema version 999.*newer LightSeed: upgrade the app/);
    expect(statSync(join(dir.path, 'lightseed.db')).mtimeMs).toBe(before);
  });
});

describe('lightseed serve', () => {
  it('prints a tokenised 127.0.0.1 URL, keeps its data in --data-dir and stops cleanly on SIGTERM', async () => {
    const serve = await startServe(dir.path);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    expect(serve.output()).toContain(`data  ${dir.path}`);
    expect(existsSync(join(dir.path, 'lightseed.db'))).toBe(true);
    expect(await serve.stop()).toBe(0);
    expect(serve.output()).toContain('Stopped.');
    // The WAL was checkpointed into the main file on the way out.
    expect(existsSync(join(dir.path, 'lightseed.db-wal'))).toBe(false);
  });

  it('uses $XDG_DATA_HOME/lightseed without --data-dir', async () => {
    const serve = await startServe(undefined, { XDG_DATA_HOME: dir.path });
    expect(serve.output()).toContain(`data  ${join(dir.path, 'lightseed')}`);
    expect(existsSync(join(dir.path, 'lightseed', 'lightseed.db'))).toBe(true);
    expect(await serve.stop()).toBe(0);
  });

  it('gives each run a new token', async () => {
    const first = await startServe(dir.path);
    await first.stop();
    const second = await startServe(dir.path);
    await second.stop();
    expect(first.token).not.toBe(second.token);
  });
});
