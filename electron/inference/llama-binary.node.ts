// Which llama.cpp the engine runs: LightSeed's own build from node-llama-cpp's bundled source
// (scripts/build-llama.js, run by npm install), with the patches in llama-patch/ and built for
// the machine it runs on, for every model; node-llama-cpp's prebuilt binary only where that
// build is missing (no cmake or compiler at install time), which the Models view says. Ours is
// the only one that reads bitnet.hidden_activation (BitNet b1.58 2B4T's ReLU²) and has an x86
// kernel for Q2_0 (Ternary Bonsai, 13× the bundled scalar one), and `npm run bench` measures it
// at least as fast as the prebuilt on every format: built as the prebuilt is (ggml's own thread
// pool, not OpenMP; generic instruction scheduling), with this CPU's instruction set.
// Whether a binary honours the activation is measured, not assumed: two tiny bitnet models that
// differ only in that key must answer differently.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type Llama, type Token } from 'node-llama-cpp';
import llamaPatch from './llama-patch/llama-patch.json';
import { unrunnableBuild } from './cpu-features.node';
import { buildModel, type ModelShape } from './gguf/model-builder.node';

export type LlamaBuild = 'lightseed' | 'prebuilt';

export interface LoadedLlama {
  llama: Llama;
  build: LlamaBuild;
}

/** The cmake options that name LightSeed's build folder (node-llama-cpp hashes them into its name). */
export const LIGHTSEED_CMAKE_OPTIONS: Readonly<Record<string, string>> = llamaPatch.cmakeOptions;

let firstError: string | undefined;

/** llama.cpp's reason for the last refusal (the first error it logged since the last call), cleared when read. */
export function takeLlamaError(): string | undefined {
  const error = firstError;
  firstError = undefined;
  return error;
}

function logger(level: LlamaLogLevel, message: string): void {
  if (level !== LlamaLogLevel.error && level !== LlamaLogLevel.fatal) return;
  // "llama_model_load: error loading model: error loading model hyperparameters: key not found in model: X" → the last clause.
  const reason = message
    .trim()
    .split(/: (?:error loading model(?: \w+)?: )+/)
    .at(-1)
    ?.replace(/^\w+: /, '')
    .replace(/\s+/g, ' ');
  firstError ??= reason;
}

/**
 * The build everything runs on: LightSeed's, or the prebuilt one where `LIGHTSEED_LLAMA=prebuilt`
 * (tests prove a ReLU² model is then refused, and the bench compares the two).
 */
export function preferredBuild(env: NodeJS.ProcessEnv = process.env): LlamaBuild {
  return env.LIGHTSEED_LLAMA === 'prebuilt' ? 'prebuilt' : 'lightseed';
}

const loaded = new Map<LlamaBuild, Promise<LoadedLlama>>();

/** The binding for `build`, loaded once per process; LightSeed's falls back to the prebuilt one where it was not built. */
export function llamaBuild(build: LlamaBuild): Promise<LoadedLlama> {
  let llama = loaded.get(build);
  if (!llama) loaded.set(build, (llama = loadLlama(build)));
  return llama;
}

/**
 * node-llama-cpp 3.22.1's controlledEvaluate, which the engine calls once per token, makes a native
 * sampler for every call, and each allocates a candidates array the size of the vocabulary (1.8 MB
 * at 151k tokens): 4.8 ms a token on this machine, a tenth of a 1.7B model's decoding step. The
 * last model's samplers are kept when node-llama-cpp disposes of them and handed out again.
 * applyConfig resets everything a call sets (node-llama-cpp's own evaluate reuses one sampler the
 * same way), and the engine draws tokens itself from the logits a call returns, so a reused
 * sampler cannot change what is drawn. (Internal fields: checked against this version only.)
 */
