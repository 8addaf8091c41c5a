// Tokens/s and time to first token of our pipeline (engine process, our sampler with
// DRBG randomness, a LoRA adapter attached) against plain node-llama-cpp
// LlamaChatSession on the same model, prompt, thread count and token budget, each in a
// process of its own so peak RSS compares too. Weights are random ternary, made here.
// LIGHTSEED_BENCH_FULL=1 adds a model with BitNet b1.58 2B4T's shape (2560 wide, 30
// layers, 6912 feed-forward, 128k vocabulary) in TQ2_0: several minutes and ~1 GB.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { adapterShapeOf } from '../electron/agents/adapter-shape.node';
import { materialiseAdapter } from '../electron/agents/adapter.node';
import { adapterRank, traitsFromChain } from '../electron/agents/traits.node';
import { EngineHost } from '../electron/inference/engine-host.node';
import { writeLoraAdapter } from '../electron/inference/gguf/lora-writer.node';
import { buildModel, type ModelShape } from '../electron/inference/gguf/model-builder.node';
import { buildPathsFrom } from '../electron/paths/build-paths.node';
import { sfc32 } from '../test/fixtures/entropy-datasets';
import { makeTempDir } from '../test/helpers/temp-dir';

const paths = buildPathsFrom(new URL('../out/main/cli.js', import.meta.url).href);
const PROMPT = 'Tell me about the noise between radio stations.';
const MAX_TOKENS = 64;
const THREADS = 1;

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

/** Plain node-llama-cpp in its own process: LlamaChatSession with llama.cpp's own sampling. */
function reference(modelPath: string, contextSize = 512): { ttftMs: number; tokensPerSecond: number; tokens: number; peakRss: number } {
  const script = `
    import { getLlama, LlamaChatSession } from 'node-llama-cpp';
    import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(modelPath)}, gpuLayers: 0 });
    const context = await model.createContext({ contextSize: ${contextSize}, threads: ${THREADS} });
    const session = new LlamaChatSession({ contextSequence: context.getSequence() });
    const started = performance.now();
    let first = 0, tokens = 0;
    await session.prompt(${JSON.stringify(PROMPT)}, { maxTokens: ${MAX_TOKENS}, temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05,
      onToken(chunk) { if (!first) first = performance.now(); tokens += chunk.length; } });
    const end = performance.now();
    const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    console.log(JSON.stringify({ ttftMs: first - started, tokensPerSecond: tokens > 1 ? (tokens - 1) / ((end - first) / 1000) : 0, tokens, peakRss: hwm }));
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
  return JSON.parse(out.trim().split('\n').at(-1)!) as ReturnType<typeof reference>;
}

async function ours(modelPath: string, adapterPath: string, contextSize = 512) {
  const engine = new EngineHost({ workerPath: paths.engineWorker });
  try {
    await engine.load(modelPath, { threads: THREADS, contextSize });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const generation = await engine.generate({ messages: [{ role: 'user', content: PROMPT }], maxTokens: MAX_TOKENS, seed: randomBytes(48), adapters: [{ path: adapterPath, scale: 0.5 }] });
      runs.push((await generation.done).stats);
    }
    const best = runs.sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0]!;
    return { ttftMs: Math.min(...runs.map((r) => r.timeToFirstTokenMs)), tokensPerSecond: best.tokensPerSecond, tokens: best.tokens, peakRss: peakRss(engine.pid!) };
  } finally {
    await engine.dispose();
  }
}

function report(label: string, a: Awaited<ReturnType<typeof ours>>, b: ReturnType<typeof reference>): void {
  console.log(`${label} tokens/s: ours ${a.tokensPerSecond.toFixed(1)}, reference LlamaChatSession ${b.tokensPerSecond.toFixed(1)}, ratio ${(a.tokensPerSecond / b.tokensPerSecond).toFixed(2)}`);
  console.log(`${label} time to first token: ours ${a.ttftMs.toFixed(0)} ms, reference ${b.ttftMs.toFixed(0)} ms, ratio ${(b.ttftMs / a.ttftMs).toFixed(2)} (above 1: ours sooner)`);
  console.log(`${label} peak RSS: ours ${(a.peakRss / 2 ** 20).toFixed(0)} MiB, reference ${(b.peakRss / 2 ** 20).toFixed(0)} MiB, ratio ${(a.peakRss / b.peakRss).toFixed(2)}`);
  expect(a.tokens).toBeGreaterThan(0);
}

/** The embedded default model, with an agent's own adapter materialised from a seed as the app does. */
async function compareEmbedded(): Promise<void> {
  const dir = makeTempDir();
  try {
    const model = paths.embeddedModel;
    const shape = await adapterShapeOf(model);
    const chain = Uint8Array.from(createHash('sha256').update('bench agent').digest());
    const traits = traitsFromChain(chain);
    const { path } = await materialiseAdapter({ chain, traits, rank: adapterRank(chain), shape, cacheDir: dir.path });
    report('embedded default model (LightSeed Companion, 3.75M)', await ours(model, path, 256), reference(model, 256));
  } finally {
    dir.remove();
  }
}

async function compare(label: string, shape: ModelShape): Promise<void> {
  const dir = makeTempDir();
  try {
    const started = performance.now();
    const modelPath = join(dir.path, 'model.gguf');
    await buildModel(modelPath, shape, randomWeights(1));
    const adapterPath = join(dir.path, 'voice.gguf');
    const random = sfc32(2);
    const rank = 4;
    await writeLoraAdapter(adapterPath, {
      architecture: shape.architecture,
      rank,
      alpha: rank,
      targets: Array.from({ length: shape.blockCount }, (_, b) => ({
        tensor: `blk.${b}.attn_q.weight`,
        inputs: shape.embeddingLength,
        outputs: shape.embeddingLength,
        a: Float32Array.from({ length: shape.embeddingLength * rank }, () => (random() - 0.5) * 0.02),
        b: Float32Array.from({ length: rank * shape.embeddingLength }, () => (random() - 0.5) * 0.02),
      })),
    });
    console.log(`${label}: model written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    report(label, await ours(modelPath, adapterPath), reference(modelPath));
  } finally {
    dir.remove();
  }
}

it('inference against plain node-llama-cpp', async () => {
  await compareEmbedded();
  await compare('small ternary model (1024×8, TQ2_0)', {
    architecture: 'llama',
    embeddingLength: 1024,
    blockCount: 8,
    feedForwardLength: 2816,
    headCount: 8,
    contextLength: 512,
    matrixType: 'TQ2_0',
  });
  if (process.env.LIGHTSEED_BENCH_FULL === '1') {
    await compare('BitNet b1.58 2B4T shape (2560×30, TQ2_0)', {
      architecture: 'bitnet',
      embeddingLength: 2560,
      blockCount: 30,
      feedForwardLength: 6912,
      headCount: 20,
      headCountKv: 5,
      contextLength: 512,
      matrixType: 'TQ2_0',
      extraTokens: 128_256 - 261,
    });
  } else {
    console.log('BitNet b1.58 2B4T shape: skipped (LIGHTSEED_BENCH_FULL=1 runs it; several minutes, about 1 GB)');
  }
}, 1_800_000);
