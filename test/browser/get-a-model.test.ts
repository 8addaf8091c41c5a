// The Models view's "Get a model" in Chromium against `lightseed serve`: a catalog model
// downloads from a local Hugging Face-like mirror with a progress bar, pauses, resumes, is
// checked and registered as the default, and an agent's first chat runs on it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { sha256File } from '../../electron/files/sha256-file.node';
import { SCREENSHOTS } from '../helpers/chromium';
import { insertGenesis } from '../helpers/genesis';
import { startHfServer, type HfServer } from '../helpers/hf-server';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { servedApp } from '../helpers/served-app';

let mirror: HfServer;
let size = 0;

const app = servedApp(async (dir) => {
  const path = join(dir, 'bonsai.gguf');
  await FAMILIES.find((f) => f.id === 'bonsai-q1')!.write(path, ternaryWeights(9).source);
  const bytes = readFileSync(path);
  size = bytes.length;
  const catalog = join(dir, 'catalog.json');
  writeFileSync(
    catalog,
    JSON.stringify([
      {
        name: 'tiny-bonsai',
        title: 'Tiny Bonsai',
        summary: 'A tiny qwen3 Q1_0 model made by the test; a chat model.',
        parameters: 5e6,
        format: 'Q1_0',
        architecture: 'qwen3',
        licence: 'Apache-2.0',
        repo: 'lightseed-test/Tiny-Bonsai-gguf',
        file: 'Tiny-Bonsai-Q1_0.gguf',
        sizeBytes: size,
        sizeExact: true,
        sha256: await sha256File(path),
        contextLength: 1024,
        blockCount: 2,
        keyWidth: 128,
        chat: true,
      },
    ]),
  );
  // Slow enough to watch the progress bar and press Pause: about ten seconds for the file.
  mirror = await startHfServer([{ key: 'lightseed-test/Tiny-Bonsai-gguf/Tiny-Bonsai-Q1_0.gguf', bytes }], { bytesPerSecond: Math.ceil(size / 10) });
  {
    await using db = await Database.open({ path: join(dir, 'data', 'lightseed.db') });
    insertGenesis(db.connection);
  }
  return { dataDir: join(dir, 'data'), env: { LIGHTSEED_MODEL_MIRROR: mirror.endpoint, LIGHTSEED_MODEL_CATALOG: catalog } };
});

afterAll(async () => {
  await mirror?.close();
});

describe('getting a model from the Models view', () => {
  it('lists the catalog with size, memory and licence, and fetches nothing until asked', async () => {
    await app.page.goto(app.serve.url.replace(/#.*$/, '#/models'));
    const catalog = app.page.getByRole('list', { name: 'Catalog' });
    const item = catalog.getByRole('listitem', { name: 'Tiny Bonsai' });
    await expect.poll(() => item.textContent()).toMatch(/Tiny Bonsai.*5\.0 M parameters.*Q1_0.*KiB.*needs about .* of memory.*Apache-2\.0/);
    // The known models are listed too, from the same catalog.
    expect(await catalog.getByRole('listitem', { name: 'PrismML Bonsai 1.7B' }).count()).toBe(1);
    expect(await app.page.getByText(/Nothing is contacted until you press Get/).count()).toBe(1);
    expect(mirror.requests).toEqual([]);
  });

  it('says in a sentence why a download failed, and the next one starts afresh', async () => {
    mirror.setMode('redirect-loop');
    try {
      const item = app.page.getByRole('list', { name: 'Catalog' }).getByRole('listitem', { name: 'Tiny Bonsai' });
      await item.getByRole('button', { name: 'Get' }).click();
      await expect.poll(() => item.getByRole('alert').textContent()).toMatch(/^Could not download Tiny Bonsai: the mirror http:\/\/127\.0\.0\.1:\d+\/ redirected the download more than 10 times \(a loop\?\), so it stopped\.$/);
      await app.page.screenshot({ path: join(SCREENSHOTS, 'models-get-failed.png'), fullPage: true });
      expect(await item.getByRole('button', { name: 'Get' }).count()).toBe(1);
    } finally {
      mirror.setMode(undefined);
    }
  });

  it('downloads with progress, pauses, resumes, then registers it as the default', async () => {
    const item = app.page.getByRole('list', { name: 'Catalog' }).getByRole('listitem', { name: 'Tiny Bonsai' });
    await item.getByRole('button', { name: 'Get' }).click();
    const progress = item.getByRole('progressbar', { name: 'Downloaded of Tiny Bonsai' });
    await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => item.locator('.rate').textContent()).toMatch(/of .* · .*\/s · .* left/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'models-get-progress.png'), fullPage: true });
    await item.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => item.getByRole('status').textContent()).toMatch(/Paused Tiny Bonsai/);
    mirror.setRate(undefined);
    await item.getByRole('button', { name: /^(Get|Resume)/ }).click();
    await expect.poll(() => item.locator('.ready').textContent(), { timeout: 60_000 }).toBe('In use');
    expect(await item.getByRole('status').textContent()).toMatch(/Tiny Bonsai is ready and is the default model: its SHA-256 matches the published one/);
    const card = app.page.getByRole('list', { name: 'Models' }).getByRole('listitem').filter({ hasText: 'default' });
    await expect.poll(() => card.textContent()).toMatch(/qwen3.*1-bit\s*Q1_0/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'models-get-done.png'), fullPage: true });
  }, 90_000);

  it('has the first chat on the model it got', async () => {
    await app.page.getByRole('link', { name: 'Agents' }).click();
    await app.page.getByLabel('Name').fill('Bo');
    await app.page.getByRole('button', { name: 'Give birth' }).click();
    await expect.poll(() => app.page.getByRole('button', { name: 'Bo', exact: true }).count()).toBe(1);
    await app.page.getByRole('button', { name: 'Bo', exact: true }).click();
    await app.page.getByRole('region', { name: "Bo's card" }).getByRole('button', { name: 'Chat with Bo' }).click();
    await app.page.getByLabel('Message').fill('Hello Bo.');
    await app.page.getByRole('button', { name: 'Send' }).click();
    const answer = app.page.locator('.messages li.assistant').first();
    await expect.poll(() => answer.locator('.tps').textContent(), { timeout: 60_000 }).toMatch(/tokens\/s/);
    // The answer was generated by the model just got, not the embedded one.
    const db = new BetterSqlite3(join(app.dir, 'data', 'lightseed.db'), { readonly: true });
    try {
      const chosen = db.prepare('SELECT name, path FROM model WHERE is_default = 1').get() as { name: string; path: string };
      expect(chosen.path).toMatch(/tiny-bonsai__Tiny-Bonsai-Q1_0\.gguf$/);
      const answered = db.prepare("SELECT model FROM message WHERE role = 'assistant' ORDER BY id DESC LIMIT 1").get() as { model: string };
      expect(answered.model).toBe(chosen.name);
    } finally {
      db.close();
    }
    // The model's first load measured its thread counts; the Models view says what runs it.
    await app.page.getByRole('link', { name: 'Models' }).click();
    const card = app.page.getByRole('list', { name: 'Models' }).getByRole('listitem').filter({ hasText: 'default' });
    await expect.poll(() => card.textContent()).toMatch(/Runs on\s*(LightSeed's llama\.cpp build|the prebuilt llama\.cpp).*, \d+\s*threads?\s*\(measured: [\d.]+ tokens\/s with 1/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'models-threads.png'), fullPage: true });
    expect(app.problems).toEqual([]);
  }, 90_000);
});
