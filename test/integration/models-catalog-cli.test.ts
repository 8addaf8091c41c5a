// `lightseed models catalog` and `models get` as a user types them: the known models listed
// without the network, then a model got from a local Hugging Face-like mirror with a progress
// bar, registered, made the default and used by `generate`.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_MODELS } from '../../electron/catalog/catalog.std';
import { sha256File } from '../../electron/files/sha256-file.node';
import { BIN, runCli } from '../helpers/cli';
import { startHfServer } from '../helpers/hf-server';
import { FAMILIES, ternaryWeights } from '../helpers/model-families';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let model: Buffer;
let catalogFile: string;

/** The CLI as a child process that does not block this one (the mirror runs here). */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', join(dir.path, 'data'), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = makeTempDir();
  const path = join(dir.path, 'bonsai.gguf');
  await FAMILIES.find((f) => f.id === 'bonsai-q1')!.write(path, ternaryWeights(7).source);
  model = readFileSync(path);
  catalogFile = join(dir.path, 'catalog.json');
  writeFileSync(
    catalogFile,
    JSON.stringify([
      {
        name: 'tiny-bonsai',
        title: 'Tiny Bonsai',
        summary: 'A tiny qwen3 Q1_0 model made by the test.',
        parameters: 5e6,
        format: 'Q1_0',
        architecture: 'qwen3',
        licence: 'MIT',
        repo: 'lightseed-test/Tiny-Bonsai-gguf',
        file: 'Tiny-Bonsai-Q1_0.gguf',
        sizeBytes: model.length,
        sizeExact: true,
        sha256: await sha256File(path),
        contextLength: 1024,
        blockCount: 2,
        keyWidth: 128,
        chat: true,
      },
    ]),
  );
}, 60_000);
afterAll(() => dir.remove());

describe('models catalog and models get', () => {
  it('lists every known model with size, memory, licence and hash, contacting nothing', () => {
    const { status, stdout } = runCli(['--data-dir', join(dir.path, 'data'), 'models', 'catalog']);
    expect(status).toBe(0);
    for (const entry of KNOWN_MODELS) expect(stdout).toContain(`${entry.name}: ${entry.title}`);
    expect(stdout).toMatch(/bonsai-1\.7b: PrismML Bonsai 1\.7B, 1\.7B parameters, Q1_0 \(qwen3\), 237 MiB, needs about \d+ MiB of memory, Apache-2\.0/);
    expect(stdout).toContain('huggingface.co/prism-ml/Bonsai-1.7B-gguf Bonsai-1.7B-Q1_0.gguf @ 210a9e99f79c, sha256 3d7c6c90dd98717a203adb22d5eacd2581850e40aa5327e144b97766cae5f7e3');
    expect(stdout).toContain('Listing these contacted nothing. `lightseed models get NAME` downloads from huggingface.co.');
    const json = JSON.parse(runCli(['--data-dir', join(dir.path, 'data'), 'models', 'catalog', '--json']).stdout) as { entries: { name: string; memoryBytes: number }[] };
    expect(json.entries.map((e) => e.name)).toEqual(KNOWN_MODELS.map((e) => e.name));
  });

  it('gets a model from the mirror with progress, makes it the default, and generates with it', async () => {
    await using server = await startHfServer([{ key: 'lightseed-test/Tiny-Bonsai-gguf/Tiny-Bonsai-Q1_0.gguf', bytes: model }]);
    const env = { LIGHTSEED_MODEL_MIRROR: server.endpoint, LIGHTSEED_MODEL_CATALOG: catalogFile };
    const got = await cli(['models', 'get', 'tiny-bonsai'], env);
    expect(got.stderr).toMatch(/tiny-bonsai: .* \/ .* \(100%\)/);
    expect(got.stderr).toMatch(/Tiny Bonsai is ready and is the default model: its SHA-256 matches the published one\./);
    expect(got.status).toBe(0);
    expect(got.stdout).toMatch(/\(default\) .*: qwen3, .*1-bit \(Q1_0/);
    const generated = await cli(['generate', '--prompt', 'A seed', '--max-tokens', '8', '--temperature', '0'], env);
    expect(generated.status).toBe(0);
    expect(generated.stderr).toMatch(/\d+ tokens, [\d.]+ tokens\/s/);
    // Asked again, nothing is downloaded.
    const before = server.requests.length;
    const again = await cli(['models', 'get', 'tiny-bonsai'], env);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/was already here/);
    expect(server.requests.length).toBe(before);
  }, 120_000);

  it('names what is wrong: an unknown model, a mirror without the file, a bad catalog file', async () => {
    const unknown = runCli(['--data-dir', join(dir.path, 'data'), 'models', 'get', 'no-such-model']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/There is no model "no-such-model" in the catalog: `lightseed models catalog` lists them\./);
    await using server = await startHfServer([]);
    const missing = await cli(['models', 'get', 'bonsai-1.7b'], { LIGHTSEED_MODEL_MIRROR: server.endpoint });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/Could not download PrismML Bonsai 1\.7B: the mirror http:\/\/127\.0\.0\.1:\d+\/ answered 404 Not Found for the file\./);
    const badCatalog = join(dir.path, 'bad.json');
    writeFileSync(badCatalog, JSON.stringify([{ name: 'Bad Name!' }]));
    const bad = runCli(['--data-dir', join(dir.path, 'data'), 'models', 'catalog'], { LIGHTSEED_MODEL_CATALOG: badCatalog });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/The model catalog .*bad\.json \(LIGHTSEED_MODEL_CATALOG\) has a bad entry at 0\.name/);
  }, 60_000);
});
