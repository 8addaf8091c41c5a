// GGUF in TypeScript: our encoders, writer, reader and validator, proved against
// llama.cpp itself (node-llama-cpp): it loads our files and computes the logits our
// dequantised reference computes.
import { readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, type Llama, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16 } from '../../electron/inference/gguf/fp16.std';
import { GgufError, GgufValueType, type GgufFile, type GgufValue } from '../../electron/inference/gguf/gguf-format.std';
import { readGguf } from '../../electron/inference/gguf/gguf-reader.node';
import { validateModel } from '../../electron/inference/gguf/gguf-validate.std';
import { BYTE_TOKEN_OFFSET, buildModel, type ModelShape } from '../../electron/inference/gguf/model-builder.node';
import { decodeQ1_0, decodeQ2_0, decodeQ8_0, decodeTQ1_0, decodeTQ2_0, decodeTensorData, encodeQ1_0, encodeQ2_0, encodeQ8_0, encodeTQ1_0, encodeTQ2_0 } from '../../electron/inference/gguf/quantize.std';
import { ggmlType } from '../../electron/inference/gguf/ggml-types.std';
import { tensorDataBytes } from '../../electron/inference/gguf/gguf-layout.std';
import { sfc32 } from '../fixtures/entropy-datasets';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let llama: Llama;

beforeAll(async () => {
  dir = makeTempDir();
  llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
});
afterAll(async () => {
  await llama?.dispose();
  dir.remove();
});

/** Deterministic weights: ternary {−s, 0, +s} for linear layers, Gaussian-ish for embeddings, ones for norms. */
function weightsFor(seed: number) {
  const random = sfc32(seed);
  const store = new Map<string, Float32Array>();
  const source = (name: string, dims: number[]) => {
    const n = dims.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (name.endsWith('norm.weight')) values = new Float32Array(n).fill(1);
    else if (name === 'token_embd.weight' || name === 'output.weight') values = Float32Array.from({ length: n }, () => (random() + random() + random() - 1.5) * 0.5);
    else {
      const scale = 0.6 / Math.sqrt(dims[0]!);
      values = Float32Array.from({ length: n }, () => {
        const r = random();
        return r < 1 / 3 ? -scale : r < 2 / 3 ? 0 : scale;
      });
    }
    store.set(name, values);
    return values;
  };
  return { source, store };
}

const shape = (matrixType: 'TQ2_0' | 'TQ1_0' | 'Q1_0' | 'Q2_0', architecture: 'llama' | 'bitnet' = 'llama'): ModelShape => ({
  architecture,
  embeddingLength: 256,
  blockCount: 1,
  feedForwardLength: 512,
  headCount: 4,
  headCountKv: 2,
  contextLength: 256,
  matrixType,
});

describe('encoders', () => {
  it('convert to half precision like ggml (round to nearest even)', () => {
    expect([1, -2, 65504, 0.1, 1e-8, 70000, 2 ** -24, 1 + 2 ** -11].map(f32ToF16)).toEqual([0x3c00, 0xc000, 0x7bff, 0x2e66, 0, 0x7c00, 1, 0x3c00]);
    expect(f16ToF32(0x2e66)).toBeCloseTo(0.0999755859375, 12);
  });

  it('store ternary weights exactly in TQ2_0 (66 bytes a block) and TQ1_0 (54 bytes a block)', () => {
    const random = sfc32(3);
    const x = Float32Array.from({ length: 1024 }, () => [-0.25, 0, 0.25][Math.floor(random() * 3)]!);
    const tq2 = encodeTQ2_0(x);
    const tq1 = encodeTQ1_0(x);
    expect(tq2.length).toBe(4 * 66);
    expect(tq1.length).toBe(4 * 54);
    expect(decodeTQ2_0(tq2)).toEqual(x);
    expect(decodeTQ1_0(tq1)).toEqual(x);
  });

  it('store 1-bit weights as signs in Q1_0 (18 bytes per 128) and ternary weights exactly in Q2_0 (18 bytes per 64)', () => {
    const random = sfc32(4);
    const signs = Float32Array.from({ length: 256 }, () => (random() < 0.5 ? -0.125 : 0.125));
    const q1 = encodeQ1_0(signs);
    expect(q1.length).toBe(2 * 18);
    // d is the mean |x|, bit j of byte j / 8 set for x ≥ 0.
    expect(f16ToF32(q1[0]! | (q1[1]! << 8))).toBe(0.125);
    expect(q1[2]! & 1).toBe(signs[0]! >= 0 ? 1 : 0);
    expect(decodeQ1_0(q1)).toEqual(signs);
    const trits = Float32Array.from({ length: 256 }, () => [-0.5, 0, 0.5][Math.floor(random() * 3)]!);
    const q2 = encodeQ2_0(trits);
    expect(q2.length).toBe(4 * 18);
    expect(decodeQ2_0(q2)).toEqual(trits);
  });

  it('write Q8_0 blocks as fp16 amax/127 followed by 32 rounded int8', () => {
    const x = Float32Array.from({ length: 32 }, (_, i) => (i - 16) / 4);
    const q = encodeQ8_0(x);
    expect(q.length).toBe(34);
    const d = f16ToF32(q[0]! | (q[1]! << 8));
    expect(d).toBeCloseTo(4 / 127, 4);
    expect(new Int8Array(q.buffer, 2, 32)[0]).toBe(-127);
    const back = decodeQ8_0(q);
    for (let i = 0; i < 32; i++) expect(Math.abs(back[i]! - x[i]!)).toBeLessThan(d);
  });
});

