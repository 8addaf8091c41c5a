// A corpus of damaged GGUF files, each made from a good tiny model by one precise change
// (truncations, flipped bytes in the header, metadata, tensor infos and tensor data, absurd
// counts and dimensions), each added through the real registry with llama.cpp's trial load in
// an engine process: every one is refused with its problem named, or (damage to tensor data
// only) refused at the trial load or accepted — never an abort of this process, a hang
// (each case has a time limit) or an allocation the header asked for.
import { mkdirSync, readFileSync, writeFileSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufError } from '../../electron/inference/gguf/gguf-format.std';
import { needsLightSeedBuild, type ModelSummary } from '../../electron/inference/gguf/gguf-validate.std';
import { EngineClient } from '../../electron/inference/engine-client.node';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { Database } from '../../electron/store/database.node';
import { addModel, verifyModelFile } from '../../electron/services/model-registry.node';
import { runCli } from '../helpers/cli';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { makeTempDir } from '../helpers/temp-dir';

const paths = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
let dir: ReturnType<typeof makeTempDir>;
let good: Buffer;
let db: Database;
let map: HeaderMap;

/** Where each field of a GGUF header lies, found by walking it here (independently of LightSeed's reader). */
interface HeaderMap {
  keys: Map<string, { keyAt: number; typeAt: number; valueAt: number; itemTypeAt?: number; countAt?: number }>;
  tensors: Map<string, { nameAt: number; nDimsAt: number; dimsAt: number; typeAt: number; offsetAt: number; offset: number }>;
  dataOffset: number;
}

