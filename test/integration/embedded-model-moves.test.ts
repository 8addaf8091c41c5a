// The embedded model's path changes with every install and every AppImage start (it is
// mounted at a new place each time). The registry follows the same file to its new path
// instead of pointing at a file that is gone.
import { copyFileSync, mkdirSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPathsFrom, EMBEDDED_MODEL_FILE, type BuildPaths } from '../../electron/paths/build-paths.node';
import { AppServices } from '../../electron/services/app-services.node';
import { makeTempDir } from '../helpers/temp-dir';

const built = buildPathsFrom(new URL('../../out/main/index.js', import.meta.url).href);
let dir: ReturnType<typeof makeTempDir>;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => dir.remove());

async function withEmbeddedAt<T>(model: string, body: (services: AppServices) => Promise<T>): Promise<T> {
  const paths: BuildPaths = { ...built, embeddedModel: model };
  const services = await AppServices.create({ dataDir: join(dir.path, 'data'), mode: 'electron', heartbeatMs: 0, paths });
  try {
    return await body(services);
  } finally {
    await services.shutdown();
  }
}

describe('the embedded model after a move', () => {
  it('keeps its registry entry, now at the new path', async () => {
    const first = join(dir.path, 'mount-a', 'models', EMBEDDED_MODEL_FILE);
    mkdirSync(join(dir.path, 'mount-a', 'models'), { recursive: true });
    copyFileSync(built.embeddedModel, first);
    const registered = await withEmbeddedAt(first, async (s) => (await s.inference.defaultOrEmbedded())!);
    expect(registered.path).toBe(first);

    const second = join(dir.path, 'mount-b', 'models', EMBEDDED_MODEL_FILE);
    mkdirSync(join(dir.path, 'mount-b', 'models'), { recursive: true });
    renameSync(first, second);
    await withEmbeddedAt(second, async (s) => {
      const moved = await s.inference.defaultOrEmbedded();
      expect(moved).toMatchObject({ id: registered.id, path: second, sha256: registered.sha256, isDefault: true });
      expect(s.inference.list()).toHaveLength(1);
    });
  });

  it('never points the entry at a different file that has the same name', async () => {
    const third = join(dir.path, 'mount-c', 'models', EMBEDDED_MODEL_FILE);
    mkdirSync(join(dir.path, 'mount-c', 'models'), { recursive: true });
    const bytes = readFileSync(built.embeddedModel);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    writeFileSync(third, bytes);
    renameSync(join(dir.path, 'mount-b'), join(dir.path, 'gone'));
    await withEmbeddedAt(third, async (s) => {
      const chosen = await s.inference.defaultOrEmbedded();
      expect(chosen?.path).toBe(join(dir.path, 'mount-b', 'models', EMBEDDED_MODEL_FILE));
      expect(s.inference.list()).toHaveLength(1);
    });
  });
});
