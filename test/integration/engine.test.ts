// The inference engine in its own process, on tiny ternary models our writer makes:
// streaming, determinism from the DRBG seed, abort, a crash mid-generation, bad files.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineCrashedError, EngineClient } from '../../electron/inference/engine-client.node';
import { ADAPTERS_KEPT } from '../../electron/inference/engine-protocol.std';
import { GgufError } from '../../electron/inference/gguf/gguf-format.std';
import { readGguf } from '../../electron/inference/gguf/gguf-reader.node';
import { writeLoraAdapter } from '../../electron/inference/gguf/lora-writer.node';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { Database } from '../../electron/store/database.node';
import { getModel, listModels, setThreadSpeeds } from '../../electron/store/models.node';
import { addModel } from '../../electron/services/model-registry.node';
import { fastestThreads, threadCandidates } from '../../electron/inference/thread-choice.std';
import { AppServices } from '../../electron/services/app-services.node';
import { machineName } from '../../electron/services/inference-service.node';
import { sfc32 } from '../fixtures/entropy-datasets';
import { makeTempDir } from '../helpers/temp-dir';
import { tinyModel } from '../helpers/tiny-model';

const paths = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
let dir: ReturnType<typeof makeTempDir>;
let modelPath: string;
let engine: EngineClient;

beforeAll(async () => {
  dir = makeTempDir();
  modelPath = join(dir.path, 'tiny.gguf');
  await tinyModel(modelPath, 11);
  engine = new EngineClient({ workerPath: paths.engineWorker });
  await engine.load(modelPath, { threads: 1, contextSize: 256 });
}, 60_000);
afterAll(async () => {
  await engine.dispose();
  dir.remove();
});