function mapHeader(b: Buffer): HeaderMap {
  let p = 24;
  const u64 = () => {
    const v = Number(b.readBigUInt64LE(p));
    p += 8;
    return v;
  };
  const str = () => {
    const n = u64();
    const s = b.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  const sizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  const skip = (type: number) => (type === 8 ? void str() : (p += sizes[type]!));
  const tensorCount = Number(b.readBigUInt64LE(8));
  const kvCount = Number(b.readBigUInt64LE(16));
  const keys: HeaderMap['keys'] = new Map();
  for (let i = 0; i < kvCount; i++) {
    const keyAt = p;
    const key = str();
    const typeAt = p;
    const type = b.readUInt32LE(p);
    p += 4;
    if (type === 9) {
      const itemTypeAt = p;
      const itemType = b.readUInt32LE(p);
      p += 4;
      const countAt = p;
      const count = u64();
      keys.set(key, { keyAt, typeAt, valueAt: countAt, itemTypeAt, countAt });
      for (let j = 0; j < count; j++) skip(itemType);
    } else {
      keys.set(key, { keyAt, typeAt, valueAt: p });
      skip(type);
    }
  }
  const tensors: HeaderMap['tensors'] = new Map();
  for (let i = 0; i < tensorCount; i++) {
    const nameAt = p;
    const name = str();
    const nDimsAt = p;
    const nDims = b.readUInt32LE(p);
    p += 4;
    const dimsAt = p;
    p += 8 * nDims;
    const typeAt = p;
    p += 4;
    const offsetAt = p;
    tensors.set(name, { nameAt, nDimsAt, dimsAt, typeAt, offsetAt, offset: u64() });
  }
  return { keys, tensors, dataOffset: Math.ceil(p / 32) * 32 };
}

const edit = (change: (b: Buffer) => void) => () => {
  const b = Buffer.from(good);
  change(b);
  return b;
};
const key = (name: string) => map.keys.get(name)!;
const tensor = (name: string) => map.tensors.get(name)!;
const u32At = (at: () => number, value: number) => edit((b) => b.writeUInt32LE(value >>> 0, at()));
const u64At = (at: () => number, value: bigint) => edit((b) => b.writeBigUInt64LE(value, at()));
const f32At = (at: () => number, value: number) => edit((b) => b.writeFloatLE(value, at()));
const truncated = (length: () => number) => () => good.subarray(0, length());
const dataOf = (name: string) => map.dataOffset + tensor(name).offset;

/** [name, the damaged bytes, what the refusal must say (undefined: data damage, refused at load or accepted)]. */
const CORPUS: [string, () => Buffer, RegExp | undefined][] = [
  // Truncations.
  ['empty', truncated(() => 0), /not a GGUF model file/],
  ['magic only', truncated(() => 4), /not a GGUF model file/],
  ['counts cut', truncated(() => 20), /not a GGUF model file/],
  ['first key cut', truncated(() => 40), /truncated/],
  ['metadata cut', truncated(() => key('tokenizer.ggml.tokens').valueAt + 100), /truncated/],
  ['tensor infos cut', truncated(() => tensor('blk.0.attn_q.weight').typeAt), /truncated/],
  ['data cut at its start', truncated(() => map.dataOffset + 10), /runs past the end of the file.*truncated/],
  ['last bytes cut', truncated(() => good.length - 1000), /runs past the end of the file.*truncated/],
  ['the last tensor one byte short', truncated(() => dataOf('output.weight') + 256 * 261 / 32 * 34 - 1), /output\.weight runs past the end of the file/],
  // The fixed header.
  ['magic flipped', edit((b) => (b[0] = 0x47 ^ 0xff)), /not a GGUF model file/],
  ['version 99', u32At(() => 4, 99), /GGUF version 99/],
  ['version 1', u32At(() => 4, 1), /GGUF version 1/],
  ['tensor count 2^40', u64At(() => 8, 1n << 40n), /declares 1099511627776 tensors/],
  ['tensor count past 2^53', u64At(() => 8, 1n << 60n), /the tensor count is \d+/],
  ['metadata count 2^40', u64At(() => 16, 1n << 40n), /declares 1099511627776 metadata keys/],
  ['one tensor more', edit((b) => b.writeBigUInt64LE(b.readBigUInt64LE(8) + 1n, 8)), /damaged|truncated/],
  // Metadata.
  ['key length 2^40', u64At(() => key('general.architecture').keyAt, 1n << 40n), /metadata key 1 claims \d+ bytes/],
  ['value type 99', u32At(() => key('general.name').typeAt, 99), /unknown value type 99/],
  ['array item type 99', u32At(() => key('tokenizer.ggml.tokens').itemTypeAt!, 99), /array of the unknown type 99/],
  ['array count 2^40', u64At(() => key('tokenizer.ggml.tokens').countAt!, 1n << 40n), /claims 1099511627776 items/],
  ['string length 2^40', u64At(() => key('general.name').valueAt, 1n << 40n), /claims \d+ bytes/],
  ['boolean of 7', edit((b) => (b[key('tokenizer.ggml.add_bos_token').valueAt] = 7)), /boolean of value 7/],
  ['a key twice', edit((b) => b.write('general.architecture', key('llama.context_length').keyAt + 8, 'latin1')), /general\.architecture appears twice/],
  ['alignment 3', u32At(() => key('general.alignment').valueAt, 3), /alignment is 3, not a power of two/],
  ['alignment 0', u32At(() => key('general.alignment').valueAt, 0), /alignment is 0, not a power of two/],
  ['alignment as f32', u32At(() => key('general.alignment').typeAt, 6), /alignment is not a 32-bit unsigned/],
  ['architecture unknown', edit((b) => b.write('zzzzz', key('general.architecture').valueAt + 8, 'latin1')), /"zzzzz" model, an architecture the bundled llama.cpp does not implement/],
  // Hyperparameters llama.cpp asserts on or allocates by.
  ['block_count 10^8', u32At(() => key('llama.block_count').valueAt, 100_000_000), /block_count is 100000000, outside 1–512/],
  ['block_count 0', u32At(() => key('llama.block_count').valueAt, 0), /block_count is 0, outside 1–512/],
  ['block_count 3 of 2', u32At(() => key('llama.block_count').valueAt, 3), /block_count says 3 blocks, but the file has tensors for 2/],
  ['block_count 1 of 2', u32At(() => key('llama.block_count').valueAt, 1), /belongs to block 1, but the file has 1 blocks/],
  ['embedding_length 0', u32At(() => key('llama.embedding_length').valueAt, 0), /embedding_length is 0/],
  ['context_length 0', u32At(() => key('llama.context_length').valueAt, 0), /context_length is 0/],
  ['head_count 3', u32At(() => key('llama.attention.head_count').valueAt, 3), /not divisible by the 3 heads|must divide evenly/],
  ['head_count_kv 3', u32At(() => key('llama.attention.head_count_kv').valueAt, 3), /4 attention heads and 3 key\/value heads/],
  ['head_count_kv 0', u32At(() => key('llama.attention.head_count_kv').valueAt, 0), /must divide evenly/],
  ['rms epsilon NaN', f32At(() => key('llama.attention.layer_norm_rms_epsilon').valueAt, Number.NaN), /layer_norm_rms_epsilon is NaN/],
  ['rms epsilon −1', f32At(() => key('llama.attention.layer_norm_rms_epsilon').valueAt, -1), /layer_norm_rms_epsilon is -1/],
  ['rope base infinite', f32At(() => key('llama.rope.freq_base').valueAt, Number.POSITIVE_INFINITY), /freq_base is Infinity/],
  ['eos beyond the vocabulary', u32At(() => key('tokenizer.ggml.eos_token_id').valueAt, 99_999), /eos_token_id is 99999, not a token/],
  ['scores shorter than tokens', u64At(() => key('tokenizer.ggml.scores').countAt!, 100n), /damaged|tokenizer\.ggml\.scores has 100 entries/],
  // Tensor infos.
  ['zero dimensions', u32At(() => tensor('blk.0.attn_q.weight').nDimsAt, 0), /0 dimensions \(1 to 4 allowed\)/],
  ['seven dimensions', u32At(() => tensor('blk.0.attn_q.weight').nDimsAt, 7), /7 dimensions \(1 to 4 allowed\)/],
  ['a dimension of 0', u64At(() => tensor('blk.0.attn_q.weight').dimsAt, 0n), /dimension of 0/],
  ['a dimension of 2^50', u64At(() => tensor('blk.0.attn_q.weight').dimsAt + 8, 1n << 50n), /more elements than any file can hold|runs past the end/],
  ['row not whole blocks', u64At(() => tensor('blk.0.attn_q.weight').dimsAt, 100n), /rows of 100 values, not a multiple of the TQ2_0 block size 256/],
  ['type 99', u32At(() => tensor('blk.0.attn_q.weight').typeAt, 99), /unknown type 99/],
  ['type I8_S', u32At(() => tensor('blk.0.attn_q.weight').typeAt, 37), /I8_S type, which holds activations/],
  ['type TL1', u32At(() => tensor('blk.0.attn_q.weight').typeAt, 38), /TL1 layout.*I2_S GGUF instead/],
  ['type Q1_0 instead of TQ2_0', u32At(() => tensor('blk.0.attn_q.weight').typeAt, 41), /starts at offset \d+ where \d+ was expected/],
  ['offset misaligned', edit((b) => b.writeBigUInt64LE(BigInt(tensor('blk.0.attn_k.weight').offset + 1), tensor('blk.0.attn_k.weight').offsetAt)), /not aligned to 32 bytes/],
  ['offset past the end', u64At(() => tensor('output.weight').offsetAt, 1n << 40n), /where \d+ was expected/],
  ['tensors overlap', edit((b) => b.writeBigUInt64LE(BigInt(tensor('blk.0.attn_k.weight').offset), tensor('blk.0.attn_v.weight').offsetAt)), /overlap/],
  ['a tensor name twice', edit((b) => b.write('blk.0.attn_q.weight', tensor('blk.0.attn_k.weight').nameAt + 8, 'latin1')), /appears twice/],
  ['a tensor llama has not', edit((b) => b.write('blk.0.attn_z.weight', tensor('blk.0.attn_k.weight').nameAt + 8, 'latin1')), /llama\.cpp could not load .*attn_k|llama\.cpp could not load/],
  ['shape swapped', edit((b) => {
    const t = tensor('blk.0.ffn_up.weight');
    const [a, c] = [b.readBigUInt64LE(t.dimsAt), b.readBigUInt64LE(t.dimsAt + 8)];
    b.writeBigUInt64LE(c, t.dimsAt);
    b.writeBigUInt64LE(a, t.dimsAt + 8);
  }), /llama\.cpp could not load .*ffn_up/],
  // Tensor data only.
  ['a NaN scale in a block', edit((b) => b.writeUInt16LE(0x7e00, dataOf('blk.0.attn_q.weight') + 64)), undefined],
  ['an infinite embedding scale', edit((b) => b.writeUInt16LE(0x7c00, dataOf('token_embd.weight'))), undefined],
  ['random ternary codes', edit((b) => b.fill(0x5a, dataOf('blk.1.ffn_down.weight'), dataOf('blk.1.ffn_down.weight') + 64)), undefined],
];

beforeAll(async () => {
  dir = makeTempDir();
  const base = join(dir.path, 'good.gguf');
  await FAMILIES.find((f) => f.id === 'trilm-tq2')!.write(base, ternaryWeights(5).source);
  good = readFileSync(base);
  map = mapHeader(good);
  db = await Database.open({ path: join(dir.path, 'registry.db') });
});
afterAll(async () => {
  await db?.dispose();
  dir.remove();
});

/** llama.cpp's trial load, as `models add` asks it (after validation, which decides the build). */
const check = async (path: string, summary: ModelSummary) => {
  await using engine = new EngineClient({ workerPath: paths.engineWorker });
  await engine.check(path, needsLightSeedBuild(summary));
};

describe('a corpus of damaged GGUF files', () => {
  it(`holds at least 40 files, each one change away from a good model`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CORPUS.map(([name]) => name)).size).toBe(CORPUS.length);
  });

  it('accepts the undamaged model', async () => {
    const model = await addModel(db.connection, join(dir.path, 'good.gguf'), 1, { check });
    expect(model.architecture).toBe('llama');
  });

  for (const [name, make, expected] of CORPUS) {
    it(name, async () => {
      const path = join(dir.path, `${name.replace(/\W+/g, '-')}.gguf`);
      writeFileSync(path, make());
      const outcome = await addModel(db.connection, path, 2, { check }).catch((e: unknown) => e);
      if (expected) {
        expect(outcome).toBeInstanceOf(GgufError);
        expect((outcome as Error).message).toMatch(expected);
        expect((outcome as Error).message).toContain(path);
      } else if (outcome instanceof Error) {
        // Damaged data: llama.cpp's tensor check or the first evaluation names it.
        expect(outcome).toBeInstanceOf(GgufError);
        expect(outcome.message).toMatch(/llama\.cpp (could not load|computed NaN)|damaged|invalid/);
      }
    }, 30_000);
  }
});

