// Decode speed of each 1-bit format at a real model's shape, random weights made here:
// BitNet b1.58 2B4T (2560×30, 6912 feed-forward, 128k vocabulary) as TQ2_0 and as bitnet.cpp's
// I2_S converted by LightSeed, and a Qwen3 1.7B shape (2048×28, 6144, 151k vocabulary) in Q1_0
// (Bonsai) and Q2_0 (Ternary Bonsai). Each measured three ways in one run, each in a process of
// its own: LightSeed's llama.cpp build against node-llama-cpp's prebuilt binary (raw evaluation,
// the best of three runs each), our engine (our sampler, the pool's DRBG) against raw evaluation
// on the build the engine runs, and Ternary Bonsai against Bonsai on our build. Also the time
// and peak memory of converting the 2B4T-shaped I2_S file, against a plain copy of it. Real
// shapes take ~15 minutes and ~6 GB of disk: LIGHTSEED_BENCH_FULL=1; without it, the same
// families at a quarter of the width and depth.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { EngineClient } from '../electron/inference/engine-client.node';
import { convertModel } from '../electron/inference/gguf/convert-model.node';
import { readGguf } from '../electron/inference/gguf/gguf-reader.node';
import { needsLightSeedBuild, validateModel } from '../electron/inference/gguf/gguf-validate.std';
import { buildModel, type ModelShape, type WeightSource } from '../electron/inference/gguf/model-builder.node';
import { LIGHTSEED_CMAKE_OPTIONS, preferredBuild } from '../electron/inference/llama-binary.node';
import { buildPathsFrom } from '../electron/paths/build-paths.node';
import { writeBitnetCppModel } from '../test/helpers/bitnet-cpp-writer';
import { lightseedLlamaBuilt } from '../test/helpers/llama-build';
import { sfc32 } from '../test/fixtures/entropy-datasets';
import { makeTempDir } from '../test/helpers/temp-dir';

const paths = buildPathsFrom(new URL('../out/main/cli.js', import.meta.url).href);
const FULL = process.env.LIGHTSEED_BENCH_FULL === '1';
const TOKENS = 48;
const THREAD_COUNTS = [1, 2];

/** Fast random weights: a pool of ternary values copied at random offsets (memcpy speed at 2B parameters). */
function poolWeights(seed: number): WeightSource {
  const random = sfc32(seed);
  const pool = Float32Array.from({ length: 1 << 20 }, () => [-1, 0, 1][Math.floor(random() * 3)]!);
  const gaussian = Float32Array.from({ length: 1 << 20 }, () => (random() + random() + random() - 1.5) * 0.5);
  return (name, dims) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    if (name.endsWith('norm.weight')) return out.fill(1);
    const source = name === 'token_embd.weight' || name === 'output.weight' || name.endsWith('gate_inp.weight') ? gaussian : pool;
    const s = source === pool ? 1 / Math.sqrt(dims[0]!) : 1;
    for (let done = 0; done < n; done += 65536) {
      const start = Math.floor(random() * (source.length - 65536));
      const length = Math.min(65536, n - done);
      for (let i = 0; i < length; i++) out[done + i] = source[start + i]! * s;
    }
    return out;
  };
}