describe('inference engine', () => {
  it('streams tokens and reports tokens/s, the same seed giving the same text', async () => {
    const seed = randomBytes(48);
    const pieces: string[] = [];
    const first = await engine.generate({ prompt: 'Once', maxTokens: 16, seed }, (text) => pieces.push(text));
    const a = await first.done;
    expect(a.stats.tokens).toBeGreaterThan(0);
    expect(a.stats.tokens).toBeLessThanOrEqual(16);
    expect(pieces.join('')).toBe(a.text);
    expect(a.stats.tokensPerSecond).toBeGreaterThan(0);
    const b = await (await engine.generate({ prompt: 'Once', maxTokens: 16, seed })).done;
    expect(b.text).toBe(a.text);
    const others = await Promise.all(
      [1, 2, 3].map(async () => (await (await engine.generate({ prompt: 'Once', maxTokens: 16, seed: randomBytes(48), sampler: { temperature: 1.5, topK: 0, topP: 1, minP: 0 } })).done).text),
    );
    expect(others.some((t) => t !== a.text)).toBe(true);
  }, 60_000);

  it('stops mid-stream when aborted', async () => {
    let pieces = 0;
    const generation: Awaited<ReturnType<EngineClient['generate']>> = await engine.generate({ prompt: 'Tell', maxTokens: 200, seed: randomBytes(48), sampler: { temperature: 1, topK: 0, topP: 1, minP: 0 } }, () => {
      if (++pieces === 2) generation.abort();
    });
    const { stats } = await generation.done;
    expect(['aborted', 'eos']).toContain(stats.stopReason);
    expect(stats.tokens).toBeLessThan(200);
  }, 60_000);

  it('renders chats with the model template and drops the oldest turns to fit, keeping the system prompt', async () => {
    const turns = Array.from({ length: 40 }, (_, i) => ({ role: (i % 2 ? 'assistant' : 'user') as 'user' | 'assistant', content: `turn ${i} `.repeat(4) }));
    const { stats } = await (await engine.generate({ messages: [{ role: 'system', content: 'You are a seed.' }, ...turns, { role: 'user', content: 'last' }], maxTokens: 8, seed: randomBytes(48) })).done;
    expect(stats.droppedTurns).toBeGreaterThan(0);
    expect(stats.promptTokens).toBeLessThanOrEqual(256 - 8);
  }, 60_000);

  it('survives the engine process being killed mid-generation: a clear error, then the next request works', async () => {
    let killed = false;
    const generation = await engine.generate({ prompt: 'Again', maxTokens: 200, seed: randomBytes(48), sampler: { temperature: 1, topK: 0, topP: 1, minP: 0 } }, () => {
      if (!killed) {
        killed = true;
        engine.kill('SIGKILL');
      }
    });
    const error = await generation.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect((error as Error).message).toMatch(/was killed \(SIGKILL\).*restarts with the next request/);
    const after = await (await engine.generate({ prompt: 'Once', maxTokens: 4, seed: randomBytes(48) })).done;
    expect(after.stats.tokens).toBeGreaterThan(0);
    expect(engine.restarts).toBe(1);
  }, 60_000);

  it('attaches a LoRA adapter: at scale 0 the logits are exactly the base model\'s, at scale 1 they move', async () => {
    const random = sfc32(21);
    const rank = 4;
    const targets = ['blk.0.attn_q.weight', 'blk.0.attn_v.weight', 'blk.1.ffn_down.weight'].map((tensor) => {
      const [inputs, outputs] = tensor.includes('ffn_down') ? [512, 256] : tensor.includes('attn_v') ? [256, 128] : [256, 256];
      return {
        tensor,
        inputs: inputs!,
        outputs: outputs!,
        a: Float32Array.from({ length: inputs! * rank }, () => (random() - 0.5) * 0.2),
        b: Float32Array.from({ length: rank * outputs! }, () => (random() - 0.5) * 0.2),
      };
    });
    const path = join(dir.path, 'voice.gguf');
    await writeLoraAdapter(path, { architecture: 'llama', rank, alpha: rank, targets });
    const tokens = [84, 115, 104, 106];
    const base = await engine.logits(tokens);
    const zero = await engine.logits(tokens, [{ path, scale: 0 }]);
    const one = await engine.logits(tokens, [{ path, scale: 1 }]);
    // Bit for bit (toEqual tells +0 from −0 and compares every element).
    expect(Array.from(zero)).toEqual(Array.from(base));
    expect(Math.max(...one.map((v, i) => Math.abs(v - base[i]!)))).toBeGreaterThan(1e-3);
  }, 60_000);

  it(`keeps at most ${ADAPTERS_KEPT} adapters loaded: one freed and read again gives the same logits, bit for bit`, async () => {
    const random = sfc32(23);
    const rank = 2;
    const paths = await Promise.all(
      Array.from({ length: ADAPTERS_KEPT + 4 }, async (_, i) => {
        const path = join(dir.path, `agent-${i}.gguf`);
        const a = Float32Array.from({ length: 256 * rank }, () => (random() - 0.5) * 0.4);
        const b = Float32Array.from({ length: rank * 256 }, () => (random() - 0.5) * 0.4);
        await writeLoraAdapter(path, { architecture: 'llama', rank, alpha: rank, targets: [{ tensor: 'blk.0.attn_q.weight', inputs: 256, outputs: 256, a, b }] });
        return path;
      }),
    );
    const tokens = [84, 115, 104, 106];
    const first: number[][] = [];
    for (const path of paths) first.push(Array.from(await engine.logits(tokens, [{ path, scale: 1 }])));
    // Sixteen were read in turn; only the bound stays loaded.
    expect(await engine.adaptersLoaded()).toBe(ADAPTERS_KEPT);
    // Every adapter moves the logits its own way.
    expect(new Set(first.map((logits) => logits.slice(0, 8).join())).size).toBe(paths.length);
    // The first ones were freed to stay within the bound; read again, they compute the same.
    for (const [i, path] of paths.slice(0, 3).entries()) expect(Array.from(await engine.logits(tokens, [{ path, scale: 1 }]))).toEqual(first[i]);
    expect(Array.from(await engine.logits(tokens, [{ path: paths.at(-1)!, scale: 1 }]))).toEqual(first.at(-1));
  }, 60_000);

  it("draws from llama.cpp's biased top-k exactly what the sampler draws from every logit", async () => {
    // The fast path hands our sampler only the top k (+ penalised) biased logits; naming an
    // end-of-generation token in the bias (with 0) sends every logit instead, biased here.
    const eos = Number((await readGguf(modelPath)).metadata.get('tokenizer.ggml.eos_token_id')?.value);
    const bias: [number, number][] = [
      [84, 2.5],
      [115, 1.25],
      [104, -3],
      [106, -1.5],
      [97, 0.7],
    ];
    const sampler = { temperature: 1.3, topK: 5, topP: 0.9, minP: 0.02, repeatPenalty: 1.3, repeatLastN: 16 };
    // A random seed may end a text early (the tiny model draws its end token): compare until
    // at least 48 tokens in all were drawn both ways.
    let compared = 0;
    for (let round = 0; round < 12 && compared < 48; round++) {
      const seed = randomBytes(48);
      const fast = await (await engine.generate({ prompt: 'Once upon', maxTokens: 48, seed, sampler: { ...sampler, tokenBias: bias } })).done;
      const full = await (await engine.generate({ prompt: 'Once upon', maxTokens: 48, seed, sampler: { ...sampler, tokenBias: [...bias, [eos, 0]] } })).done;
      expect(fast.text).toBe(full.text);
      expect(fast.stats.tokens).toBe(full.stats.tokens);
      compared += fast.stats.tokens;
    }
    expect(compared).toBeGreaterThanOrEqual(48);
  }, 60_000);

  it("starts a plain prompt with BOS where the file asks for it (add_bos_token), never twice, and defaults to llama.cpp's sampler (no repetition penalty)", async () => {
    const withBos = join(dir.path, 'with-bos.gguf');
    await tinyModel(withBos, 11, 'llama', 512, { addBosToken: true });
    await using other = new EngineClient({ workerPath: paths.engineWorker });
    await other.load(withBos, { threads: 1, contextSize: 256 });
    const promptTokens = async (host: EngineClient, prompt: string) => (await (await host.generate({ prompt, maxTokens: 1, seed: randomBytes(48), sampler: { temperature: 0 } })).done).stats.promptTokens;
    // The same weights and vocabulary: only the flag differs, and so does the prompt by one token.
    expect(await promptTokens(other, 'Once upon')).toBe((await promptTokens(engine, 'Once upon')) + 1);
    // A prompt that already begins with BOS (written as its text, parsed as llama.cpp parses it) gets no second one.
    expect(await promptTokens(other, '<s>Once upon')).toBe((await promptTokens(engine, 'Once upon')) + 1);
    // Greedy is the argmax of the model's own logits: with the default (no repetition penalty) a
    // token may repeat as often as the model likes, as llama.cpp's greedy decoding does.
    const greedy = await (await engine.generate({ prompt: 'Once upon', maxTokens: 24, seed: randomBytes(48), sampler: { temperature: 0 } })).done;
    const again = await (await engine.generate({ prompt: 'Once upon', maxTokens: 24, seed: randomBytes(48), sampler: { temperature: 0, repeatPenalty: 1 } })).done;
    expect(greedy.text).toBe(again.text);
    // (Greedy decoding of these fixed weights is deterministic: the penalty would change it.)
    const penalised = await (await engine.generate({ prompt: 'Once upon', maxTokens: 24, seed: randomBytes(48), sampler: { temperature: 0, repeatPenalty: 1.1, repeatLastN: 64 } })).done;
    expect(penalised.text).not.toBe(greedy.text);
  }, 60_000);

  it('loads a bitnet model too', async () => {
    const path = join(dir.path, 'bitnet.gguf');
    await tinyModel(path, 12, 'bitnet');
    await using other = new EngineClient({ workerPath: paths.engineWorker });
    await other.load(path, { threads: 1, contextSize: 128 });
    const { stats } = await (await other.generate({ prompt: 'hi', maxTokens: 4, seed: randomBytes(48) })).done;
    expect(stats.promptTokens).toBe(2);
  }, 60_000);
});

