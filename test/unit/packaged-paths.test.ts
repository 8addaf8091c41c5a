// Paths a packaged app hands to native code, and what a crashed engine's stderr says.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashReason } from '../../electron/inference/engine-client.node';
import { unpackedPath } from '../../electron/paths/build-paths.node';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  dir = makeTempDir();
  mkdirSync(join(dir.path, 'resources', 'app.asar.unpacked', 'models'), { recursive: true });
  writeFileSync(join(dir.path, 'resources', 'app.asar'), 'an archive');
  writeFileSync(join(dir.path, 'resources', 'app.asar.unpacked', 'models', 'm.gguf'), 'GGUF');
});
afterAll(() => dir.remove());

describe('unpackedPath', () => {
  it('points a path inside app.asar at its unpacked copy', () => {
    expect(unpackedPath(join(dir.path, 'resources', 'app.asar', 'models', 'm.gguf'))).toBe(join(dir.path, 'resources', 'app.asar.unpacked', 'models', 'm.gguf'));
  });

  it('leaves paths with no unpacked copy, and paths outside any archive, alone', () => {
    const packedOnly = join(dir.path, 'resources', 'app.asar', 'out', 'main', 'index.js');
    expect(unpackedPath(packedOnly)).toBe(packedOnly);
    expect(unpackedPath('/home/ada/models/m.gguf')).toBe('/home/ada/models/m.gguf');
    expect(unpackedPath('/srv/app.asar.d/m.gguf')).toBe('/srv/app.asar.d/m.gguf');
  });
});

describe('crashReason', () => {
  it("finds the error line of an uncaught exception, not Node's version line", () => {
    const stderr = [
      'file:///app/out/main/engine-worker.js:12',
      '    throw new Error(x);',
      '    ^',
      '',
      'Error: Cannot find module "@node-llama-cpp/linux-x64"',
      '    at resolve (node:internal/modules/esm/resolve:1:1)',
      '    at next (node:internal/modules/esm/loader:2:2)',
      '',
      'Node.js v20.20.2',
    ].join('\n');
    expect(crashReason(stderr)).toBe('Error: Cannot find module "@node-llama-cpp/linux-x64"');
    expect(crashReason('TypeError [ERR_INVALID_ARG_TYPE]: The "path" argument must be of type string\n    at x (y:1:1)\nNode.js v20.20.2\n')).toBe(
      'TypeError [ERR_INVALID_ARG_TYPE]: The "path" argument must be of type string',
    );
  });

  it('falls back to the last line that is not a stack frame, and to nothing for silence', () => {
    expect(crashReason('ggml_abort: GGML_ASSERT(n_tokens > 0) failed\nAborted\n')).toBe('Aborted');
    expect(crashReason('   \n')).toBeUndefined();
  });
});
