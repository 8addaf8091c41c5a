// Getting a model from a server that misbehaves the way real mirrors, proxies and captive
// portals do (test/helpers/hf-server.ts's modes), one case per row of what once went wrong:
// every download ends in a sentence, never writes more than was promised, never splices two
// files, gives up in bounded time, and never touches a model that is already registered.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadStatus } from '../../electron/api/contract.std';
import { CatalogEntry, type CatalogEntryInput } from '../../electron/catalog/catalog.std';
import { readCatalogFile } from '../../electron/catalog/catalog-file.node';
import { downloadPath } from '../../electron/catalog/model-download.node';
import type { AppServices } from '../../electron/services/app-services.node';
import { ModelDownloads } from '../../electron/services/model-downloads.node';
import { startHfServer, type HfServer, type HostileMode } from '../helpers/hf-server';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { BIN, startServe } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';
import { canMount, unmount } from '../helpers/can-mount';
import { largeModel, servicesWithoutEmbeddedModel, testEntry } from '../helpers/download-fixtures';
import { waitFor } from '../helpers/wait-for';
import { apiClient } from '../helpers/ws-client';

const mountable = canMount();

let dir: ReturnType<typeof makeTempDir>;
let services: AppServices;
const files: Record<string, Buffer> = {};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function large(name: string, seed: number): Promise<void> {
  const path = join(dir.path, `${name}.gguf`);
  await largeModel(path, seed);
  files[name] = readFileSync(path);
}

beforeAll(async () => {
  dir = makeTempDir();
  await large('large', 4);
  await large('other', 5); // the same shape, other weights: the same size
  for (const [id, seed] of [
    ['trilm-tq2', 1],
    ['bonsai-q1', 2],
    ['falcon3-i2s', 3],
  ] as const) {
    const path = join(dir.path, `${id}.gguf`);
    await FAMILIES.find((f) => f.id === id)!.write(path, ternaryWeights(seed).source);
    files[id] = readFileSync(path);
  }
  services = await servicesWithoutEmbeddedModel(join(dir.path, 'data'), join(dir.path, 'absent.gguf'));
}, 120_000);
afterAll(async () => {
  await services.shutdown();
  dir.remove();
});

const entry = (name: string, id: string, change: Partial<CatalogEntryInput> = {}) => testEntry(name, files[id]!, change);

let counter = 0;
function downloadsFor(server: HfServer, entries: CatalogEntryInput[], options: { stallMs?: number; retryForMs?: number } = {}) {
  const downloadsDir = join(dir.path, `downloads-${++counter}`);
  const downloads = new ModelDownloads(services.hub, services.inference, { dir: downloadsDir, catalog: entries.map((e) => CatalogEntry.parse(e)), mirror: server.endpoint, ...options });
  return { downloads, downloadsDir };
}

async function serve(e: CatalogEntryInput, id: string, mode?: HostileMode) {
  return startHfServer([{ key: `${e.repo}/${e.file}`, bytes: files[id]! }], mode ? { mode } : {});
}

