// Models and generation through the typed API over the browser-mode WebSocket.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../electron/api/protocol.std';
import { buildModel } from '../../electron/inference/gguf/model-builder.node';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { BrowserServer } from '../../electron/server/browser-server.node';
import { AppServices } from '../../electron/services/app-services.node';
import { sfc32 } from '../fixtures/entropy-datasets';
import { makeTempDir } from '../helpers/temp-dir';
import { apiClient } from '../helpers/ws-client';
import { tinyModel } from '../helpers/tiny-model';

let dir: ReturnType<typeof makeTempDir>;
let services: AppServices;
let server: BrowserServer;
let modelPath: string;

beforeAll(async () => {
  dir = makeTempDir();
  modelPath = join(dir.path, 'tiny.gguf');
  const random = sfc32(5);
  await buildModel(modelPath, { architecture: 'llama', embeddingLength: 256, blockCount: 1, feedForwardLength: 256, headCount: 4, contextLength: 256, matrixType: 'TQ1_0', name: 'Tiny' }, (name, dims) => {
    const n = dims.reduce((a, b) => a * b, 1);
    if (name.endsWith('norm.weight')) return new Float32Array(n).fill(1);
    return Float32Array.from({ length: n }, () => (random() - 0.5) * 0.2);
  });
  // No embedded model here: this test starts from a registry with nothing to fall back on.
  const built = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
  services = await AppServices.create({ dataDir: join(dir.path, 'data'), mode: 'browser', heartbeatMs: 0, paths: { ...built, embeddedModel: join(dir.path, 'absent.gguf') } });
  server = await BrowserServer.start({ services, rendererDir: dir.path, port: 0 });
}, 60_000);
afterAll(async () => {
  await server.dispose();
  await services.shutdown();
  dir.remove();
});

const event = (name: string) => (m: ServerMessage) => m.t === 'event' && m.event === name;

describe('models and generation over the API', () => {
  it('refuses an unusable file in words, registers a good one as the default, and streams a generation', async () => {
    const c = await apiClient(server.port, server.token);
    await c.subscribe('generate.token');
    await c.subscribe('generate.done');
    const junk = join(dir.path, 'junk.gguf');
    writeFileSync(junk, 'not a model');
    expect(await c.call('models.add', { path: junk })).toMatchObject({ ok: false, error: { code: 'failed_precondition', message: /not a GGUF model file/ } });
    expect(await c.call('generate.start', { messages: [{ role: 'user', content: 'hi' }] })).toMatchObject({ ok: false, error: { code: 'failed_precondition', message: /No model yet/ } });
    const added = await c.call('models.add', { path: modelPath });
    expect(added).toMatchObject({ ok: true, result: { name: 'Tiny', architecture: 'llama', isDefault: true, types: { TQ1_0: 7 } } });
    expect(await c.call('models.list', {})).toMatchObject({ ok: true, result: { models: [{ name: 'Tiny' }] } });
    const started = await c.call('generate.start', { messages: [{ role: 'user', content: 'Say something' }], maxTokens: 12 });
    expect(started).toMatchObject({ ok: true, result: { generationId: 1 } });
    const done = await c.next(event('generate.done'));
    expect(done).toMatchObject({ payload: { generationId: 1, ok: true, stats: { tokens: expect.any(Number) } } });
    const streamed = c.inbox.filter(event('generate.token')).map((m) => (m as { payload: { text: string } }).payload.text).join('');
    expect(streamed).toBe((done as { payload: { text: string } }).payload.text);
    expect(await c.call('models.remove', { id: 1 })).toMatchObject({ ok: true, result: { removed: true } });
    c.ws.close();
  }, 60_000);
});

describe('the embedded default model', () => {
  it('is registered and used when the user has chosen no model', async () => {
    const data = join(dir.path, 'fresh');
    const paths = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
    await using fresh = await AppServices.create({ dataDir: data, mode: 'cli', heartbeatMs: 0, paths: { ...paths, embeddedModel: modelPath } });
    expect(fresh.inference.list()).toEqual([]);
    const { id, generation } = await fresh.inference.run({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 }, () => {});
    expect(id).toBe(1);
    await generation.done;
    expect(fresh.inference.list()).toMatchObject([{ path: modelPath, isDefault: true }]);
    // The first model the user adds takes over from the embedded one.
    const mine = join(dir.path, 'mine.gguf');
    await tinyModel(mine, 3);
    expect(await fresh.inference.add(mine)).toMatchObject({ path: mine, isDefault: true });
    expect(fresh.inference.list().map((m) => m.isDefault)).toEqual([false, true]);
  }, 60_000);
});
