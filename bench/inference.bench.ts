// Tokens/s and time to first token of our pipeline as an agent's turn runs it (engine process,
// our sampler with DRBG randomness, the agent's own LoRA adapter and a noise adapter attached,
// its voice's token bias) against plain node-llama-cpp on the same model, prompt and thread
// count: raw `sequence.evaluate` (llama.cpp's own greedy sampling, the floor of what any
// pipeline costs) and LlamaChatSession, each in a process of its own so peak RSS compares too.
// Weights are random ternary, made here. LIGHTSEED_BENCH_FULL=1 adds a model with BitNet b1.58
// 2B4T's shape (2560 wide, 30 layers, 6912 feed-forward, 128k vocabulary, ReLU²) in TQ2_0 at 1
// and 2 threads: several minutes and ~1 GB (LIGHTSEED_BENCH_MODEL_DIR keeps it between runs).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { adapterShapeOf } from '../electron/agents/adapter-shape.node';
import { materialiseAdapter, noiseAdapterPath, voiceTokenBias } from '../electron/agents/adapter.node';
import { samplingProfile } from '../electron/agents/profile.std';
import { adapterRank, traitsFromChain } from '../electron/agents/traits.node';
import { EngineClient } from '../electron/inference/engine-client.node';
import { readGguf } from '../electron/inference/gguf/gguf-reader.node';
import { needsLightSeedBuild, validateModel } from '../electron/inference/gguf/gguf-validate.std';
import { buildModel, type ModelShape } from '../electron/inference/gguf/model-builder.node';
import { LIGHTSEED_CMAKE_OPTIONS, preferredBuild } from '../electron/inference/llama-binary.node';
import { buildPathsFrom } from '../electron/paths/build-paths.node';
import { sfc32 } from '../test/fixtures/entropy-datasets';
import { makeTempDir } from '../test/helpers/temp-dir';

const paths = buildPathsFrom(new URL('../out/main/cli.js', import.meta.url).href);
const PROMPT = 'Tell me about the noise between radio stations.';
const MAX_TOKENS = 64;

function randomWeights(seed: number) {
  const random = sfc32(seed);
  return (name: string, dims: number[]) => {
    const n = dims.reduce((a, b) => a * b, 1);
    if (name.endsWith('norm.weight')) return new Float32Array(n).fill(1);
    const out = new Float32Array(n);
    if (name === 'token_embd.weight' || name === 'output.weight') {
      for (let i = 0; i < n; i++) out[i] = random() - 0.5;
    } else {
      const s = 1 / Math.sqrt(dims[0]!);
      for (let i = 0; i < n; i++) {
        const r = random();
        out[i] = r < 1 / 3 ? -s : r < 2 / 3 ? 0 : s;
      }
    }
    return out;
  };
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

interface Measured {
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
  peakRss: number;
}

/** Plain node-llama-cpp in its own process: raw evaluation (greedy, in llama.cpp) or LlamaChatSession with llama.cpp's own sampling. */
function reference(kind: 'raw' | 'session', modelPath: string, threads: number, contextSize: number, build: 'lightseed' | 'prebuilt'): Measured {
  const options = build === 'lightseed' ? `cmakeOptions: ${JSON.stringify(LIGHTSEED_CMAKE_OPTIONS)}, usePrebuiltBinaries: false, existingPrebuiltBinaryMustMatchBuildOptions: true` : '';
  const run =
    kind === 'raw'
      ? `const sequence = context.getSequence();
    const input = model.tokenize(${JSON.stringify(PROMPT)});
    const started = performance.now();
    let first = 0, tokens = 0;
    for await (const token of sequence.evaluate(input, { temperature: 0 })) {
      if (!first) first = performance.now();
      if (++tokens === ${MAX_TOKENS}) break;
    }`
      : `const session = new LlamaChatSession({ contextSequence: context.getSequence() });
    const started = performance.now();
    let first = 0, tokens = 0;
    await session.prompt(${JSON.stringify(PROMPT)}, { maxTokens: ${MAX_TOKENS}, temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05,
      onToken(chunk) { if (!first) first = performance.now(); tokens += chunk.length; } });`;
  const script = `
    import { getLlama, LlamaChatSession } from 'node-llama-cpp';
    import { readFileSync } from 'node:fs';
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', ${options} });
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(modelPath)}, gpuLayers: 0 });
    const results = [];
    for (let i = 0; i < 2; i++) {
      const context = await model.createContext({ contextSize: ${contextSize}, threads: ${threads} });
      ${run}
      const end = performance.now();
      results.push({ ttftMs: first - started, tokensPerSecond: tokens > 1 ? (tokens - 1) / ((end - first) / 1000) : 0, tokens });
      await context.dispose();
    }
    const best = results.sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0];
    const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    console.log(JSON.stringify({ ...best, ttftMs: Math.min(...results.map((r) => r.ttftMs)), peakRss: hwm }));
  `;
  // A file inside the checkout (so `node-llama-cpp` resolves), not `-e`: node-llama-cpp re-runs
  // node with the parent's flags to test its binary, and `--input-type` breaks that.
  const root = join(paths.rendererDir, '../..');
  const file = join(root, 'test', 'artifacts', `reference-${process.pid}.mjs`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, script);
  let out: string;
  try {
    out = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  } finally {
    rmSync(file, { force: true });
  }
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

/** An agent's turn as the app runs it: its adapter and a noise adapter, its sampler settings and voice bias, best of three. */
async function ours(modelPath: string, threads: number, contextSize = 512): Promise<Measured> {
  const shape = await adapterShapeOf(modelPath);
  const chain = Uint8Array.from(createHash('sha256').update('bench agent').digest());
  const traits = traitsFromChain(chain);
  const dir = makeTempDir();
  const engine = new EngineClient({ workerPath: paths.engineWorker });
  try {
    const { path } = await materialiseAdapter({ chain, traits, rank: adapterRank(chain), shape, cacheDir: dir.path });
    const profile = samplingProfile(traits);
    const noise = await noiseAdapterPath(1, shape, dir.path);
    await engine.load(modelPath, { threads, contextSize, needsLightSeedBuild: needsLightSeedBuild(validateModel(await readGguf(modelPath), modelPath)) });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const generation = await engine.generate({
        messages: [{ role: 'user', content: PROMPT }],
        maxTokens: MAX_TOKENS,
        seed: randomBytes(48),
        sampler: { ...profile, tokenBias: voiceTokenBias(chain.subarray(0, 32), shape, traits) },
        adapters: [
          { path, scale: profile.adapterScale },
          { path: noise, scale: profile.noiseScale * (i % 2 ? 0.5 : -0.5) },
        ],
      });
      runs.push((await generation.done).stats);
    }
    const best = runs.sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0]!;
    return { ttftMs: Math.min(...runs.map((r) => r.timeToFirstTokenMs)), tokensPerSecond: best.tokensPerSecond, tokens: best.tokens, peakRss: peakRss(engine.pid!) };
  } finally {
    await engine.dispose();
    dir.remove();
  }
}