describe('a server that sends more than it promised', () => {
  it('a body that never ends: stopped at the catalog size, nothing kept', async () => {
    const e = entry('endless', 'large');
    await using server = await serve(e, 'large', 'endless');
    const { downloads, downloadsDir } = downloadsFor(server, [e]);
    const { status } = await downloads.get('endless', { keepDefault: true });
    expect(status).toMatchObject({ state: 'failed', message: expect.stringMatching(/sent more than the [\d,]+ bytes the catalog gives: the download was stopped and what arrived removed/) });
    expect(readdirSync(downloadsDir).filter((f) => !f.endsWith('.lock'))).toEqual([]);
    // It wrote at most the catalog size: the server sent a little more before the connection closed, never the disk.
    expect(server.sentBytes()).toBeLessThan(files.large!.length + 8 * 2 ** 20);
  });

  it('a body longer than its Content-Length: refused, nothing kept', async () => {
    const e = entry('oversize', 'large', { sizeExact: false, sizeBytes: files.large!.length });
    await using server = await serve(e, 'large', 'oversize');
    const { downloads, downloadsDir } = downloadsFor(server, [e]);
    const { status } = await downloads.get('oversize', { keepDefault: true });
    // HTTP framing ends the body at its Content-Length: what follows is no part of the file.
    if (status.state === 'done') expect(services.inference.list().find((m) => m.id === status.modelId)!.sha256).toBe(sha256(files.large!));
    else expect(status.message).toMatch(/^Could not download Test oversize: /);
    expect(readdirSync(downloadsDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('resuming', () => {
  it('a range answered with the whole file starts over instead of failing or splicing', async () => {
    const e = entry('no-range', 'large');
    const bytes = files.large!;
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes }], { bytesPerSecond: Math.ceil(bytes.length / 4) });
    const { downloads } = downloadsFor(server, [e]);
    let latest: DownloadStatus | undefined;
    downloads.start('no-range', { keepDefault: true, onStatus: (s) => (latest = s) });
    await waitFor(() => (latest?.downloaded ?? 0) > bytes.length * 0.3);
    expect((await downloads.pause('no-range')).state).toBe('paused');
    server.setRate(undefined);
    server.setMode('ignore-range');
    const { status, model } = await downloads.get('no-range', { keepDefault: true });
    expect(status.state).toBe('done');
    expect(model!.sha256).toBe(sha256(bytes));
    expect(server.requests.filter((r) => r.url.startsWith('/cdn/')).at(-1)!.range).toMatch(/^bytes=\d+-$/);
  });

  it('a file replaced upstream between a pause and the resume is downloaded whole, never spliced, and its hash is recorded', async () => {
    const e = entry('replaced', 'large');
    const before = files.large!;
    const after = files.other!;
    expect(after.length).toBe(before.length);
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes: before }], { bytesPerSecond: Math.ceil(before.length / 4) });
    const { downloads } = downloadsFor(server, [e]);
    let latest: DownloadStatus | undefined;
    downloads.start('replaced', { keepDefault: true, onStatus: (s) => (latest = s) });
    await waitFor(() => (latest?.downloaded ?? 0) > before.length * 0.3);
    await downloads.pause('replaced');
    server.setRate(undefined);
    server.replace(`${e.repo}/${e.file}`, after);
    const { status, model } = await downloads.get('replaced', { keepDefault: true });
    expect(status).toMatchObject({ state: 'done', message: expect.stringContaining(`no SHA-256 was published for it; it had ${sha256(after)}`) });
    expect(model!.sha256).toBe(sha256(after));
    // The resume named the first file by its ETag; the server said it changed and sent the new one whole.
    const resumed = server.requests.filter((r) => r.url.startsWith('/cdn/') && r.range).at(-1)!;
    expect(resumed.ifRange).toBe(`"${sha256(before)}"`);
  });

  it('every response cut in half still arrives whole, resuming each time', async () => {
    const e = entry('halves', 'trilm-tq2');
    await using server = await serve(e, 'trilm-tq2', 'cut-half');
    const { downloads } = downloadsFor(server, [e]);
    const { status, model } = await downloads.get('halves', { keepDefault: true });
    expect(status.state).toBe('done');
    expect(model!.sha256).toBe(sha256(files['trilm-tq2']!));
    expect(server.requests.filter((r) => r.range).length).toBeGreaterThan(3);
  }, 60_000);
});

describe('bounded waits', () => {
  it('a redirect loop stops after 10 redirects', async () => {
    const e = entry('loop', 'large');
    await using server = await serve(e, 'large', 'redirect-loop');
    const { downloads } = downloadsFor(server, [e]);
    const { status } = await downloads.get('loop', { keepDefault: true });
    expect(status).toMatchObject({ state: 'failed', message: expect.stringContaining('redirected the download more than 10 times (a loop?), so it stopped') });
    expect(server.requests.length).toBe(11);
  });

  for (const [mode, scheme] of [
    ['redirect-file', 'file'],
    ['redirect-ftp', 'ftp'],
    ['redirect-data', 'data'],
  ] as const) {
    it(`a redirect to ${scheme}: is not followed`, async () => {
      const e = entry(`to-${scheme}`, 'large');
      await using server = await serve(e, 'large', mode);
      const { downloads } = downloadsFor(server, [e]);
      const { status } = await downloads.get(`to-${scheme}`, { keepDefault: true });
      expect(status).toMatchObject({ state: 'failed', message: expect.stringContaining(`redirected the download to a ${scheme} address, which LightSeed does not follow (http and https only)`) });
    });
  }

  it('500 on every request gives up with the status, within the retry budget', async () => {
    const e = entry('broken', 'large');
    await using server = await serve(e, 'large', 'error-500');
    const { downloads } = downloadsFor(server, [e], { retryForMs: 1500 });
    const started = Date.now();
    const { status } = await downloads.get('broken', { keepDefault: true });
    expect(status).toMatchObject({ state: 'failed', message: expect.stringMatching(/kept failing for \d+ s \(it answered 500 Internal Server Error\), so the download stopped/) });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(server.requests.length).toBeGreaterThan(1);
  });

  it('a first request that is never answered stalls and pauses, and a pause during it returns at once', async () => {
    const e = entry('silent', 'large');
    await using server = await serve(e, 'large', 'hang');
    const { downloads } = downloadsFor(server, [e], { stallMs: 600 });
    const { status } = await downloads.get('silent', { keepDefault: true });
    expect(status).toMatchObject({ state: 'paused', message: expect.stringContaining('sent nothing for 1 s') });
    const patient = downloadsFor(server, [e]).downloads;
    patient.start('silent', { keepDefault: true });
    await waitFor(() => server.requests.length >= 2);
    const asked = Date.now();
    expect((await patient.pause('silent')).state).toBe('paused');
    expect(Date.now() - asked).toBeLessThan(2000);
  });
});

