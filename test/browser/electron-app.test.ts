// The Electron app itself, launched by Playwright where an Electron binary is installed
// (skipped, saying why, where it is not): the window comes up sandboxed with only the
// preload's message pipe, talks to the services over IPC, refuses navigation and new
// windows, and quitting shuts the services down and leaves the database clean.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary, electronSqlitePath, ensureElectronSqlite } from '../../scripts/electron-native.js';
import { REPO_ROOT } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

const binary = electronBinary();
let why: string | undefined = binary ? undefined : 'no Electron binary is installed (npm install fetches one where github.com or ELECTRON_MIRROR can be reached; `npm run electron:fetch` tries again)';

describe('the Electron app', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let app: ElectronApplication | undefined;

  beforeAll(async () => {
    dir = makeTempDir();
    if (why) return;
    try {
      await ensureElectronSqlite(REPO_ROOT, () => {});
    } catch (error) {
      why = `better-sqlite3 could not be built for Electron: ${(error as Error).message.split('\n')[0]}`;
      return;
    }
    app = await electron.launch({
      executablePath: binary!,
      args: [join(REPO_ROOT, 'out/main/index.js'), '--data-dir', dir.path],
      env: { ...process.env, LIGHTSEED_SQLITE_BINDING: electronSqlitePath(REPO_ROOT) },
      timeout: 60_000,
    });
  }, 600_000);
  afterAll(async () => {
    if (app) await app.close();
    dir.remove();
  });

  it('opens one sandboxed window whose page sees only the message pipe', async (context) => {
    if (why) context.skip(why);
    const page = await app!.firstWindow();
    await page.waitForSelector('nav');
    expect(await page.title()).toBe('LightSeed');
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((globalThis as unknown as { lightseed: object }).lightseed).sort(),
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
    }));
    expect(globals).toMatchObject({ require: 'undefined', process: 'undefined', bridge: ['onMessage', 'send', 'transport'] });
    expect(globals.csp).toContain("script-src 'self'");
    expect(await app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it('answers over IPC and refuses navigation away and new windows', async (context) => {
    if (why) context.skip(why);
    const page = await app!.firstWindow();
    // app.info over IPC: the sidebar says which shell serves the API.
    const about = page.getByLabel('About this session');
    await expect.poll(() => about.textContent(), { timeout: 20_000 }).toMatch(/Mode\s*Desktop/);
    await page.getByRole('link', { name: 'Models' }).click();
    await expect.poll(() => page.getByText(/No models registered|LightSeed Companion/).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(await app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it('shuts the services down on quit and leaves the database clean', async (context) => {
    if (why) context.skip(why);
    const crashDumps = await app!.evaluate(({ app: electronApp }) => electronApp.getPath('crashDumps'));
    expect(crashDumps).toBe(join(dir.path, 'crashes'));
    await app!.close();
    app = undefined;
    expect(existsSync(join(dir.path, 'lightseed.db'))).toBe(true);
    expect(existsSync(join(dir.path, 'lightseed.db-wal'))).toBe(false);
    const log = join(dir.path, 'logs', 'main.log');
    if (existsSync(log)) expect(readFileSync(log, 'utf8')).not.toMatch(/Shutdown failed|Uncaught/);
  });
});