describe('reader and validator', () => {
  it('read back what the writer wrote, and summarise the model', async () => {
    const path = join(dir.path, 'tiny.gguf');
    await buildModel(path, shape('TQ2_0'), weightsFor(1).source);
    const file = await readGguf(path);
    expect(file.version).toBe(3);
    expect(file.metadata.get('general.architecture')).toEqual({ type: GgufValueType.STRING, value: 'llama' });
    const summary = validateModel(file, path);
    expect(summary).toMatchObject({ architecture: 'llama', embeddingLength: 256, blockCount: 1, vocabularySize: 261, headCountKv: 2, types: { Q8_0: 2, TQ2_0: 7, F32: 3 } });
    expect(summary.chatTemplate).toContain('<|im_start|>');
    expect(summary.warnings).toEqual([]);
  });

  it('name what is wrong with truncated, corrupt, incomplete and foreign files', async () => {
    const good = join(dir.path, 'good.gguf');
    await buildModel(good, shape('TQ1_0'), weightsFor(2).source);
    const bytes = readFileSync(good);
    const variant = (name: string, data: Buffer) => {
      const path = join(dir.path, name);
      writeFileSync(path, data);
      return path;
    };
    const check = async (path: string) => {
      const error = await readGguf(path).then((f) => validateModel(f, path)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GgufError);
      return (error as Error).message;
    };
    const truncated = variant('truncated.gguf', bytes);
    truncateSync(truncated, bytes.length - 1000);
    expect(await check(truncated)).toMatch(/runs past the end of the file.*truncated/);
    expect(await check(variant('header.gguf', bytes.subarray(0, 300)))).toMatch(/truncated/);
    expect(await check(variant('not.gguf', Buffer.from('PK\x03\x04 this is a zip file, not a model at all')))).toMatch(/not a GGUF model file/);
    const renamed = Buffer.from(bytes);
    renamed.write('llama.block_xount', bytes.indexOf('llama.block_count'));
    expect(await check(variant('missing-key.gguf', renamed))).toMatch(/llama\.block_count is missing/);
    const file = await readGguf(good);
    const withType = (type: number): GgufFile => ({ ...file, tensors: file.tensors.map((t) => (t.name === 'blk.0.attn_q.weight' ? { ...t, type } : t)) });
    // I2_S data is a quarter of a byte a weight: a TQ1_0 tensor relabelled as I2_S no longer fits its place.
    expect(() => validateModel(withType(36), 'model.gguf')).toThrow(/starts at offset \d+ where \d+ was expected/);
    expect(() => validateModel(withType(38), 'model.gguf')).toThrow(/bitnet\.cpp's TL1 layout.*get the model's I2_S GGUF instead/);
    expect(() => validateModel(withType(99), 'model.gguf')).toThrow(/unknown type 99/);
    const foreign = { ...file, metadata: new Map(file.metadata).set('general.architecture', { type: GgufValueType.STRING, value: 'not-a-model' }) } as GgufFile;
    expect(() => validateModel(foreign, 'other.gguf')).toThrow(/"not-a-model" model, an architecture the bundled llama\.cpp does not implement/);
  });

  it("recognises BitNet b1.58 2B4T's shape without its activation, and asks for a copy that records ReLU²", () => {
    const metadata = new Map<string, GgufValue>([
      ['general.architecture', { type: GgufValueType.STRING, value: 'bitnet' }],
      ['bitnet.embedding_length', { type: GgufValueType.UINT32, value: 2560 }],
      ['bitnet.block_count', { type: GgufValueType.UINT32, value: 30 }],
      ['bitnet.feed_forward_length', { type: GgufValueType.UINT32, value: 6912 }],
      ['bitnet.attention.head_count', { type: GgufValueType.UINT32, value: 20 }],
      ['bitnet.attention.head_count_kv', { type: GgufValueType.UINT32, value: 5 }],
      ['bitnet.context_length', { type: GgufValueType.UINT32, value: 4096 }],
      ['bitnet.attention.layer_norm_rms_epsilon', { type: GgufValueType.FLOAT32, value: 1e-5 }],
      ['tokenizer.ggml.model', { type: GgufValueType.STRING, value: 'gpt2' }],
      ['tokenizer.ggml.tokens', { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: new Array(128256).fill('x') }],
    ]);
    // Tensor infos only: the shapes the bitnet graph expects, laid out back to back.
    const dims = new Map<string, number[]>([['token_embd.weight', [2560, 128256]], ['output_norm.weight', [2560]]]);
    for (let i = 0; i < 30; i++) {
      for (const [n, d] of [['attn_norm', [2560]], ['attn_sub_norm', [2560]], ['ffn_norm', [2560]], ['ffn_sub_norm', [6912]]] as const) dims.set(`blk.${i}.${n}.weight`, [...d]);
      for (const [n, d] of [['attn_q', [2560, 2560]], ['attn_k', [2560, 640]], ['attn_v', [2560, 640]], ['attn_output', [2560, 2560]], ['ffn_gate', [2560, 6912]], ['ffn_up', [2560, 6912]], ['ffn_down', [6912, 2560]]] as const) dims.set(`blk.${i}.${n}.weight`, [...d]);
    }
    let offset = 0;
    const tensors = [...dims].map(([name, d]) => {
      const ternary = d.length === 2 && name !== 'token_embd.weight';
      const type = ternary ? 35 : name === 'token_embd.weight' ? 8 : 0;
      const bytes = ternary ? (d[0]! * d[1]!) / 256 * 66 : type === 8 ? (d[0]! * d[1]!) / 32 * 34 : d.reduce((a, b) => a * b, 1) * 4;
      const info = { name, dims: d, type, offset };
      offset = Math.ceil((offset + bytes) / 32) * 32;
      return info;
    });
    const summary = validateModel({ version: 3, metadata: metadata as GgufFile['metadata'], tensors, alignment: 32, dataOffset: 4096, fileSize: 4096 + offset }, 'ggml-model-i2_s.gguf');
    expect(summary.activation).toBe('relu2');
    expect(summary.conversion).toEqual({ kind: 'activation', activation: 'relu2' });
    expect(summary.warnings[0]).toMatch(/BitNet b1\.58 2B4T's shape, trained with a ReLU² feed-forward.*records bitnet\.hidden_activation = relu2/);
  });
});

/** A llama block evaluated on one token in plain TypeScript from the dequantised tensors. */
function referenceLogits(store: Map<string, Float32Array>, decode: (name: string) => Float32Array, token: number, s: ModelShape): Float32Array {
  const embd = s.embeddingLength;
  const vocab = 261;
  const rms = (x: Float32Array, w: Float32Array) => {
    const mean = x.reduce((a, v) => a + v * v, 0) / x.length;
    const k = 1 / Math.sqrt(mean + 1e-5);
    return x.map((v, i) => v * k * w[i]!);
  };
  const matvec = (w: Float32Array, x: Float32Array, rows: number) => {
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let i = 0; i < x.length; i++) sum += w[r * x.length + i]! * x[i]!;
      out[r] = sum;
    }
    return out;
  };
  const x0 = decode('token_embd.weight').slice(token * embd, (token + 1) * embd);
  const a = rms(x0, store.get('blk.0.attn_norm.weight')!);
  const headDim = embd / s.headCount;
  const kvHeads = s.headCountKv ?? s.headCount;
  const v = matvec(decode('blk.0.attn_v.weight'), a, headDim * kvHeads);
  // One token: softmax over one position, so each head's output is its (shared) value vector.
  const heads = new Float32Array(embd);
  for (let h = 0; h < s.headCount; h++) heads.set(v.subarray(Math.floor(h / (s.headCount / kvHeads)) * headDim, (Math.floor(h / (s.headCount / kvHeads)) + 1) * headDim), h * headDim);
  const x1 = x0.map((value, i) => value + matvec(decode('blk.0.attn_output.weight'), heads, embd)[i]!);
  const f = rms(x1, store.get('blk.0.ffn_norm.weight')!);
  const g = matvec(decode('blk.0.ffn_gate.weight'), f, s.feedForwardLength);
  const u = matvec(decode('blk.0.ffn_up.weight'), f, s.feedForwardLength);
  const m = g.map((gi, i) => (gi / (1 + Math.exp(-gi))) * u[i]!);
  const down = matvec(decode('blk.0.ffn_down.weight'), m, embd);
  const x2 = x1.map((value, i) => value + down[i]!);
  return matvec(decode('output.weight'), rms(x2, store.get('output_norm.weight')!), vocab);
}

