// Every 1-bit family people download, made here in the layout it ships in, goes through the
// real `lightseed models add` (validation, conversion where needed, llama.cpp's trial load)
// and `lightseed generate --temperature 0`; and bitnet.cpp's I2_S converts losslessly.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GGML, I2_S, ggmlType } from '../../electron/inference/gguf/ggml-types.std';
import { elementCount, tensorDataBytes } from '../../electron/inference/gguf/gguf-layout.std';
import { readGguf } from '../../electron/inference/gguf/gguf-reader.node';
import { i2sScale, unpackI2S } from '../../electron/inference/gguf/i2s.std';
import { decodeTensorData } from '../../electron/inference/gguf/quantize.std';
import { GgufError } from '../../electron/inference/gguf/gguf-format.std';
import { Database } from '../../electron/store/database.node';
import { addModel } from '../../electron/services/model-registry.node';
import { adapterShapeOf } from '../../electron/agents/adapter-shape.node';
import { runCli } from '../helpers/cli';
import { quantizeI2S } from '../helpers/bitnet-cpp-writer';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { makeTempDir } from '../helpers/temp-dir';
import { lightseedLlamaBuilt } from '../helpers/llama-build';

let dir: ReturnType<typeof makeTempDir>;
const built = lightseedLlamaBuilt();
/** The float weights each family's file was written from. */
const written = new Map<string, Map<string, Float32Array>>();

beforeAll(async () => {
  dir = makeTempDir();
  for (const family of FAMILIES) {
    const { source, store } = ternaryWeights(3);
    await family.write(join(dir.path, `${family.id}.gguf`), source);
    written.set(family.id, store);
  }
});
afterAll(() => dir.remove());

describe('models add and generate with each 1-bit family', () => {
  for (const family of FAMILIES) {
    const needsPatch = family.expect.activation === 'relu2';
    it.skipIf(needsPatch && !built.ok && process.env.CI !== 'true')(`${family.label} (${family.format})`, async () => {
      const data = join(dir.path, `data-${family.id}`);
      const file = join(dir.path, `${family.id}.gguf`);
      const added = runCli(['--data-dir', data, 'models', 'add', file, '--json']);
      expect(added.stderr).toBe('');
      expect(added.status).toBe(0);
      const model = JSON.parse(added.stdout) as { architecture: string; weightType: string; oneBit: boolean; activation: string | null; convertedFrom: string | null; path: string; expertCount: number };
      expect(model).toMatchObject({ architecture: family.expect.architecture, weightType: family.expect.weightType, oneBit: true, expertCount: family.expect.experts ?? 0 });
      if (family.expect.activation) expect(model.activation).toBe(family.expect.activation);
      if (family.expect.converted) {
        expect(model.convertedFrom).toBe(file);
        expect(model.path.startsWith(join(data, 'models'))).toBe(true);
      } else expect(model.path).toBe(file);
      // An agent's voice adapter sizes itself by the weights' RMS: the stored weights times any .scale tensor.
      const adapter = await adapterShapeOf(model.path);
      const original = written.get(family.id)!.get('blk.0.attn_q.weight')!;
      const rms = Math.sqrt(original.reduce((sum, v) => sum + v * v, 0) / original.length);
      expect(adapter.weightRms.attn_q / rms).toBeGreaterThan(0.75);
      expect(adapter.weightRms.attn_q / rms).toBeLessThan(1.25);
      if (family.expect.experts) expect(adapter.targets.some((t) => t.kind === 'ffn_down')).toBe(false);
      const listed = runCli(['--data-dir', data, 'models', 'list']);
      expect(listed.stdout).toMatch(new RegExp(`${family.expect.architecture}, .* parameters.*1-bit \\(${family.expect.weightType}, \\d\\.\\d\\d bits per weight\\)`));
      const generated = runCli(['--data-dir', data, 'generate', '--prompt', 'Once upon a time', '--temperature', '0', '--max-tokens', '12']);
      expect(generated.status).toBe(0);
      expect(generated.stderr).toMatch(/^\d+ tokens, [\d.]+ tokens\/s/m);
      // Greedy decoding: the same answer twice.
      expect(runCli(['--data-dir', data, 'generate', '--prompt', 'Once upon a time', '--temperature', '0', '--max-tokens', '12']).stdout).toBe(generated.stdout);
    }, 60_000);
  }
});