function reuseSamplers(llama: Llama): void {
  const bindings = (llama as unknown as { _bindings?: { AddonSampler?: new (model: object) => { dispose(): void } } })._bindings;
  const Sampler = bindings?.AddonSampler;
  if (!bindings || typeof Sampler !== 'function') return;
  const dispose = Sampler.prototype.dispose;
  let pool: { model: object; samplers: InstanceType<typeof Sampler>[] } | undefined;
  bindings.AddonSampler = new Proxy(Sampler, {
    construct(target, args: [object]) {
      if (pool?.model !== args[0]) {
        // Another model: the kept samplers (and the reference each holds on its model) go.
        for (const old of pool?.samplers ?? []) dispose.call(old);
        pool = { model: args[0], samplers: [] };
      }
      const kept = pool;
      const sampler = kept.samplers.pop() ?? new target(...args);
      Object.defineProperty(sampler, 'dispose', { configurable: true, value: () => (kept === pool ? kept.samplers.push(sampler) : dispose.call(sampler)) });
      return sampler;
    },
  });
}

async function loadLlama(prefer: LlamaBuild): Promise<LoadedLlama> {
  const loaded = await loadEitherLlama(prefer);
  reuseSamplers(loaded.llama);
  return loaded;
}

async function loadEitherLlama(prefer: LlamaBuild): Promise<LoadedLlama> {
  const common = { gpu: false, build: 'never', logLevel: LlamaLogLevel.error, logger, progressLogs: false } as const;
  if (prefer === 'lightseed') {
    const unrunnable = unrunnableBuild(LIGHTSEED_CMAKE_OPTIONS);
    if (unrunnable) {
      console.warn(`${unrunnable}: the prebuilt llama.cpp runs instead (npm run build:llama builds one for this machine).`);
      return { llama: await getLlama(common), build: 'prebuilt' };
    }
    try {
      const llama = await getLlama({ ...common, cmakeOptions: { ...LIGHTSEED_CMAKE_OPTIONS }, usePrebuiltBinaries: false, existingPrebuiltBinaryMustMatchBuildOptions: true });
      return { llama, build: 'lightseed' };
    } catch {
      // Not built here (no cmake, or the install skipped it): the prebuilt binary below.
    }
  }
  return { llama: await getLlama(common), build: 'prebuilt' };
}

const probes = new WeakMap<Llama, Promise<boolean>>();

/** Whether `llama` runs bitnet's feed-forward with the activation the file names. Measured once per binary. */
export function honoursActivation(llama: Llama): Promise<boolean> {
  let probe = probes.get(llama);
  if (!probe) probes.set(llama, (probe = probeActivation(llama)));
  return probe;
}

async function probeActivation(llama: Llama): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'lightseed-probe-'));
  try {
    const shape: ModelShape = { architecture: 'bitnet', embeddingLength: 256, blockCount: 1, feedForwardLength: 256, headCount: 2, contextLength: 16, matrixType: 'TQ2_0' };
    // Pseudo-random ternary weights (xorshift32), the same for both files: the gates vary in sign
    // and size, so SiLU and ReLU² differ.
    const weights = () => {
      let state = 0x9e3779b9;
      const next = () => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) % 3;
      };
      return (name: string, dims: number[]) => {
        const n = dims.reduce((a, b) => a * b, 1);
        if (name.endsWith('norm.weight')) return new Float32Array(n).fill(1);
        const s = name === 'token_embd.weight' ? 0.5 : 1 / Math.sqrt(dims[0]!);
        return Float32Array.from({ length: n }, () => [-s, 0, s][next()]!);
      };
    };
    const logits: number[][] = [];
    for (const activation of ['silu', 'relu2'] as const) {
      const path = join(dir, `${activation}.gguf`);
      await buildModel(path, { ...shape, activation }, weights());
      const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
      try {
        const context = await model.createContext({ contextSize: 16, threads: 1 });
        const [result] = await context.getSequence().controlledEvaluate([[70 as Token, { generateNext: { logits: true } }]]);
        logits.push([...(result?.next?.logits?.values() ?? [])]);
        await context.dispose();
      } finally {
        await model.dispose();
      }
    }
    const [silu, relu2] = logits as [number[], number[]];
    return silu.length > 0 && silu.some((value, i) => Math.abs(value - relu2[i]!) > 1e-3);
  } catch (error) {
    if (process.env.LIGHTSEED_DEBUG_PROBE) console.error(error);
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
