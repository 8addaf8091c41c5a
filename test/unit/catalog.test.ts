// The catalog's entries, its memory and disk estimates, and where each download comes from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogEntry, diskNeeded, KNOWN_MODELS, memoryNeeded, mergeCatalog } from '../../electron/catalog/catalog.std';
import { CatalogFileError, loadCatalog } from '../../electron/catalog/catalog-file.node';
import { ModelSourceError, resolveModelSource } from '../../electron/catalog/model-source.node';
import { makeTempDir } from '../helpers/temp-dir';

const dir = makeTempDir();
afterAll(() => dir.remove());
const byName = (name: string) => KNOWN_MODELS.find((e) => e.name === name)!;

describe('the catalog', () => {
  it('holds the families people download, each with a file, a licence and a size', () => {
    expect(KNOWN_MODELS.map((e) => e.name)).toEqual(['bonsai-1.7b', 'bonsai-4b', 'ternary-bonsai-1.7b', 'bitnet-2b4t', 'falcon3-1b-1.58bit', 'falcon3-3b-1.58bit', 'trilm-3.9b']);
    expect(new Set(KNOWN_MODELS.map((e) => `${e.repo}/${e.file}`)).size).toBe(KNOWN_MODELS.length);
    // A published hash belongs to one revision of the file: those entries pin it, except where the host shows the hash for main.
    expect(byName('bitnet-2b4t')).toMatchObject({ format: 'I2_S', revision: 'a1f2f1c765812aa8af3f6eda4a313707064bba15', sizeBytes: 1_187_801_280, sizeExact: true });
    expect(byName('trilm-3.9b')).toMatchObject({ sha256: null, sizeExact: false, chat: false });
  });

  it('estimates memory as weights, an f16 KV cache at the loaded context, and compute buffers', () => {
    const bonsai = byName('bonsai-1.7b');
    // 28 layers × 4096 positions × (8 KV heads × 128) × keys and values × 2 bytes = 448 MiB.
    expect(memoryNeeded(bonsai) - bonsai.sizeBytes).toBe(448 * 2 ** 20 + 256 * 2 ** 20);
    // TriLM is loaded at its 2048 context.
    const trilm = byName('trilm-3.9b');
    expect(memoryNeeded(trilm) - trilm.sizeBytes).toBe(2 * 30 * 2048 * 3072 * 2 + 256 * 2 ** 20);
  });

  it('needs disk for what is left to fetch, for the converted copy of an I2_S file, and a margin', () => {
    const bonsai = byName('bonsai-1.7b');
    const bitnet = byName('bitnet-2b4t');
    expect(diskNeeded(bonsai, 0)).toBe(bonsai.sizeBytes + 64 * 2 ** 20);
    expect(diskNeeded(bonsai, 100 * 2 ** 20)).toBe(bonsai.sizeBytes - 100 * 2 ** 20 + 64 * 2 ** 20);
    expect(diskNeeded(bitnet, 0)).toBe(2 * bitnet.sizeBytes + 64 * 2 ** 20);
  });

  it('lets a local catalog file add entries and replace known ones by name, and names a bad entry', () => {
    const replaced = { ...byName('bonsai-1.7b'), title: 'Bonsai from the local network' };
    const added = { ...byName('trilm-3.9b'), name: 'trilm-99m', title: 'TriLM 99M' };
    const merged = mergeCatalog(KNOWN_MODELS, [replaced, added]);
    expect(merged.find((e) => e.name === 'bonsai-1.7b')!.title).toBe('Bonsai from the local network');
    expect(merged.at(-1)!.name).toBe('trilm-99m');
    const file = join(dir.path, 'catalog.json');
    writeFileSync(file, JSON.stringify([added]));
    expect(loadCatalog({ LIGHTSEED_MODEL_CATALOG: file }).map((e) => e.name)).toContain('trilm-99m');
    writeFileSync(file, JSON.stringify([{ ...added, sha256: 'not hex' }]));
    expect(() => loadCatalog({ LIGHTSEED_MODEL_CATALOG: file })).toThrow(CatalogFileError);
    expect(() => loadCatalog({ LIGHTSEED_MODEL_CATALOG: file })).toThrow(/bad entry at 0\.sha256/);
    writeFileSync(file, '{');
    expect(() => loadCatalog({ LIGHTSEED_MODEL_CATALOG: file })).toThrow(/cannot be read as JSON/);
    expect(() => CatalogEntry.parse({ ...added, name: 'Has Spaces' })).toThrow();
  });
});

describe('where a model comes from', () => {
  const bitnet = byName('bitnet-2b4t');
  const falcon = byName('falcon3-1b-1.58bit');

  it('is huggingface.co by default, pinned to the revision the hash belongs to', () => {
    expect(resolveModelSource(bitnet, {})).toEqual({
      uri: 'https://huggingface.co/microsoft/bitnet-b1.58-2B-4T-gguf/resolve/a1f2f1c765812aa8af3f6eda4a313707064bba15/ggml-model-i2_s.gguf',
      description: 'huggingface.co',
      network: true,
    });
    expect(resolveModelSource(falcon, {}).uri).toBe('https://huggingface.co/tiiuae/Falcon3-1B-Instruct-1.58bit-GGUF/resolve/main/ggml-model-i2_s.gguf');
  });

  it('is a mirror laid out like Hugging Face, or a folder, when LIGHTSEED_MODEL_MIRROR names one', () => {
    expect(resolveModelSource(falcon, { mirror: 'http://mirror.lan:8080/hf/' })).toMatchObject({ uri: 'http://mirror.lan:8080/hf/tiiuae/Falcon3-1B-Instruct-1.58bit-GGUF/resolve/main/ggml-model-i2_s.gguf', network: true });
    // An endpoint without its trailing slash keeps its path.
    expect(resolveModelSource(falcon, { mirror: 'http://mirror.lan:8080/hf' }).uri).toBe('http://mirror.lan:8080/hf/tiiuae/Falcon3-1B-Instruct-1.58bit-GGUF/resolve/main/ggml-model-i2_s.gguf');
    const folder = join(dir.path, 'mirror');
    mkdirSync(join(folder, falcon.repo), { recursive: true });
    writeFileSync(join(folder, falcon.repo, falcon.file), 'x');
    expect(resolveModelSource(falcon, { mirror: folder })).toEqual({ uri: join(folder, falcon.repo, falcon.file), description: `the mirror folder ${folder}`, network: false });
    expect(() => resolveModelSource(bitnet, { mirror: folder })).toThrow(ModelSourceError);
    expect(() => resolveModelSource(bitnet, { mirror: folder })).toThrow(/has neither microsoft\/bitnet-b1\.58-2B-4T-gguf\/ggml-model-i2_s\.gguf nor ggml-model-i2_s\.gguf/);
  });

  it('is the file or URL given for one download, ahead of any mirror', () => {
    const file = join(dir.path, 'mine.gguf');
    writeFileSync(file, 'x');
    expect(resolveModelSource(bitnet, { from: file, mirror: 'http://mirror.lan/' })).toEqual({ uri: file, description: `the file ${file}`, network: false });
    expect(resolveModelSource(bitnet, { from: 'https://example.org/m.gguf' })).toMatchObject({ uri: 'https://example.org/m.gguf', network: true });
    expect(() => resolveModelSource(bitnet, { from: join(dir.path, 'absent.gguf') })).toThrow(/is not a file/);
  });
});
