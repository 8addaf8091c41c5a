// `npm start` without an Electron binary (as on a headless box) falls back to browser mode.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

function electronInstalled(): boolean {
  try {
    createRequire(import.meta.url)('electron');
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it.skipIf(electronInstalled())('says in one line that Electron is missing and serves the browser mode instead', async () => {
    const dir = makeTempDir();
    const child = spawn(process.execPath, ['scripts/start.js', '--port', '0', '--data-dir', dir.path], {
      cwd: REPO_ROOT,
      env: { ...process.env, LIGHTSEED_SKIP_BUILD: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 20_000);
      child.stdout.on('data', () => {
        if (/#token=\S+\n/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const lines = output.trim().split('\n');
    expect(lines[0]).toBe('The Electron binary is not installed here, so LightSeed starts in browser mode instead.');
    expect(lines[1]).toMatch(/^LightSeed .*browser mode$/);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    dir.remove();
  });
});
