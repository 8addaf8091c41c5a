// The harvest through the typed API over the browser-mode WebSocket, as the renderer will drive it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarvestStatus } from '../../electron/api/contract.std';
import type { ServerMessage } from '../../electron/api/protocol.std';
import { BrowserServer } from '../../electron/server/browser-server.node';
import { AppServices } from '../../electron/services/app-services.node';
import { makeTempDir } from '../helpers/temp-dir';
import { apiClient } from '../helpers/ws-client';

let dir: ReturnType<typeof makeTempDir>;
let services: AppServices;
let server: BrowserServer;

beforeAll(async () => {
  dir = makeTempDir();
  services = await AppServices.create({ dataDir: join(dir.path, 'data'), mode: 'browser', heartbeatMs: 0 });
  server = await BrowserServer.start({ services, rendererDir: dir.path, port: 0 });
});
afterAll(async () => {
  await server.dispose();
  await services.shutdown();
  dir.remove();
});

const progress = (m: ServerMessage) => (m.t === 'event' && m.event === 'harvest.progress' ? (m.payload as HarvestStatus) : undefined);

describe('harvest over the API', () => {
  it('streams progress and samples, ends in a Genesis record that genesis.list and genesis.get return', async () => {
    const c = await apiClient(server.port, server.token);
    await c.subscribe('harvest.progress');
    await c.subscribe('harvest.samples');
    const started = await c.call('harvest.start', { uri: 'jitter:', calibrationSamples: 20_000 });
    expect(started).toMatchObject({ ok: true, result: { phase: 'opening', uri: 'jitter:' } });
    await c.next((m) => progress(m)?.phase === 'done');
    const phases = c.inbox.map(progress).filter(Boolean).map((s) => s!.phase);
    expect(phases).toEqual(expect.arrayContaining(['calibrating', 'assessing', 'harvesting', 'done']));
    const samples = c.inbox.find((m) => m.t === 'event' && m.event === 'harvest.samples');
    expect(samples).toMatchObject({ payload: { bitsPerSample: 8 } });
    const done = c.inbox.map(progress).find((s) => s?.phase === 'done')!;
    expect(done.genesisId).toBe(1);
    expect(done.message).toMatch(/Genesis seed [0-9a-f]{16}…/);

    const list = await c.call('genesis.list', {});
    expect(list).toMatchObject({ ok: true, result: { genesis: [{ id: 1 }], poolBits: 0 } });
    const one = await c.call('genesis.get', { id: 1 });
    expect(one).toMatchObject({ ok: true, result: { summary: { id: 1 }, record: { source: { kind: 'jitter' } } } });
    expect(await c.call('genesis.get', { id: 99 })).toMatchObject({ ok: false, error: { code: 'failed_precondition' } });
    c.ws.close();
  });

  it('refuses a second harvest while one runs, and stops on request', async () => {
    const c = await apiClient(server.port, server.token);
    await c.subscribe('harvest.progress');
    // Another memory size is another device identity: it has no stored estimate and must calibrate.
    await c.call('harvest.start', { uri: 'jitter:?memory=512', calibrationSamples: 10_000_000 });
    await c.next((m) => progress(m)?.phase === 'calibrating');
    expect(await c.call('harvest.start', { uri: 'jitter:' })).toMatchObject({ ok: false, error: { code: 'failed_precondition', message: /already running/ } });
    const stopped = await c.call('harvest.stop', {});
    expect(stopped).toMatchObject({ ok: true, result: { phase: 'failed', message: /stopped/ } });
    c.ws.close();
  });

  it('validates harvest params and reports a bad source in the status', async () => {
    const c = await apiClient(server.port, server.token);
    await c.subscribe('harvest.progress');
    expect(await c.call('harvest.start', { uri: 'jitter:', calibrationSamples: 5 })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(await c.call('harvest.start', { uri: '' })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    await c.call('harvest.start', { uri: 'file:/no/such/capture.bin' });
    const failed = await c.next((m) => progress(m)?.phase === 'failed');
    expect(progress(failed)!.message).toMatch(/Cannot read the sample file \/no\/such\/capture\.bin/);
    c.ws.close();
  });
});