describe('thread count', () => {
  it('measured at load when none is given: each candidate count decoded, the fastest kept, and the engine runs with it', async () => {
    await using other = new EngineClient({ workerPath: paths.engineWorker });
    const info = await other.load(modelPath, { threads: 0, contextSize: 128 });
    expect(info.threadSpeeds?.map((s) => s.threads)).toEqual(threadCandidates(availableParallelism()));
    for (const { tokensPerSecond } of info.threadSpeeds!) expect(tokensPerSecond).toBeGreaterThan(0);
    expect(info.threads).toBe(fastestThreads(info.threadSpeeds!));
    const { stats } = await (await other.generate({ prompt: 'Once', maxTokens: 4, seed: randomBytes(48) })).done;
    expect(stats.tokens).toBeGreaterThan(0);
    // A thread count that is given is used as it is, with nothing measured.
    expect(await other.load(modelPath, { threads: 1, contextSize: 128 })).toMatchObject({ threads: 1, threadSpeeds: null });
  }, 60_000);

  it('kept with the model for this machine, so the next load uses it without measuring', async () => {
    const data = join(dir.path, 'threads-data');
    const services = await AppServices.create({ dataDir: data, mode: 'cli', heartbeatMs: 0, paths });
    try {
      const added = await services.inference.add(modelPath);
      expect(added.threadSpeeds).toBeNull();
      expect(services.inference.threadsFor(added)).toBe(0);
      const { model } = await services.inference.use();
      const stored = getModel(services.database.connection, String(model.id))!.threadSpeeds!;
      expect(stored).toMatchObject({ machine: machineName(), build: expect.stringMatching(/^(lightseed|prebuilt)$/) });
      expect(stored.threads).toBe(fastestThreads(stored.speeds));
      expect(services.inference.threadsFor(getModel(services.database.connection, String(model.id))!)).toBe(stored.threads);
      // Measured on another machine: measured again here.
      setThreadSpeeds(services.database.connection, model.id, { ...stored, machine: 'another processor, 64 cores' });
      expect(services.inference.threadsFor(getModel(services.database.connection, String(model.id))!)).toBe(0);
    } finally {
      await services.shutdown();
    }
  }, 60_000);
});

describe('model registry', () => {
  it('validates files before anything loads them, and records what they are', async () => {
    await using db = await Database.open({ path: join(dir.path, 'registry.db') });
    const model = await addModel(db.connection, modelPath, 1);
    expect(model).toMatchObject({ architecture: 'llama', isDefault: true, types: { TQ2_0: 14, Q8_0: 2, F32: 5 } });
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    const broken = join(dir.path, 'broken.gguf');
    writeFileSync(broken, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(40)]));
    await expect(addModel(db.connection, broken, 2)).rejects.toThrow(GgufError);
    expect(listModels(db.connection)).toHaveLength(1);
  });
});