describe('beyond the header', () => {
  it('contains an abort inside llama.cpp (qwen3 asserts its RoPE width is the head width) and says it in one line', async () => {
    const path = join(dir.path, 'qwen3-rope.gguf');
    await FAMILIES.find((f) => f.id === 'bonsai-q1')!.write(path, ternaryWeights(5).source);
    const b = readFileSync(path);
    const at = mapHeader(b).keys.get('qwen3.rope.dimension_count')!.valueAt;
    b.writeUInt32LE(32, at);
    writeFileSync(path, b);
    const refused = runCli(['--data-dir', join(dir.path, 'abort-data'), 'models', 'add', path]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^lightseed: .*qwen3-rope\.gguf cannot be used: llama\.cpp stopped while trying it \(its process was killed \(SIGABRT\): src\/models\/qwen3\.cpp:\d+: GGML_ASSERT\(n_embd_head == n_rot\) failed\); the app was not affected/);
  }, 30_000);

  it('checks a registered file again before a load: the same file passes, a changed one is validated and described again, a damaged one refused', async () => {
    const path = join(dir.path, 'swapped.gguf');
    await FAMILIES.find((f) => f.id === 'trilm-tq2')!.write(path, ternaryWeights(8).source);
    const model = await addModel(db.connection, path, 5);
    expect(await verifyModelFile(db.connection, model)).toEqual(model);
    // Another valid model in its place: hashed, validated, its row updated.
    await FAMILIES.find((f) => f.id === 'trilm-tq1')!.write(path, ternaryWeights(9).source);
    const swapped = await verifyModelFile(db.connection, model);
    expect(swapped.sha256).not.toBe(model.sha256);
    expect(swapped.weightType).toBe('TQ1_0');
    expect(await verifyModelFile(db.connection, swapped)).toEqual(swapped);
    // A damaged file in its place: refused before llama.cpp sees it.
    writeFileSync(path, readFileSync(path).subarray(0, 5000));
    await expect(verifyModelFile(db.connection, swapped)).rejects.toThrow(/swapped\.gguf .*truncated/);
  });
});