describe('llama.cpp runs our files', () => {
  for (const matrixType of ['TQ2_0', 'TQ1_0', 'Q1_0', 'Q2_0'] as const) {
    it(`computes the logits of our dequantised reference for a ${matrixType} llama model`, async () => {
      const s = shape(matrixType);
      const path = join(dir.path, `llama-${matrixType}.gguf`);
      const { source, store } = weightsFor(7);
      await buildModel(path, s, source);
      const bytes = await readGguf(path);
      const raw = readFileSync(path);
      const decode = (name: string) => {
        const t = bytes.tensors.find((x) => x.name === name)!;
        const data = new Uint8Array(raw.buffer, raw.byteOffset + bytes.dataOffset + t.offset, tensorDataBytes(t) as number);
        return decodeTensorData(ggmlType(t.type)!.name, data)!;
      };
      const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
      const context = await model.createContext({ contextSize: 64, threads: 1 });
      const token = (BYTE_TOKEN_OFFSET + 'L'.charCodeAt(0)) as Token;
      const [result] = await context.getSequence().controlledEvaluate([[token, { generateNext: { logits: true } }]]);
      const ours = new Float32Array(261);
      for (const [t, logit] of result!.next!.logits!) ours[t] = logit;
      const reference = referenceLogits(store, decode, token, s);
      const scale = Math.max(...reference.map(Math.abs));
      const maxDiff = Math.max(...reference.map((r, i) => Math.abs(r - ours[i]!)));
      // llama.cpp quantises activations to 8 bits for ternary dot products: allow that, nothing like a layout error.
      expect(maxDiff / scale).toBeLessThan(0.05);
      const dot = reference.reduce((sum, r, i) => sum + r * ours[i]!, 0);
      const norm = Math.sqrt(reference.reduce((sum, r) => sum + r * r, 0) * ours.reduce((sum, o) => sum + o * o, 0));
      expect(dot / norm).toBeGreaterThan(0.999);
      await context.dispose();
      await model.dispose();
    }, 60_000);
  }

  it('loads and generates with a tiny bitnet model', async () => {
    const path = join(dir.path, 'bitnet.gguf');
    await buildModel(path, shape('TQ2_0', 'bitnet'), weightsFor(9).source);
    validateModel(await readGguf(path), path);
    const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
    const context = await model.createContext({ contextSize: 64, threads: 1 });
    const sequence = context.getSequence();
    const tokens: number[] = [];
    for await (const token of sequence.evaluate(model.tokenize('hi'), { temperature: 0 })) {
      tokens.push(token);
      if (tokens.length === 5) break;
    }
    expect(tokens).toHaveLength(5);
    await context.dispose();
    await model.dispose();
  }, 60_000);
});
