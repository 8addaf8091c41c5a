// A newcomer's first look: `lightseed serve`, the printed URL opened in Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/cli';
import { launchChromium, SCREENSHOTS } from '../helpers/chromium';
import { makeTempDir } from '../helpers/temp-dir';


let dir: ReturnType<typeof makeTempDir>;
let serve: ServeProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function openApp(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const p = await context.newPage();
  p.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  p.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await p.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
  });
  await p.goto(url);
  return p;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  dir = makeTempDir();
  serve = await startServe(dir.path);
  browser = await launchChromium();
  page = await openApp(serve.url);
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  dir?.remove();
});

describe('the app shell in Chromium', () => {
  it('connects: the indicator turns green and the token leaves the address bar', async () => {
    const indicator = page.getByRole('status');
    await expect.poll(() => indicator.getAttribute('data-status')).toBe('open');
    await expect.poll(() => indicator.textContent()).toContain('Connected (browser mode)');
    expect(page.url()).not.toContain('token');
    expect(page.url()).toMatch(/#\/bridge$/);
    // app.info came back over the WebSocket from the real database.
    await expect.poll(() => page.getByLabel('About this session').textContent()).toMatch(/Schema\s*v\d+ · WAL/);
    await page.screenshot({ path: join(SCREENSHOTS, 'shell-bridge-light.png') });
  });

  it('makes a real API round trip over the WebSocket', async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('lightseed.token'));
    expect(token).toBe(serve.token);
    const reply = await page.evaluate(async (port) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${sessionStorage.getItem('lightseed.token')}`);
      return new Promise<unknown>((resolve, reject) => {
        ws.onmessage = (event) => {
          const message = JSON.parse(event.data as string) as { t: string };
          if (message.t === 'hello') ws.send(JSON.stringify({ t: 'call', id: 1, method: 'app.ping', params: { nonce: 'from-chromium' } }));
          if (message.t === 'result') resolve(message);
        };
        ws.onerror = () => reject(new Error('socket error'));
      });
    }, serve.port);
    expect(reply).toMatchObject({ t: 'result', id: 1, ok: true, result: { nonce: 'from-chromium' } });
  });

  it('refuses a WebSocket without the token, or with a wrong one', async () => {
    const outcomes = await page.evaluate(async (port) => {
      const attempt = (query: string) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/api${query}`);
          ws.onopen = () => resolve('opened');
          ws.onclose = () => resolve('refused');
        });
      return [await attempt(''), await attempt('?token=guess')];
    }, serve.port);
    expect(outcomes).toEqual(['refused', 'refused']);
  });

  it('shows every view with an empty state that says what will appear there', async () => {
    const views = [
      ['Bridge', 'bridge', /No entropy source connected/, /512 credited bits/],
      ['Agents', 'agents', /No agents yet/, /generation, fitness/],
      ['Chat', 'chat', /Nobody to talk to yet/, /council mode/],
      ['Family tree', 'tree', /No lineage yet/, /divide/],
      ['Models', 'models', /No models registered/, /GGUF/],
    ] as const;
    for (const [title, id, heading, detail] of views) {
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: title }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      expect(page.url()).toMatch(new RegExp(`#/${id}$`));
      const empty = page.getByRole('region', { name: heading });
      expect(await empty.textContent()).toMatch(detail);
      await page.screenshot({ path: join(SCREENSHOTS, `view-${id}-light.png`) });
    }
    // With no unused Genesis seed there is no seed picker, and the card import says where one comes from.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Agents' }).click();
    await expect.poll(() => page.getByText('an unused Genesis seed gives the rest, so harvest one on the Bridge first').count()).toBe(1);
    expect(await page.getByText('the Genesis seed above').count()).toBe(0);
  });

  it('navigates by keyboard', async () => {
    await page.getByRole('link', { name: 'Bridge' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Agents');
  });

  it('switches to dark, stores the choice in the database and keeps it across a reload', async () => {
    await page.getByText('Dark', { exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const db = new BetterSqlite3(join(dir.path, 'lightseed.db'), { readonly: true });
    await expect.poll(() => db.prepare("SELECT value FROM setting WHERE key = 'theme'").pluck().get()).toBe('"dark"');
    db.close();
    // The theme switch and the name field share one load of the settings.
    const settingsLoads: string[] = [];
    page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => void (String(payload).includes('"method":"settings.get"') && settingsLoads.push(String(payload)))));
    await page.reload();
    await expect.poll(() => page.getByRole('status').getAttribute('data-status')).toBe('open');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => page.locator('input[name="user-name"]').inputValue()).toBe('User');
    expect(settingsLoads).toHaveLength(1);
    for (const id of ['bridge', 'agents', 'tree']) {
      await page.evaluate((view) => (window.location.hash = `#/${view}`), id);
      await page.waitForFunction((view) => document.querySelector('h1')?.textContent !== '' && location.hash === `#/${view}`, id);
      await page.screenshot({ path: join(SCREENSHOTS, `view-${id}-dark.png`) });
    }
  });

  it('tells a visitor without the token that it was refused', async () => {
    const stranger = await openApp(`http://127.0.0.1:${serve.port}/`);
    await expect.poll(() => stranger.getByRole('status').getAttribute('data-status')).toBe('unauthorized');
    expect(await stranger.getByRole('status').textContent()).toContain('Token refused');
    await stranger.screenshot({ path: join(SCREENSHOTS, 'shell-token-refused.png') });
    await stranger.context().close();
    // The refused WebSocket attempt is logged by Chromium itself; nothing else may be.
    const rest = problems.filter((p) => !/WebSocket connection to .* failed|status of 401/.test(p));
    expect(rest).toEqual([]);
  });

  it('lays out without overflow at 1280×720 and at 4K', async () => {
    for (const [width, height] of [
      [1280, 720],
      [3840, 2160],
      [900, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow, `${width}×${height}`).toBe(false);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'shell-narrow-dark.png') });
  });

  it('had no console errors, page errors or CSP violations', () => {
    expect(problems.filter((p) => !/WebSocket connection to .* failed|status of 401/.test(p))).toEqual([]);
  });
});