describe("bitnet.cpp's I2_S, converted", () => {
  /** Every weight of the converted file, dequantised (with its .scale tensor where there is one), by tensor name. */
  async function dequantised(path: string): Promise<Map<string, Float32Array>> {
    const file = await readGguf(path);
    const raw = readFileSync(path);
    const data = (name: string) => {
      const t = file.tensors.find((x) => x.name === name)!;
      return new Uint8Array(raw.buffer, raw.byteOffset + file.dataOffset + t.offset, tensorDataBytes(t) as number);
    };
    const out = new Map<string, Float32Array>();
    for (const t of file.tensors) {
      if (t.type !== GGML.TQ2_0 && t.type !== GGML.Q2_0) continue;
      const values = decodeTensorData(ggmlType(t.type)!.name, data(t.name))!;
      const scaleName = t.name.replace(/\.weight$/, '.scale');
      const scale = file.tensors.some((x) => x.name === scaleName) ? new Float32Array(data(scaleName).slice().buffer)[0]! : 1;
      out.set(
        t.name,
        values.map((v) => v * scale),
      );
    }
    return out;
  }

  it('the test writer packs as bitnet.cpp does, and LightSeed reads the same codes back', () => {
    const weights = Float32Array.from({ length: 512 }, (_, i) => [-0.25, 0, 0.25][(i * 7 + (i >> 5)) % 3]!);
    const packed = quantizeI2S(weights);
    expect(packed.length).toBe(512 / 4 + 32);
    expect(i2sScale(packed, 512)).toBe(0.25);
    // Byte 0 holds weights 0, 32, 64, 96 from the high bits down.
    const code = (w: number) => (w === 0 ? 1 : w > 0 ? 2 : 0);
    expect(packed[0]).toBe((code(weights[0]!) << 6) | (code(weights[32]!) << 4) | (code(weights[64]!) << 2) | code(weights[96]!));
    const codes = unpackI2S(packed, 512) as Uint8Array;
    expect(Array.from(codes, (c) => (c - 1) * 0.25)).toEqual(Array.from(weights));
  });

  for (const family of FAMILIES.filter((f) => f.expect.converted)) {
    it(`${family.label}: every ternary weight comes back exactly${family.expect.architecture === 'llama' ? ' (up to the fp16 rounding of the scale)' : ''}, and the original is untouched`, async () => {
      const source = join(dir.path, `${family.id}.gguf`);
      const before = readFileSync(source);
      await using db = await Database.open({ path: join(dir.path, `${family.id}-lossless.db`) });
      const model = await addModel(db.connection, source, 1, { convertDir: join(dir.path, `converted-${family.id}`) });
      expect(readFileSync(source).equals(before)).toBe(true);
      expect(model.conversion).toMatch(/^bitnet\.cpp's I2_S \((bitnet-25|bitnet|llama)\) to TQ2_0/);
      const original = written.get(family.id)!;
      const back = await dequantised(model.path);
      const sourceFile = await readGguf(source);
      const i2sTensors = sourceFile.tensors.filter((t) => t.type === I2_S);
      expect(back.size).toBe(i2sTensors.length);
      for (const tensor of i2sTensors) {
        const want = original.get(tensor.name)!;
        const got = back.get(tensor.name)!;
        expect(got.length).toBe(elementCount(tensor));
        // bitnet keeps the float32 scale in a .scale tensor: exact. llama rounds it to fp16: 2^-11 relative at most.
        const tolerance = family.expect.architecture === 'bitnet' ? 0 : 2 ** -11;
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) - tolerance * Math.abs(want[i]!));
        expect(worst).toBeLessThanOrEqual(0);
      }
      if (family.id === 'bitnet-large-i2s') expect(Object.keys(model.types)).toContain('Q2_0');
    });
  }

  it('refuses I2_S data holding a code bitnet.cpp never writes, and leaves no partial file', async () => {
    const source = join(dir.path, 'bitnet-2b4t-i2s.gguf');
    const bytes = Buffer.from(readFileSync(source));
    const file = await readGguf(source);
    const tensor = file.tensors.find((t) => t.type === I2_S)!;
    bytes[file.dataOffset + tensor.offset + 5] = 0xff; // four codes of 3
    const damaged = join(dir.path, 'damaged-i2s.gguf');
    writeFileSync(damaged, bytes);
    await using db = await Database.open({ path: join(dir.path, 'damaged.db') });
    const out = join(dir.path, 'converted-damaged');
    const error = await addModel(db.connection, damaged, 1, { convertDir: out }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GgufError);
    expect((error as Error).message).toMatch(/holds the code 3 at weight \d+, which bitnet\.cpp's x86 layout never writes/);
    expect(readdirSync(out)).toEqual([]);
  });
});
