// I2_S files at the edges of what the conversion can keep exactly: a scale below fp16's range
// on a llama model (whose graph multiplies by the fp16 block scale alone) is refused in words
// rather than rounded to zero; on a bitnet model, which keeps each scale as a float32 .scale
// tensor, the same scale converts exactly. A tensor that is not whole 128-weight blocks is
// refused: its last weights would be read from the scale and padding bytes.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fp16ScaleProblem, i2sElementsProblem } from '../../electron/inference/gguf/i2s.std';
import { readGguf } from '../../electron/inference/gguf/gguf-reader.node';
import { runCli } from '../helpers/cli';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => dir.remove());

/** Family `id` with the weights of one projection scaled by `factor`. */
async function scaledModel(id: string, factor: number): Promise<string> {
  const path = join(dir.path, `${id}-${factor}.gguf`);
  const base = ternaryWeights(3).source;
  await FAMILIES.find((f) => f.id === id)!.write(path, (name, dims) => (name === 'blk.0.attn_q.weight' ? base(name, dims).map((w) => w * factor) : base(name, dims)));
  return path;
}

describe('I2_S limits', () => {
  it('names what fp16 cannot hold and what is not whole blocks', () => {
    expect(fp16ScaleProblem(0.02)).toBeUndefined();
    expect(fp16ScaleProblem(0)).toBeUndefined();
    expect(fp16ScaleProblem(2 ** -14)).toBeUndefined();
    expect(fp16ScaleProblem(1e-10)).toMatch(/^has the scale 1e-10, outside what fp16 holds to 2⁻¹¹/);
    expect(fp16ScaleProblem(1e6)).toMatch(/outside what fp16 holds/);
    expect(i2sElementsProblem(256)).toBeUndefined();
    expect(i2sElementsProblem(192)).toBe('has 192 weights, not whole blocks of 128 as I2_S packs them (its last weights would be read from the scale and padding bytes)');
  });

  it('refuses a llama I2_S model whose scale is below fp16, in words, and registers nothing', async () => {
    const path = await scaledModel('falcon3-i2s', 1e-8);
    const data = join(dir.path, 'llama-data');
    const result = runCli(['--data-dir', data, 'models', 'add', path], {}, 60_000);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/the I2_S tensor blk\.0\.attn_q\.weight has the scale [\d.]+e-\d+, outside what fp16 holds to 2⁻¹¹ .*a llama model keeps block scales in fp16, so converting it would change its weights/);
    expect(JSON.parse(runCli(['--data-dir', data, 'models', 'list', '--json']).stdout)).toEqual([]);
  });

  it('converts the same scale exactly on a bitnet model, in its float32 .scale tensor', async () => {
    const path = await scaledModel('bitnet-2b4t-i2s', 1e-8);
    const data = join(dir.path, 'bitnet-data');
    const result = runCli(['--data-dir', data, 'models', 'add', path], {}, 60_000);
    expect(result.status, result.stderr).toBe(0);
    const [model] = JSON.parse(runCli(['--data-dir', data, 'models', 'list', '--json']).stdout) as { path: string }[];
    // The model is found as agents are: by the file that was added (it was converted), and by #N as lists print it.
    for (const key of [path, '#1', '1']) {
      const generated = runCli(['--data-dir', data, 'generate', '--model', key, '--prompt', 'Hello', '--max-tokens', '2'], {}, 60_000);
      expect(generated.status, `${key}: ${generated.stderr}`).toBe(0);
    }
    const converted = await readGguf(model!.path);
    const scale = converted.tensors.find((t) => t.name === 'blk.0.attn_q.scale')!;
    const handle = await open(model!.path, 'r');
    try {
      const bytes = new Uint8Array(4);
      await handle.read(bytes, 0, 4, converted.dataOffset + scale.offset);
      // What bitnet.cpp's quantiser stores: the largest |w| of the float32 weights.
      const weights = ternaryWeights(3).source('blk.0.attn_q.weight', converted.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!.dims).map((w) => w * 1e-8);
      const original = weights.reduce((a, w) => Math.max(a, Math.abs(w)), 0);
      expect(original).toBeLessThan(2 ** -24); // far below fp16: it would have been rounded to zero
      expect(new DataView(bytes.buffer, bytes.byteOffset).getFloat32(0, true)).toBe(original);
    } finally {
      await handle.close();
    }
  });
});
