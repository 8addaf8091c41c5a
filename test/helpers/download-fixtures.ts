// What the model-download tests share: catalog entries for files made here, a model of a few MiB
// (so that a dropped connection or a pause resumes part-way), and app services whose embedded
// model is absent (the catalog model becomes the default).
import type { CatalogEntryInput } from '../../electron/catalog/catalog.std';
import { buildModel } from '../../electron/inference/gguf/model-builder.node';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { AppServices } from '../../electron/services/app-services.node';
import { ternaryWeights } from './model-families';

/** A catalog entry for `bytes` served as lightseed-test/NAME-GGUF/NAME.gguf, exact size, no hash unless `change` gives one. */
export function testEntry(name: string, bytes: Buffer, change: Partial<CatalogEntryInput> = {}): CatalogEntryInput {
  return {
    summary: 'made by the test',
    parameters: 5e6,
    architecture: 'llama',
    format: 'TQ2_0',
    licence: 'MIT',
    contextLength: 1024,
    blockCount: 2,
    keyWidth: 128,
    chat: true,
    name,
    title: `Test ${name}`,
    repo: `lightseed-test/${name}-GGUF`,
    file: `${name}.gguf`,
    sizeBytes: bytes.length,
    sizeExact: true,
    sha256: null,
    ...change,
  };
}

/** A TQ2_0 llama model of about 22 MiB (a large vocabulary); the same seed gives the same bytes. */
export async function largeModel(path: string, seed: number): Promise<void> {
  const shape = { architecture: 'llama', embeddingLength: 256, blockCount: 1, feedForwardLength: 256, headCount: 4, contextLength: 1024, matrixType: 'TQ2_0', extraTokens: 40_000 } as const;
  await buildModel(path, shape, ternaryWeights(seed).source);
}

/** The app's services over `dataDir`, with no embedded model. */
export function servicesWithoutEmbeddedModel(dataDir: string, absent: string): Promise<AppServices> {
  const built = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
  return AppServices.create({ dataDir, mode: 'cli', heartbeatMs: 0, paths: { ...built, embeddedModel: absent } });
}