describe('what is registered stays as it is', () => {
  it('cancel after the download finished refuses and leaves the model and the default alone', async () => {
    const e = entry('finished', 'trilm-tq2');
    await using server = await serve(e, 'trilm-tq2');
    const { downloads } = downloadsFor(server, [e]);
    const { model } = await downloads.get('finished');
    await expect(downloads.cancel('finished')).rejects.toThrow(`Test finished is not being downloaded: it arrived and is model #${model!.id}, which cancel leaves as it is.`);
    expect(existsSync(model!.path)).toBe(true);
    expect(services.inference.list().find((m) => m.isDefault)!.id).toBe(model!.id);
  });

  it('two bitnet.cpp files with the same name get copies of their own', async () => {
    const a = join(dir.path, 'A');
    const b = join(dir.path, 'B');
    mkdirSync(a);
    mkdirSync(b);
    await FAMILIES.find((f) => f.id === 'falcon3-i2s')!.write(join(a, 'ggml-model-i2_s.gguf'), ternaryWeights(11).source);
    await FAMILIES.find((f) => f.id === 'falcon3-i2s')!.write(join(b, 'ggml-model-i2_s.gguf'), ternaryWeights(12).source);
    const first = await services.inference.add(join(a, 'ggml-model-i2_s.gguf'));
    const firstBytes = readFileSync(first.path);
    const second = await services.inference.add(join(b, 'ggml-model-i2_s.gguf'));
    expect(second.path).not.toBe(first.path);
    expect(readFileSync(first.path).equals(firstBytes)).toBe(true);
    expect(services.inference.list().find((m) => m.id === first.id)!.sha256).toBe(first.sha256);
  });

  it('a file of another architecture than the entry says is refused in words and removed', async () => {
    const e = entry('wrong-arch', 'bonsai-q1', { format: 'Q1_0' });
    await using server = await serve(e, 'bonsai-q1');
    const { downloads, downloadsDir } = downloadsFor(server, [e]);
    const models = services.inference.list().length;
    const { status } = await downloads.get('wrong-arch', { keepDefault: true });
    expect(status).toMatchObject({ state: 'failed', message: 'What arrived from the mirror ' + server.endpoint + ' is not Test wrong-arch: it is a qwen3 model, where the catalog describes Test wrong-arch as llama. The file was removed and nothing was registered.' });
    expect(services.inference.list().length).toBe(models);
    expect(readdirSync(downloadsDir).filter((f) => f.endsWith('.gguf'))).toEqual([]);
  });
});

