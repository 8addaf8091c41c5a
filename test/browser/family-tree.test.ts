// The family tree in Chromium with a generated 100,000-agent lineage: it lays out in a
// worker, draws, pans and zooms (frames per second measured and reported), colours by a
// trait, and a click opens an agent's card.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { SCREENSHOTS } from '../helpers/chromium';
import { writeBulkLineage } from '../helpers/bulk-lineage';
import { servedApp } from '../helpers/served-app';

const AGENTS = 100_000;

const app = servedApp(async (dir) => {
  await using db = await Database.open({ path: join(dir, 'lightseed.db') });
  writeBulkLineage(db.connection, AGENTS);
}, 120_000);

const frames = () => app.page.locator('canvas').evaluate((c) => Number((c as HTMLCanvasElement).dataset.frames ?? 0));

describe('the family tree with 100,000 agents', () => {
  it('opens, pans and zooms, and reports its frame rate', async () => {
    await app.page.getByRole('link', { name: 'Family tree' }).click();
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: /agents ·/ }).textContent(), { timeout: 60_000 }).toMatch(/100,000 agents · [\d,]+ drawn/);
    await expect.poll(frames).toBeGreaterThan(0);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'tree-100k-fit.png') });
    const box = (await app.page.locator('canvas').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    // Zoom in at the centre, then pan about, as a person exploring would.
    const before = await frames();
    const started = Date.now();
    await app.page.mouse.move(cx, cy);
    for (let i = 0; i < 12; i++) await app.page.mouse.wheel(0, -120);
    await app.page.mouse.down();
    for (let i = 0; i < 60; i++) await app.page.mouse.move(cx + Math.sin(i / 6) * 300, cy + Math.cos(i / 9) * 120);
    await app.page.mouse.up();
    for (let i = 0; i < 8; i++) await app.page.mouse.wheel(0, 120);
    const seconds = (Date.now() - started) / 1000;
    const drawn = (await frames()) - before;
    const drawMs = await app.page.locator('canvas').evaluate((c) => Number((c as HTMLCanvasElement).dataset.drawMs));
    console.log(`family tree: ${drawn} frames in ${seconds.toFixed(2)} s while panning and zooming 100,000 agents = ${(drawn / seconds).toFixed(1)} fps; last frame drew in ${drawMs.toFixed(1)} ms`);
    expect(drawn).toBeGreaterThan(10);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'tree-100k-zoomed.png') });
  }, 120_000);

  it('colours by a trait and opens an agent’s card on click', async () => {
    await app.page.getByLabel('Colour by').selectOption('temperament.arousal');
    await app.page.getByRole('button', { name: 'Fit' }).click();
    for (let i = 0; i < 30; i++) await app.page.getByRole('button', { name: 'Zoom in' }).click();
    const box = (await app.page.locator('canvas').boundingBox())!;
    // Click on an agent the canvas drew (it records one drawn position).
    await expect.poll(() => app.page.locator('canvas').getAttribute('data-sample')).toMatch(/^[\d.]+,[\d.]+$/);
    const [sx, sy] = (await app.page.locator('canvas').getAttribute('data-sample'))!.split(',').map(Number);
    await app.page.mouse.click(box.x + sx!, box.y + sy!);
    await expect.poll(() => app.page.getByRole('complementary', { name: /card/ }).textContent()).toMatch(/generation \d+ · (alive|archived) · fitness/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'tree-100k-card.png') });
    // The clicked agent's lineage: per-generation plots and its clades over time.
    const muller = app.page.getByRole('img', { name: /Shares of \d+ clades over time/ });
    await expect.poll(() => muller.count(), { timeout: 30_000 }).toBe(1);
    await muller.scrollIntoViewIfNeeded();
    await app.page.screenshot({ path: join(SCREENSHOTS, 'tree-100k-charts.png') });
    expect(app.problems).toEqual([]);
  }, 60_000);

  it('can be explored with the keyboard alone', async () => {
    const canvas = app.page.getByLabel(/^Family tree of 100000 agents/);
    await app.page.getByRole('button', { name: 'Fit' }).focus();
    await app.page.keyboard.press('Tab'); // past Export Newick and Export CSV to the canvas
    await app.page.keyboard.press('Tab');
    await app.page.keyboard.press('Tab');
    expect(await canvas.evaluate((c) => c === document.activeElement)).toBe(true);
    const zoom = () => canvas.getAttribute('data-zoom');
    await app.page.keyboard.press('0');
    await expect.poll(zoom).toBe('1.000');
    for (const key of ['+', '+', '+']) await app.page.keyboard.press(key);
    await expect.poll(zoom).toBe('3.375');
    const panX = await canvas.getAttribute('data-pan-x');
    await app.page.keyboard.press('ArrowRight');
    await expect.poll(() => canvas.getAttribute('data-pan-x')).not.toBe(panX);
    await app.page.keyboard.press('-');
    await expect.poll(zoom).toBe('2.250');
    await app.page.keyboard.press('Enter');
    await expect.poll(() => app.page.getByRole('complementary', { name: /card/ }).textContent()).toMatch(/generation \d+/);
  }, 60_000);
});
