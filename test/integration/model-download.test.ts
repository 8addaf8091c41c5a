// Getting a catalog model: LightSeed's downloader against a local server that answers like
// Hugging Face (302 to a content URL, Range, ETag, Content-Length), serving models generated
// here; then verification, conversion (I2_S), llama.cpp's trial load and registration.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadStatus } from '../../electron/api/contract.std';
import { CatalogEntry, type CatalogEntryInput } from '../../electron/catalog/catalog.std';
import { downloadPath } from '../../electron/catalog/model-download.node';
import type { AppServices } from '../../electron/services/app-services.node';
import { ModelDownloads } from '../../electron/services/model-downloads.node';
import { sha256File } from '../../electron/files/sha256-file.node';
import { startHfServer, type HfServer } from '../helpers/hf-server';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { makeTempDir } from '../helpers/temp-dir';
import { largeModel, servicesWithoutEmbeddedModel, testEntry } from '../helpers/download-fixtures';
import { waitFor } from '../helpers/wait-for';

let dir: ReturnType<typeof makeTempDir>;
let services: AppServices;
const files: Record<string, Buffer> = {};
const hashes: Record<string, string> = {};

async function family(id: string, seed: number): Promise<void> {
  const path = join(dir.path, `${id}.gguf`);
  await FAMILIES.find((f) => f.id === id)!.write(path, ternaryWeights(seed).source);
  files[id] = readFileSync(path);
  hashes[id] = await sha256File(path);
}

beforeAll(async () => {
  dir = makeTempDir();
  await family('trilm-tq2', 1);
  await family('bonsai-q1', 2);
  await family('falcon3-i2s', 3);
  // A few MiB, so that a dropped connection or a pause resumes part-way.
  const large = join(dir.path, 'large.gguf');
  await largeModel(large, 4);
  files.large = readFileSync(large);
  hashes.large = await sha256File(large);
  services = await servicesWithoutEmbeddedModel(join(dir.path, 'data'), join(dir.path, 'absent.gguf'));
}, 120_000);
afterAll(async () => {
  await services.shutdown();
  dir.remove();
});

const entry = (name: string, id: string, change: Partial<CatalogEntryInput> = {}) => testEntry(name, files[id]!, { sha256: hashes[id]!, ...change });

let counter = 0;
/** A ModelDownloads of its own over a fresh downloads folder and `server`. */
function downloadsFor(server: HfServer, entries: CatalogEntryInput[], options: { stallMs?: number } = {}) {
  const downloadsDir = join(dir.path, `downloads-${++counter}`);
  const statuses: DownloadStatus[] = [];
  const stop = services.hub.on('models.download', (s) => statuses.push(s));
  const downloads = new ModelDownloads(services.hub, services.inference, { dir: downloadsDir, catalog: entries.map((e) => CatalogEntry.parse(e)), mirror: server.endpoint, ...options });
  return { downloads, downloadsDir, statuses, stop };
}

