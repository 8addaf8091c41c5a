// The engine as Electron runs it: through the utility-process adapter, with the worker
// answering on process.parentPort. Electron's utilityProcess.fork is stood in for by a
// Node child that is given a parentPort with Electron's shape (messages arrive as
// { data }, replies go out with postMessage); the adapter, the worker and llama.cpp are
// the real ones, the same as the app's.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineCrashedError, EngineHost } from '../../electron/inference/engine-host.node';
import type { EngineReply } from '../../electron/inference/engine-protocol.std';
import { utilityEngineSpawner, type UtilityForkOptions, type UtilityProcessLike } from '../../electron/inference/utility-engine.node';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { makeTempDir } from '../helpers/temp-dir';

const paths = buildPathsFrom(new URL('../../out/main/index.js', import.meta.url).href);

// Only in the engine's process: node-llama-cpp forks helpers of its own that inherit the
// flag, and they speak their own protocol.
const PARENT_PORT = `
if (process.argv[1]?.endsWith('engine-worker.js')) {
  process.parentPort = {
    postMessage: (message) => process.send({ viaParentPort: message }),
    on: (event, listener) => {
      if (event === 'message') process.on('message', (data) => listener({ data }));
    },
  };
}
`;

let dir: ReturnType<typeof makeTempDir>;
let engine: EngineHost;
const forks: { modulePath: string; options: UtilityForkOptions }[] = [];

beforeAll(async () => {
  dir = makeTempDir();
  const shim = join(dir.path, 'parent-port.mjs');
  writeFileSync(shim, PARENT_PORT);
  const spawner = utilityEngineSpawner((modulePath, args, options): UtilityProcessLike => {
    forks.push({ modulePath, options });
    const child = fork(modulePath, args, { execArgv: ['--import', pathToFileURL(shim).href], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    return {
      get pid() {
        return child.pid;
      },
      stderr: child.stderr,
      postMessage: (message) => void child.send(message),
      on: (event: 'message' | 'exit', listener: ((message: EngineReply) => void) | ((code: number) => void)) =>
        event === 'message'
          ? child.on('message', (message: { viaParentPort?: EngineReply }) => {
              // Every reply must have come through parentPort.postMessage, never process.send.
              if (!message.viaParentPort) throw new Error(`a reply bypassed parentPort: ${JSON.stringify(message)}`);
              (listener as (message: EngineReply) => void)(message.viaParentPort);
            })
          : child.on('exit', (code, signal) => (listener as (code: number) => void)(code ?? (signal ? 1 : 0))),
      kill: () => child.kill(),
    } as UtilityProcessLike;
  });
  engine = new EngineHost({ workerPath: paths.engineWorker, spawn: spawner });
  await engine.load(paths.embeddedModel, { threads: 1, contextSize: 256 });
}, 60_000);
afterAll(async () => {
  await engine.dispose();
  dir.remove();
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