/** Raw node-llama-cpp decoding of `modelPath` in a process of its own: tokens/s after the first. */
function raw(modelPath: string, threads: number, build: 'lightseed' | 'prebuilt'): number {
  const options = build === 'lightseed' ? `cmakeOptions: ${JSON.stringify(LIGHTSEED_CMAKE_OPTIONS)}, usePrebuiltBinaries: false, existingPrebuiltBinaryMustMatchBuildOptions: true,` : '';
  const script = `
    import { getLlama } from 'node-llama-cpp';
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', ${options} });
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(modelPath)}, gpuLayers: 0 });
    let best = 0;
    // The best of three runs: this machine's speed wanders by a tenth from run to run.
    for (let run = 0; run < 3; run++) {
      const context = await model.createContext({ contextSize: 256, threads: ${threads} });
      const sequence = context.getSequence();
      let first = 0, count = 0;
      for await (const token of sequence.evaluate(model.tokenize('Tell me about the noise between radio stations.'), { temperature: 0 })) {
        if (!first) first = performance.now();
        if (++count === ${TOKENS}) break;
      }
      best = Math.max(best, (count - 1) / ((performance.now() - first) / 1000));
      await context.dispose();
    }
    console.log(JSON.stringify({ tokensPerSecond: best }));
  `;
  const root = join(paths.rendererDir, '../..');
  const file = join(root, 'test', 'artifacts', `raw-${process.pid}.mjs`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, script);
  try {
    const out = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
    return (JSON.parse(out.trim().split('\n').at(-1)!) as { tokensPerSecond: number }).tokensPerSecond;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Our engine: a plain completion with our sampler, the best of three runs. */
async function ours(modelPath: string, threads: number): Promise<number> {
  await using engine = new EngineClient({ workerPath: paths.engineWorker });
  await engine.load(modelPath, { threads, contextSize: 256, needsLightSeedBuild: needsLightSeedBuild(validateModel(await readGguf(modelPath), modelPath)) });
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const generation = await engine.generate({ prompt: 'Tell me about the noise between radio stations.', maxTokens: TOKENS, seed: randomBytes(48), sampler: { temperature: 0 } });
    best = Math.max(best, (await generation.done).stats.tokensPerSecond);
  }
  return best;
}

/** LightSeed's build against the prebuilt one, alternating; returns our build's tokens/s at each thread count. */
function measure(label: string, modelPath: string): number[] {
  return THREAD_COUNTS.map((threads) => {
    const lightseed = raw(modelPath, threads, 'lightseed');
    const prebuilt = raw(modelPath, threads, 'prebuilt');
    console.log(`${label}, ${threads} thread${threads > 1 ? 's' : ''}: LightSeed's llama.cpp build ${lightseed.toFixed(1)} tok/s, prebuilt ${prebuilt.toFixed(1)} tok/s, ratio ${(lightseed / prebuilt).toFixed(2)}`);
    expect(lightseed).toBeGreaterThan(0);
    return lightseed;
  });
}

/** Our engine against raw evaluation on the build the engine runs (LightSeed's, where it is built). */
async function measureOurs(label: string, modelPath: string): Promise<void> {
  const build = preferredBuild();
  for (const threads of THREAD_COUNTS) {
    const a = await ours(modelPath, threads);
    const b = raw(modelPath, threads, build);
    console.log(`${label}, ${threads} thread${threads > 1 ? 's' : ''}: ours ${a.toFixed(1)} tok/s, raw node-llama-cpp evaluation (${build === 'lightseed' ? "LightSeed's build" : 'prebuilt'}) ${b.toFixed(1)} tok/s, ratio ${(a / b).toFixed(2)}`);
  }
}

const scale = FULL ? 1 : 4;
const bitnet2b4t: ModelShape = {
  architecture: 'bitnet',
  embeddingLength: 2560 / (scale === 1 ? 1 : 2.5),
  blockCount: 30 / (scale === 1 ? 1 : 5),
  feedForwardLength: scale === 1 ? 6912 : 2304,
  headCount: scale === 1 ? 20 : 8,
  headCountKv: scale === 1 ? 5 : 2,
  contextLength: 4096,
  matrixType: 'TQ2_0',
  activation: 'relu2',
  extraTokens: (scale === 1 ? 128_256 : 32_000) - 261,
};
const qwen3: ModelShape = {
  architecture: 'qwen3',
  embeddingLength: scale === 1 ? 2048 : 512,
  blockCount: scale === 1 ? 28 : 7,
  feedForwardLength: scale === 1 ? 6144 : 1536,
  headCount: scale === 1 ? 16 : 4,
  headCountKv: scale === 1 ? 8 : 2,
  headDim: 128,
  contextLength: 4096,
  matrixType: 'Q1_0',
  extraTokens: (scale === 1 ? 151_669 : 38_000) - 261,
  tiedOutput: true,
};
const shapeName = (shape: ModelShape) => `${shape.embeddingLength}×${shape.blockCount}, ${shape.feedForwardLength}, ${((shape.extraTokens ?? 0) + 261).toLocaleString('en')} tokens`;

it.skipIf(!lightseedLlamaBuilt().ok)('1-bit formats at real shapes: our engine, LightSeed\'s llama.cpp and the prebuilt one', async () => {
  const dir = makeTempDir();
  try {
    const tq2 = join(dir.path, '2b4t-tq2_0.gguf');
    await buildModel(tq2, bitnet2b4t, poolWeights(1));
    const label2b4t = `BitNet b1.58 2B4T shape (${shapeName(bitnet2b4t)})`;
    measure(`${label2b4t} TQ2_0`, tq2);
    await measureOurs(`${label2b4t} TQ2_0`, tq2);
    rmSync(tq2);

    const i2s = join(dir.path, '2b4t-i2_s.gguf');
    const { activation: _relu2, matrixType: _tq2, ...i2sShape } = bitnet2b4t;
    await writeBitnetCppModel(i2s, { ...i2sShape, architecture: 'bitnet-25' }, poolWeights(1));
    const file = await readGguf(i2s);
    const summary = validateModel(file, i2s);
    const converted = join(dir.path, '2b4t-converted.gguf');
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = performance.now();
    await convertModel(i2s, file, summary, converted);
    const convertMs = performance.now() - started;
    clearInterval(sampler);
    const copyStarted = performance.now();
    copyFileSync(i2s, join(dir.path, 'copy.gguf'));
    const copyMs = performance.now() - copyStarted;
    rmSync(join(dir.path, 'copy.gguf'));
    const size = statSync(i2s).size;
    console.log(`${label2b4t} I2_S → TQ2_0 conversion: ours ${(convertMs / 1000).toFixed(2)} s, plain copy of the file ${(copyMs / 1000).toFixed(2)} s, ratio ${(convertMs / copyMs).toFixed(2)}`);
    console.log(
      `${label2b4t} I2_S conversion memory: peak RSS growth ${((peak - rssBefore) / 2 ** 20).toFixed(0)} MiB for a ${(size / 2 ** 20).toFixed(0)} MiB file, ratio ${((peak - rssBefore) / size).toFixed(3)}`,
    );
    rmSync(i2s);
    measure(`${label2b4t} converted from I2_S`, converted);
    await measureOurs(`${label2b4t} converted from I2_S`, converted);
    rmSync(converted);

    // Bonsai's and Ternary Bonsai's files keep their (tied) embeddings in the matrices' type:
    // Ternary Bonsai 1.7B is about 490 MB, which 8-bit embeddings would make 730.
    const speeds: Record<string, number[]> = {};
    for (const matrixType of ['Q1_0', 'Q2_0'] as const) {
      const path = join(dir.path, `qwen3-${matrixType}.gguf`);
      await buildModel(path, { ...qwen3, matrixType, embeddingType: matrixType }, poolWeights(2));
      const label = `Qwen3 1.7B shape (${shapeName(qwen3)}) ${matrixType}`;
      speeds[matrixType] = measure(label, path);
      await measureOurs(label, path);
      rmSync(path);
    }
    THREAD_COUNTS.forEach((threads, i) => {
      const [q1, q2] = [speeds.Q1_0![i]!, speeds.Q2_0![i]!];
      console.log(`Qwen3 1.7B shape, ${threads} thread${threads > 1 ? 's' : ''}: Ternary Bonsai (Q2_0) ${q2.toFixed(1)} tok/s, Bonsai (Q1_0) ${q1.toFixed(1)} tok/s on LightSeed's build, ratio ${(q2 / q1).toFixed(2)}`);
    });
  } finally {
    dir.remove();
  }
}, 3_600_000);
