// Agents and chat in Chromium against `lightseed serve` with a real database and the
// tiny test model: give birth from a Genesis seed, see the traits as a radar chart,
// chat with streaming tokens, thumbs, regenerate and swipe, stop, and a council pick.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { runCli } from '../helpers/cli';
import { SCREENSHOTS } from '../helpers/chromium';
import { insertGenesis } from '../helpers/genesis';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { servedApp } from '../helpers/served-app';
import { tinyModel } from '../helpers/tiny-model';
import { apiClient } from '../helpers/ws-client';

const app = servedApp(async (dir) => {
  await tinyModel(join(dir, 'tiny.gguf'), 12, 'llama', 2048);
  expect(runCli(['--data-dir', dir, 'models', 'add', join(dir, 'tiny.gguf')]).status).toBe(0);
  await using db = await Database.open({ path: join(dir, 'lightseed.db') });
  insertGenesis(db.connection);
  insertGenesis(db.connection);
});

describe('agents and chat in Chromium', () => {
  it('gives birth from a Genesis seed and shows the agent’s traits as a radar chart', async () => {
    await app.page.goto(app.serve.url.replace(/#.*$/, '#/agents'));
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByLabel('Name').fill('Ada');
    await app.page.getByRole('button', { name: 'Give birth' }).click();
    await expect.poll(() => app.page.getByRole('button', { name: 'Ada', exact: true }).count()).toBe(1);
    const card = app.page.getByRole('region', { name: "Ada's card" });
    await expect.poll(() => card.getByRole('img', { name: /^Traits:/ }).getAttribute('aria-label')).toMatch(/^Traits: memory\.retention 0\.\d\d/);
    await expect.poll(() => card.getByRole('img', { name: /^Fitness over time/ }).count()).toBe(1);
    expect(await card.textContent()).toMatch(/Adapter drift\s*0\.0% of its weights' size since birth/);
    expect(await card.textContent()).toMatch(/Divides in\s*25 interactions/);
    await app.page.getByRole('button', { name: 'Give birth' }).click(); // the second seed, a name from it
    await expect.poll(() => app.page.locator('tbody tr').count()).toBe(2);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'agents-card.png') });
  });

  it('chats: tokens stream, thumbs count, regenerate makes a swipe', async () => {
    await app.page.getByRole('button', { name: 'Ada', exact: true }).click();
    await app.page.getByRole('region', { name: "Ada's card" }).getByRole('button', { name: 'Chat with Ada' }).click();
    await expect.poll(() => app.page.url()).toMatch(/#\/chat$/);
    await app.page.getByLabel('Message').fill('Hello Ada, tell me about stars.');
    await app.page.getByRole('button', { name: 'Send' }).click();
    const answer = app.page.locator('.messages li.assistant').first();
    await expect.poll(() => answer.locator('.tps').textContent(), { timeout: 30_000 }).toMatch(/tokens\/s/);
    await answer.getByRole('button', { name: 'Thumbs up' }).click();
    await expect.poll(() => answer.getByRole('button', { name: 'Thumbs up' }).getAttribute('aria-pressed')).toBe('true');
    await answer.getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(() => app.page.locator('.messages li.assistant .meta').first().textContent(), { timeout: 30_000 }).toContain('2/2');
    await app.page.locator('.messages li.assistant').first().getByRole('button', { name: 'Previous answer' }).click();
    await expect.poll(() => app.page.locator('.messages li.assistant .meta').first().textContent()).toContain('1/2');
    await app.page.screenshot({ path: join(SCREENSHOTS, 'chat.png') });
  });

  it('stops an answer mid-stream', async () => {
    // A quick hand: press Stop the moment it appears (the tiny model answers in a fraction of a second).
    await app.page.evaluate(() => {
      const observer = new MutationObserver(() => {
        const stop = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Stop');
        if (stop) {
          stop.click();
          observer.disconnect();
        }
      });
      observer.observe(document.body, { subtree: true, childList: true });
    });
    await app.page.getByLabel('Message').fill('Talk for a long time, please.');
    await app.page.getByLabel('Message').press('Enter');
    await expect.poll(() => app.page.locator('.messages li.assistant').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => app.page.locator('.messages li.assistant .stopped').count()).toBe(1);
    await expect.poll(() => app.page.getByRole('button', { name: 'Send' }).count()).toBe(1);
  });

  it('asks a council of two and picks an answer', async () => {
    await app.page.getByLabel('Council of').check();
    await app.page.getByLabel('Council size').fill('2');
    await app.page.getByLabel('Message').fill('What is noise?');
    await app.page.getByRole('button', { name: 'Ask' }).click();
    await expect.poll(() => app.page.getByRole('button', { name: 'Pick this answer' }).count(), { timeout: 60_000 }).toBe(2);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'chat-council.png') });
    await app.page.getByRole('button', { name: 'Pick this answer' }).nth(1).click();
    await expect.poll(() => app.page.getByRole('region', { name: 'Council answers' }).count()).toBe(0);
    expect(app.problems).toEqual([]);
  }, 90_000);

  it('divides after enough turns, announces the child, and the family tree shows and exports both', async () => {
    // A short replication threshold (a setting) keeps the test quick; the division itself is the real one.
    const client = await apiClient(app.serve.port, app.serve.token);
    expect(await client.call('settings.update', { divisionThreshold: 4 })).toMatchObject({ ok: true });
    client.ws.close();
    await app.page.getByLabel('Council of').uncheck();
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByRole('button', { name: 'Ada', exact: true }).click();
    await app.page.getByRole('region', { name: "Ada's card" }).getByRole('button', { name: 'Chat with Ada' }).click();
    for (let turn = 0; turn < 6 && (await app.page.getByRole('status').filter({ hasText: 'divided: meet' }).count()) === 0; turn++) {
      const answers = await app.page.locator('.messages li.assistant .tps').count();
      await app.page.getByLabel('Message').fill(`Turn ${turn}: tell me more.`);
      await app.page.getByLabel('Message').press('Enter');
      await expect.poll(() => app.page.locator('.messages li.assistant .tps').count(), { timeout: 30_000 }).toBeGreaterThan(answers);
      await app.page.locator('.messages li.assistant').last().getByRole('button', { name: 'Thumbs up' }).click();
    }
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: 'divided: meet' }).textContent()).toMatch(/Ada divided: meet Ada II/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'chat-division.png') });
    await app.page.getByRole('link', { name: 'Family tree' }).click();
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: /agents ·/ }).textContent(), { timeout: 30_000 }).toMatch(/^3 agents · 3 drawn/);
    await expect.poll(() => app.page.getByRole('img', { name: /Mean and maximum fitness/ }).count()).toBe(1);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'tree-small.png') });
    const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.getByRole('button', { name: 'Export Newick' }).click()]);
    const newick = readFileSync((await download.path())!, 'utf8');
    expect(newick).toMatch(/^\('Ada II_\d+':1\)Ada_\d+;\s*$/);
  }, 120_000);

  it('lists the model with its speed and refuses an unusable file in words', async () => {
    await app.page.getByRole('link', { name: 'Models' }).click();
    const card = app.page.getByRole('list', { name: 'Models' }).getByRole('listitem').first();
    await expect.poll(() => card.textContent()).toMatch(/default/);
    expect(await card.textContent()).toMatch(/Speed\s*\d+\.\d tokens\/s/);
    expect(await card.textContent()).toMatch(/TQ2_0/);
    const junk = join(app.dir, 'junk.gguf');
    writeFileSync(junk, 'not a model at all');
    await app.page.getByLabel('Add a GGUF file').fill(junk);
    await app.page.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => app.page.getByRole('alert').textContent()).toMatch(/not a GGUF model file/);
    // bitnet.cpp's I2_S (Falcon3's layout): converted to TQ2_0, tried by llama.cpp, and described.
    const i2s = join(app.dir, 'falcon3-i2s.gguf');
    await FAMILIES.find((family) => family.id === 'falcon3-i2s')!.write(i2s, ternaryWeights(3).source);
    await app.page.getByLabel('Add a GGUF file').fill(i2s);
    await app.page.getByRole('button', { name: 'Add' }).click();
    const converted = app.page.getByRole('list', { name: 'Models' }).getByRole('listitem').filter({ hasText: 'Converted' });
    await expect.poll(() => converted.count(), { timeout: 30_000 }).toBe(1);
    expect(await converted.textContent()).toMatch(/1-bit\s*TQ2_0, \d\.\d\d bits per weight/);
    expect(await converted.textContent()).toMatch(/Converted from .*falcon3-i2s\.gguf: bitnet\.cpp's I2_S \(llama\) to TQ2_0/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'models.png'), fullPage: true });
  }, 60_000);

  it('lays out every populated view without overflow at 1280×720 and at 4K, in light and dark', async () => {
    for (const theme of ['Light', 'Dark'] as const) {
      await app.page.getByText(theme, { exact: true }).click();
      for (const view of ['Bridge', 'Agents', 'Chat', 'Family tree', 'Models'] as const) {
        await app.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view }).click();
        for (const [width, height] of [
          [1280, 720],
          [3840, 2160],
        ] as const) {
          await app.page.setViewportSize({ width, height });
          const overflow = await app.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
          expect(overflow, `${view} at ${width}×${height} (${theme})`).toBe(false);
        }
        await app.page.setViewportSize({ width: 1280, height: 720 });
      }
    }
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByRole('button', { name: 'Ada', exact: true }).click();
    await expect.poll(() => app.page.getByRole('region', { name: "Ada's card" }).count()).toBe(1);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'agents-card-dark.png') });
    await app.page.getByText('System', { exact: true }).click();
  }, 60_000);
});