describe('paths that are not model files', () => {
  it('refuses a folder, a FIFO, a device and a missing file in words, without waiting on the FIFO', async () => {
    const fifo = join(dir.path, 'pipe.gguf');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir.path, 'folder.gguf');
    mkdirSync(folder);
    const link = join(dir.path, 'null.gguf');
    symlinkSync('/dev/null', link);
    const cases: [string, RegExp][] = [
      [folder, /is a folder, not a model file/],
      [fifo, /is a named pipe \(FIFO\), not a model file/],
      [link, /is a device, not a model file/],
      [join(dir.path, 'nothing.gguf'), /Cannot open .*there is no such file/],
    ];
    for (const [path, message] of cases) await expect(addModel(db.connection, path, 3)).rejects.toThrow(message);
  });

  it('shows control characters in a model name escaped, and a refusal through the CLI in one line', async () => {
    const b = Buffer.from(good);
    const at = map.keys.get('general.name')!.valueAt + 8;
    b.write('\x1b[2J\u202e', at, 'utf8');
    const path = join(dir.path, 'escape.gguf');
    writeFileSync(path, b);
    const model = await addModel(db.connection, path, 4);
    expect(model.name).toMatch(/^\\x1b\[2J\\u202e/);
    const data = join(dir.path, 'cli-data');
    const refused = runCli(['--data-dir', data, 'models', 'add', join(dir.path, 'block_count-10-8.gguf')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^lightseed: .*block_count is 100000000, outside 1–512/);
  });
});