describe('names and locks', () => {
  it('refuses ".." in a repository or revision, and keeps two entries from sharing a download file', () => {
    const file = join(dir.path, 'bad-catalog.json');
    for (const change of [{ repo: 'lightseed-test/..' }, { repo: '../x' }, { revision: '..' }, { revision: 'a/../b' }]) {
      writeFileSync(file, JSON.stringify([entry('dots', 'large', change)]));
      expect(() => readCatalogFile(file), JSON.stringify(change)).toThrow(/has a bad entry/);
    }
    const one = CatalogEntry.parse(entry('a', 'large', { file: 'b--c.gguf' }));
    const two = CatalogEntry.parse(entry('a--b', 'large', { file: 'c.gguf' }));
    expect(downloadPath('/d', one)).not.toBe(downloadPath('/d', two));
  });

  it('a download another process holds is refused in a sentence; a lock left by a process that is gone is taken over', async () => {
    const e = entry('locked', 'trilm-tq2');
    await using server = await serve(e, 'trilm-tq2');
    const { downloads, downloadsDir } = downloadsFor(server, [e]);
    mkdirSync(downloadsDir, { recursive: true });
    const lock = `${downloadPath(downloadsDir, CatalogEntry.parse(e))}.lock`;
    const holder: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(lock, String(holder.pid));
      const { status } = await downloads.get('locked', { keepDefault: true });
      expect(status).toMatchObject({ state: 'failed', message: `Test locked is already being downloaded by another LightSeed (process ${holder.pid}): it continues there.` });
    } finally {
      holder.kill();
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    const { status } = await downloads.get('locked', { keepDefault: true });
    expect(status.state).toBe('done');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('progress', () => {
  it('counts the bytes on disk', async () => {
    const e = entry('honest', 'large');
    const bytes = files.large!;
    await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes }], { bytesPerSecond: Math.ceil(bytes.length / 4) });
    const { downloads, downloadsDir } = downloadsFor(server, [e]);
    let latest: DownloadStatus | undefined;
    downloads.start('honest', { keepDefault: true, onStatus: (s) => (latest = s) });
    await waitFor(() => (latest?.downloaded ?? 0) > bytes.length * 0.2);
    const paused = await downloads.pause('honest');
    expect(paused.downloaded).toBe(statSync(join(downloadsDir, `honest__${e.file}.partial`)).size);
  });
});

/**
 * Fills the disk holding `path` to its last block. The download goes on writing meanwhile, so
 * the space free a moment ago may no longer be there: it writes until the disk refuses.
 */
function fillUp(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!mountable)(`a disk that fills during the download${mountable ? '' : ' (skipped: needs root and permission to mount a tmpfs)'}`, () => {
  it('says so in a sentence naming the folder, keeps what arrived, and resumes once there is room', { timeout: 60_000 }, async () => {
    const disk = join(dir.path, 'small-disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128m', 'tmpfs', disk]); // the file is 22 MiB; 64 MiB are kept free besides
    try {
      const e = entry('filling', 'large');
      const bytes = files.large!;
      await using server = await startHfServer([{ key: `${e.repo}/${e.file}`, bytes }], { bytesPerSecond: Math.ceil(bytes.length / 4) });
      const downloadsDir = join(disk, 'downloads');
      const downloads = new ModelDownloads(services.hub, services.inference, { dir: downloadsDir, catalog: [CatalogEntry.parse(e)], mirror: server.endpoint });
      let latest: DownloadStatus | undefined;
      downloads.start('filling', { keepDefault: true, onStatus: (s) => (latest = s) });
      await waitFor(() => (latest?.downloaded ?? 0) > bytes.length * 0.2 || latest?.state !== 'downloading');
      expect(latest?.state, latest?.message ?? '').toBe('downloading');
      fillUp(join(disk, 'filler'));
      await waitFor(() => latest?.state !== 'downloading');
      expect(latest).toMatchObject({ state: 'paused', message: expect.stringMatching(new RegExp(`^Could not download Test filling: The disk holding ${downloadsDir} is full: the rest of the file needs [\\d.]+ [KM]iB and 0 B is free\\. The [\\d.]+ [KM]iB received are kept in ${downloadsDir}; make room and get it again to resume\\.`)) });
      const kept = latest!.downloaded;
      expect(kept).toBeGreaterThan(0);
      rmSync(join(disk, 'filler'));
      server.setRate(undefined);
      const { status, model } = await downloads.get('filling', { keepDefault: true });
      expect(status.state).toBe('done');
      expect(model!.sha256).toBe(sha256(bytes));
      expect(server.requests.filter((r) => r.range === `bytes=${kept}-`).length).toBeGreaterThan(0);
      services.inference.remove(model!.id);
    } finally {
      await unmount(disk);
    }
  });
});

describe('through the CLI and the browser-mode API', () => {
  it('models get ends in one sentence with status 1 against a server that sends too much', async () => {
    const e = entry('cli-endless', 'large');
    await using server = await serve(e, 'large', 'endless');
    const catalog = join(dir.path, 'cli-catalog.json');
    writeFileSync(catalog, JSON.stringify([e]));
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--data-dir', join(dir.path, 'cli-data'), 'models', 'get', 'cli-endless'], {
        env: { ...process.env, LIGHTSEED_MODEL_CATALOG: catalog, LIGHTSEED_MODEL_MIRROR: server.endpoint },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/sent more than the [\d,]+ bytes the catalog gives: the download was stopped and what arrived removed/);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
  });

  it('the server that serves the window survives a failed download and answers the next call', async () => {
    const e = entry('api-loop', 'large');
    await using hostile = await serve(e, 'large', 'redirect-loop');
    const catalog = join(dir.path, 'api-catalog.json');
    writeFileSync(catalog, JSON.stringify([e]));
    const server = await startServe(join(dir.path, 'api-data'), { LIGHTSEED_MODEL_CATALOG: catalog, LIGHTSEED_MODEL_MIRROR: hostile.endpoint });
    try {
      const c = await apiClient(server.port, server.token);
      await c.subscribe('models.download');
      await c.call('models.get', { name: 'api-loop' });
      const ended = await c.next((m) => m.t === 'event' && (m.payload as { state?: string }).state === 'failed');
      expect(JSON.stringify(ended)).toContain('redirected the download more than 10 times');
      expect(await c.call('app.ping', { nonce: 'still here' })).toMatchObject({ t: 'result', ok: true });
      c.ws.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
