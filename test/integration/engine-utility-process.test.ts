// The engine as Electron runs it: through the utility-process adapter, with the worker
// answering on process.parentPort. Electron's utilityProcess.fork is stood in for by a
// Node child that is given a parentPort with Electron's shape (test/fixtures/electron-
// double: messages arrive as { data }, replies must go out with postMessage); the
// adapter, the worker and llama.cpp are the real ones, the same as the app's.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineCrashedError, EngineClient } from '../../electron/inference/engine-client.node';
import { utilityEngineSpawner, type UtilityForkOptions } from '../../electron/inference/engine-utility-process.node';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { utilityProcess } from '../fixtures/electron-double/utility-process.mjs';

const paths = buildPathsFrom(new URL('../../out/main/index.js', import.meta.url).href);

let engine: EngineClient;
const forks: { modulePath: string; options: UtilityForkOptions }[] = [];

beforeAll(async () => {
  const spawner = utilityEngineSpawner((modulePath, args, options) => {
    forks.push({ modulePath, options });
    return utilityProcess.fork(modulePath, args, options);
  });
  engine = new EngineClient({ workerPath: paths.engineWorker, spawn: spawner });
  await engine.load(paths.embeddedModel, { threads: 1, contextSize: 256 });
}, 60_000);
afterAll(async () => {
  await engine.dispose();
});

describe('the engine in a utility process', () => {
  it('forks the engine entry as a named service with only stderr piped', () => {
    expect(forks[0]).toEqual({ modulePath: paths.engineWorker, options: { stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'LightSeed inference engine' } });
  });

  it('streams a chat answer from the embedded model over parentPort', async () => {
    const pieces: string[] = [];
    const generation = await engine.generate({ messages: [{ role: 'user', content: 'Hello!' }], maxTokens: 16, seed: randomBytes(48) }, (text) => pieces.push(text));
    const { text, stats } = await generation.done;
    expect(stats.tokens).toBeGreaterThan(0);
    expect(pieces.join('')).toBe(text);
    expect(text).toMatch(/\w/);
  }, 60_000);

  it('reports a crash as an exit code, and the next request starts a fresh process', async () => {
    const first = engine.pid;
    let killed = false;
    const generation = await engine.generate({ prompt: 'Tell me', maxTokens: 200, seed: randomBytes(48), sampler: { temperature: 1, topK: 0, topP: 1, minP: 0 } }, () => {
      if (!killed) {
        killed = true;
        engine.kill('SIGKILL');
      }
    });
    const error = await generation.done.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect((error as Error).message).toMatch(/exited with code \d+.*restarts with the next request/);
    await engine.load(paths.embeddedModel, { threads: 1, contextSize: 256 });
    const again = await (await engine.generate({ prompt: 'Once', maxTokens: 4, seed: randomBytes(48) })).done;
    expect(again.stats.tokens).toBeGreaterThan(0);
    expect(engine.pid).not.toBe(first);
    expect(forks).toHaveLength(2);
  }, 60_000);
});