/** Both references run on the llama.cpp build the engine runs (LightSeed's, where it is built). */
async function compareAt(label: string, modelPath: string, threadCounts: number[], contextSize = 512): Promise<void> {
  const build = preferredBuild();
  for (const threads of threadCounts) {
    const at = `${label}, ${threads} thread${threads > 1 ? 's' : ''}`;
    const a = await ours(modelPath, threads, contextSize);
    const raw = reference('raw', modelPath, threads, contextSize, build);
    const session = reference('session', modelPath, threads, contextSize, build);
    console.log(`${at} tokens/s: ours ${a.tokensPerSecond.toFixed(1)} (adapter, noise, voice bias), raw evaluation ${raw.tokensPerSecond.toFixed(1)}, ratio ${(a.tokensPerSecond / raw.tokensPerSecond).toFixed(2)}; LlamaChatSession ${session.tokensPerSecond.toFixed(1)}, ratio ${(a.tokensPerSecond / session.tokensPerSecond).toFixed(2)}`);
    console.log(`${at} time to first token: ours ${a.ttftMs.toFixed(0)} ms, LlamaChatSession ${session.ttftMs.toFixed(0)} ms, ratio ${(session.ttftMs / a.ttftMs).toFixed(2)} (above 1: ours sooner)`);
    console.log(`${at} peak RSS: ours ${(a.peakRss / 2 ** 20).toFixed(0)} MiB, LlamaChatSession ${(session.peakRss / 2 ** 20).toFixed(0)} MiB, ratio ${(a.peakRss / session.peakRss).toFixed(2)}`);
    expect(a.tokens).toBeGreaterThan(0);
  }
}

/** A model of `shape` with random ternary weights, kept in LIGHTSEED_BENCH_MODEL_DIR when set. */
async function modelOf(label: string, shape: ModelShape, dir: string): Promise<string> {
  const keep = process.env.LIGHTSEED_BENCH_MODEL_DIR;
  const modelPath = join(keep ?? dir, `bench-${createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 12)}.gguf`);
  if (keep && existsSync(modelPath)) return modelPath;
  const started = performance.now();
  await buildModel(modelPath, shape, randomWeights(1));
  console.log(`${label}: model written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return modelPath;
}

async function compare(label: string, shape: ModelShape, threadCounts: number[]): Promise<void> {
  const dir = makeTempDir();
  try {
    await compareAt(label, await modelOf(label, shape, dir.path), threadCounts, 512);
  } finally {
    dir.remove();
  }
}

it('inference against plain node-llama-cpp', async () => {
  await compareAt('embedded default model (LightSeed Companion, 3.75M)', paths.embeddedModel, [1], 256);
  const small: ModelShape = { architecture: 'llama', embeddingLength: 1024, blockCount: 8, feedForwardLength: 2816, headCount: 8, contextLength: 512, matrixType: 'TQ2_0' };
  await compare('small ternary model (1024×8, TQ2_0)', small, [1]);
  if (process.env.LIGHTSEED_BENCH_FULL === '1') {
    const bitnet2b4t: ModelShape = {
      architecture: 'bitnet',
      embeddingLength: 2560,
      blockCount: 30,
      feedForwardLength: 6912,
      headCount: 20,
      headCountKv: 5,
      contextLength: 512,
      matrixType: 'TQ2_0',
      activation: 'relu2',
      extraTokens: 128_256 - 261,
    };
    await compare('BitNet b1.58 2B4T shape (2560×30, 128k vocabulary, TQ2_0, ReLU²)', bitnet2b4t, [1, 2]);
  } else {
    console.log('BitNet b1.58 2B4T shape: skipped (LIGHTSEED_BENCH_FULL=1 runs it; several minutes, about 1 GB)');
  }
}, 1_800_000);