describe('getting a catalog model', () => {
  it('downloads through the 302 to the content URL, checks the SHA-256, registers it and makes it the default', async () => {
    const e = entry('full', 'trilm-tq2');
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes: files['trilm-tq2']! }]);
    const { downloads, downloadsDir, statuses, stop } = downloadsFor(server, [e]);
    const { status, model } = await downloads.get('full');
    stop();
    expect(status).toMatchObject({ state: 'done', modelId: expect.any(Number), message: /ready and is the default model: its SHA-256 matches/ });
    expect(model).toMatchObject({ architecture: 'llama', weightType: 'TQ2_0', isDefault: true, sha256: hashes['trilm-tq2'], path: downloadPath(downloadsDir, CatalogEntry.parse(e)) });
    expect(server.requests.some((r) => r.url === `/${e.repo}/resolve/main/${e.file}`)).toBe(true);
    expect(server.requests.some((r) => r.url.startsWith('/cdn/'))).toBe(true);
    expect(statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['downloading', 'adding', 'done']));
    expect(readdirSync(downloadsDir)).toEqual([`full__${e.file}`]);
    const listed = (await downloads.catalog()).find((i) => i.name === 'full')!;
    expect(listed).toMatchObject({ modelId: model!.id, partialBytes: 0, download: { state: 'done' } });
    // Getting it again downloads nothing.
    const before = server.requests.length;
    expect((await downloads.get('full')).status).toMatchObject({ state: 'done', message: /already here/ });
    expect(server.requests.length).toBe(before);
  }, 120_000);

  it("converts bitnet.cpp's I2_S on arrival, and keeps only the converted copy", async () => {
    const e = entry('falcon', 'falcon3-i2s', { format: 'I2_S' });
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes: files['falcon3-i2s']! }]);
    const { downloads, downloadsDir, stop } = downloadsFor(server, [e]);
    const { status, model } = await downloads.get('falcon', { keepDefault: true });
    stop();
    expect(status).toMatchObject({ state: 'done', message: /the downloaded I2_S file was removed/ });
    expect(model).toMatchObject({ weightType: 'TQ2_0', convertedFrom: downloadPath(downloadsDir, CatalogEntry.parse(e)) });
    expect(existsSync(model!.convertedFrom!)).toBe(false);
    expect(existsSync(model!.path)).toBe(true);
    expect((await downloads.catalog())[0]).toMatchObject({ modelId: model!.id });
  }, 120_000);

  it('resumes with a Range request after the connection drops mid-file', async () => {
    const e = entry('dropped', 'large');
    const bytes = files.large!;
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes }], { dropAfterBytes: Math.floor(bytes.length / 3) });
    const { downloads, stop } = downloadsFor(server, [e]);
    const { status, model } = await downloads.get('dropped', { keepDefault: true });
    stop();
    expect(status).toMatchObject({ state: 'done' });
    expect(model!.sha256).toBe(hashes.large);
    const ranged = server.requests.filter((r) => r.url.startsWith('/cdn/') && r.range && !/^bytes=0-/.test(r.range));
    expect(ranged.length).toBeGreaterThan(0);
  }, 120_000);

  it('pauses with the partial file kept, and resumes from it instead of starting over', async () => {
    const e = entry('paused', 'large');
    const bytes = files.large!;
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes }]);
    // The mirror sends exactly this much, then holds: the pause finds the download half there, whatever the timing.
    const half = 16384 * Math.floor(bytes.length / 2 / 16384);
    server.holdAt(half);
    const { downloads, downloadsDir, stop } = downloadsFor(server, [e]);
    const partialFile = join(downloadsDir, `paused__${e.file}.partial`);
    let latest: DownloadStatus | undefined;
    downloads.start('paused', { keepDefault: true, onStatus: (s) => (latest = s) });
    await waitFor(() => existsSync(partialFile) && statSync(partialFile).size >= half);
    // The data stopped: the progress still shows every byte that arrived.
    await waitFor(() => latest?.downloaded === half);
    const paused = await downloads.pause('paused');
    expect(paused).toMatchObject({ state: 'paused', message: /received so far are kept in .*\.partial; getting it again resumes there/ });
    const partial = (await downloads.catalog())[0]!.partialBytes;
    expect(partial).toBeGreaterThan(bytes.length * 0.4);
    // Progress counts the bytes on disk: the partial file is exactly that long.
    expect(statSync(partialFile).size).toBe(partial);
    expect(partial).toBe(half);
    const requestsBefore = server.requests.length;
    server.holdAt(undefined);
    const { status, model } = await downloads.get('paused', { keepDefault: true });
    stop();
    expect(status.state).toBe('done');
    expect(model!.sha256).toBe(hashes.large);
    // The resumed download asked for what was missing only, and proved it is the same file.
    const resumed = server.requests.slice(requestsBefore).filter((r) => r.url.startsWith('/cdn/'));
    expect(resumed).toEqual([expect.objectContaining({ range: `bytes=${partial}-`, ifRange: `"${hashes.large}"` })]);
  }, 120_000);

  it('refuses a file whose SHA-256 differs, removes it and registers nothing', async () => {
    const e = entry('tampered', 'trilm-tq2', { sha256: hashes['bonsai-q1']!, sizeExact: false });
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes: files['trilm-tq2']! }]);
    const { downloads, downloadsDir, stop } = downloadsFor(server, [e]);
    const models = services.inference.list().length;
    const { status, model } = await downloads.get('tampered');
    stop();
    expect(status).toMatchObject({ state: 'failed', message: new RegExp(`arrived damaged or changed: its SHA-256 is ${hashes['trilm-tq2']}, the catalog expects ${hashes['bonsai-q1']}\\. The file was removed and nothing was registered`) });
    expect(model).toBeUndefined();
    expect(readdirSync(downloadsDir)).toEqual([]);
    expect(services.inference.list().length).toBe(models);
  }, 60_000);

  it('refuses before fetching anything when the disk lacks the room', async () => {
    const e = entry('huge', 'trilm-tq2', { sizeBytes: 2 ** 52, sizeExact: false, sha256: null });
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes: files['trilm-tq2']! }]);
    const { downloads, downloadsDir, stop } = downloadsFor(server, [e]);
    const { status } = await downloads.get('huge');
    stop();
    expect(status).toMatchObject({ state: 'failed', message: /needs 4\.00 PiB free in .*; only .* is free: make room, or choose a smaller model\. Nothing was downloaded\./ });
    expect(server.requests).toEqual([]);
    expect(readdirSync(downloadsDir)).toEqual([]);
  }, 30_000);

  it('cancels a running download and removes what arrived', async () => {
    const e = entry('cancelled', 'trilm-tq2');
    const bytes = files['trilm-tq2']!;
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes }], { bytesPerSecond: Math.ceil(bytes.length / 6) });
    const { downloads, downloadsDir, stop } = downloadsFor(server, [e]);
    let latest: DownloadStatus | undefined;
    downloads.start('cancelled', { onStatus: (s) => (latest = s) });
    await waitFor(() => (latest?.downloaded ?? 0) > 0);
    const cancelled = await downloads.cancel('cancelled');
    stop();
    expect(cancelled).toMatchObject({ state: 'cancelled', message: /Cancelled Test cancelled/ });
    expect(readdirSync(downloadsDir)).toEqual([]);
  }, 60_000);

  it('says what the mirror answered when it lacks the file, and pauses a download that stops arriving', async () => {
    const missing = entry('missing', 'trilm-tq2');
    const stalls = entry('stalls', 'trilm-tq2');
    const bytes = files['trilm-tq2']!;
    await using server = await startHfServer([{ key: `${stalls.repo}/${stalls.file}`, bytes }]);
    const { downloads, stop } = downloadsFor(server, [missing, stalls], { stallMs: 1500 });
    const notFound = await downloads.get('missing');
    expect(notFound.status).toMatchObject({ state: 'failed', message: /Could not download Test missing from the mirror http:\/\/127\.0\.0\.1:\d+\/: .*404/ });
    // A first piece, then nothing: the download stops arriving.
    server.holdAt(16384);
    const stalled = await downloads.get('stalls');
    stop();
    expect(stalled.status).toMatchObject({ state: 'paused', message: /stopped arriving: no data for 2 s from the mirror/ });
    await downloads.cancel('stalls');
  }, 60_000);

  it('takes the file from a mirror folder without the network', async () => {
    const e = entry('folder', 'bonsai-q1', { architecture: 'qwen3', format: 'Q1_0' });
    const mirror = join(dir.path, 'mirror');
    mkdirSync(join(mirror, e.repo), { recursive: true });
    writeFileSync(join(mirror, e.repo, e.file), files['bonsai-q1']!);
    const downloads = new ModelDownloads(services.hub, services.inference, { dir: join(dir.path, 'downloads-folder'), catalog: [CatalogEntry.parse(e)], mirror });
    expect(downloads.source).toBe(`the mirror folder ${mirror} (LIGHTSEED_MODEL_MIRROR)`);
    const { status, model } = await downloads.get('folder', { keepDefault: true });
    expect(status.message).toMatch(/is ready/);
    expect(model!.sha256).toBe(hashes['bonsai-q1']);
  }, 60_000);
});
