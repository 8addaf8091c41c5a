// The Bridge in Chromium against `lightseed serve`: a harvest from CPU jitter with the
// scope, bit map, health lights and progress bar live, ending in a Genesis seed that
// gives birth to an agent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RtlTcpEmulator } from '../fixtures/rtltcp-emulator';
import { EmulatedSerialDevice, mightyOhmReport } from '../fixtures/serial-device';
import { SCREENSHOTS } from '../helpers/chromium';
import { servedApp } from '../helpers/served-app';
import { apiClient } from '../helpers/ws-client';

const app = servedApp();

describe('the Bridge in Chromium', () => {
  it('harvests from CPU jitter with the progress bar moving, and gives birth from the Genesis seed', async () => {
    // Listing sources asks the OS for serial ports and sound cards: on a busy machine that takes seconds.
    await expect.poll(() => app.page.getByLabel('Source').locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await expect.poll(() => app.page.getByLabel('URI', { exact: true }).inputValue(), { timeout: 30_000 }).toBe('jitter:');
    // Every value the progress bar shows, recorded in the page as it changes (a harvest can take under a second).
    await app.page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progress: number[] }).progress = seen;
      const calibration: number[] = [];
      (window as unknown as { calibration: number[] }).calibration = calibration;
      new MutationObserver(() => {
        const bar = document.querySelector('[aria-label="Credited bits"]');
        const value = bar ? Number(bar.getAttribute('aria-valuenow')) : undefined;
        if (value !== undefined && value !== seen.at(-1)) seen.push(value);
        const calibrating = document.querySelector<HTMLProgressElement>('progress[aria-label="Calibration"]');
        if (calibrating && calibrating.value !== calibration.at(-1)) calibration.push(calibrating.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await app.page.getByRole('button', { name: 'Harvest' }).click();
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: /calibrating|assessing|harvesting|done/ }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'bridge-calibrating.png') });
    await expect.poll(() => app.page.getByRole('region', { name: 'Genesis seed', exact: true }).count(), { timeout: 120_000 }).toBe(1);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'bridge-genesis.png') });
    // CPU jitter credits 512 bits within a fraction of a second once calibrated: the calibration bar is the one that moves.
    const { progress, calibration } = await app.page.evaluate(() => {
      const w = window as unknown as { progress: number[]; calibration: number[] };
      return { progress: w.progress, calibration: w.calibration };
    });
    console.log(`bridge: calibration showed ${calibration.length} values up to ${Math.max(...calibration)}; credited bits ${progress.join(' → ')}`);
    expect(calibration.length).toBeGreaterThan(2);
    expect(calibration).toEqual([...calibration].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(512);
    expect(await app.page.getByRole('region', { name: 'Health tests' }).locator('.light[data-state="ok"]').count()).toBe(2);
    expect(await app.page.getByRole('region', { name: 'Genesis seed', exact: true }).locator('code').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'bridge-genesis.png') });
    await app.page.getByRole('region', { name: 'Genesis seed', exact: true }).getByRole('button', { name: 'Give birth' }).click();
    await expect.poll(() => app.page.url()).toMatch(/#\/agents$/);
    await expect.poll(() => app.page.locator('tbody tr').count()).toBe(1);
    expect(app.problems).toEqual([]);
  }, 180_000);

  it('goes on, as a newcomer would, to chat with the newborn on the embedded model until it divides, then sees and exports the family tree', async () => {
    // A short replication threshold (a setting) keeps the journey short; everything else is as shipped.
    const client = await apiClient(app.serve.port, app.serve.token);
    expect(await client.call('settings.update', { divisionThreshold: 2 })).toMatchObject({ ok: true });
    client.ws.close();
    await app.page.locator('tbody tr button').first().click();
    await app.page.getByRole('button', { name: /^Chat with / }).click();
    for (const [i, text] of ['Hello! Who are you?', 'What is a river?', 'Tell me something.'].entries()) {
      if ((await app.page.getByRole('status').filter({ hasText: 'divided: meet' }).count()) > 0) break;
      await app.page.getByLabel('Message').fill(text);
      await app.page.getByLabel('Message').press('Enter');
      await expect.poll(() => app.page.locator('.messages li.assistant .tps').count(), { timeout: 60_000 }).toBe(i + 1);
      await app.page.locator('.messages li.assistant').last().getByRole('button', { name: 'Thumbs up' }).click();
    }
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: 'divided: meet' }).textContent(), { timeout: 30_000 }).toMatch(/divided: meet .+ II/);
    const answers = await app.page.locator('.messages li.assistant .text').allTextContents();
    console.log(`journey: the newborn answered ${answers.map((a) => JSON.stringify(a)).join(', ')}`);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'journey-chat.png') });
    await app.page.getByRole('link', { name: 'Family tree' }).click();
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: /agents ·/ }).textContent(), { timeout: 30_000 }).toMatch(/^2 agents · 2 drawn/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'journey-tree.png') });
    const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^id,ancestor_list,origin_time,destruction_time,name,/);
    expect(csv).toHaveLength(3);
    expect(app.problems).toEqual([]);
  }, 240_000);

  it('shows a Geiger counter as a pulse timeline with the note that per-second counts carry little entropy', async () => {
    await using device = await EmulatedSerialDevice.start();
    await app.page.getByRole('link', { name: 'Bridge' }).click();
    await app.page.getByLabel('URI', { exact: true }).fill(`serial:${device.path}?format=mightyohm`);
    await app.page.getByRole('button', { name: 'Harvest' }).click();
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: 'MightyOhm' }).count(), { timeout: 20_000 }).toBe(1);
    await device.sendLines(Array.from({ length: 40 }, (_, i) => mightyOhmReport((i * 7) % 11)), 20);
    await expect.poll(() => app.page.getByLabel(/^Pulse timeline \(counts per sample\) of the latest [1-9]\d* samples/).count(), { timeout: 20_000 }).toBe(1);
    expect(await app.page.locator('.note').textContent()).toMatch(/under 1 bit per second/);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'bridge-geiger.png') });
    await app.page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => app.page.getByRole('button', { name: 'Harvest' }).count(), { timeout: 20_000 }).toBe(1);
    expect(app.problems).toEqual([]);
  }, 90_000);

  it('shows an RTL-SDR through rtl_tcp as an I/Q constellation and a spectrum', async () => {
    // A slow stream keeps the harvest in calibration while the scope is looked at.
    await using emulator = await RtlTcpEmulator.start({ bytesPerSecond: 200_000 });
    await app.page.getByLabel('URI', { exact: true }).fill(`${emulator.uri}?freq=100000000&rate=1024000`);
    await app.page.getByRole('button', { name: 'Harvest' }).click();
    await expect.poll(() => app.page.getByLabel(/^I\/Q constellation of the latest [1-9]\d* samples/).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => app.page.getByLabel('Spectrum of the latest samples').count()).toBe(1);
    // The spectrum canvas has something drawn on it.
    const inked = await app.page.getByLabel('Spectrum of the latest samples').evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(100);
    await app.page.screenshot({ path: join(SCREENSHOTS, 'bridge-rtltcp.png') });
    await app.page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => app.page.getByRole('button', { name: 'Harvest' }).count(), { timeout: 20_000 }).toBe(1);
    expect(app.problems).toEqual([]);
  }, 90_000);
});
