// `npm start` without an Electron binary (as on a headless box) falls back to browser mode, and
// before `npm install` has finished, it and the CLI say so in one line.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
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

  it('says in one line to run npm install first when the dependencies are not installed', () => {
    // A checkout before `npm install`, or after an install that failed and rolled back.
    const dir = makeTempDir();
    cpSync(join(REPO_ROOT, 'scripts'), join(dir.path, 'scripts'), { recursive: true });
    cpSync(join(REPO_ROOT, 'bin'), join(dir.path, 'bin'), { recursive: true });
    cpSync(join(REPO_ROOT, 'package.json'), join(dir.path, 'package.json'));
    const start = spawnSync(process.execPath, ['scripts/start.js'], { cwd: dir.path, encoding: 'utf8', timeout: 20_000 });
    expect(start.status).toBe(1);
    expect(start.stdout).toBe('');
    expect(start.stderr).toBe("LightSeed's dependencies are not installed (or their install did not finish): run `npm install` first. (missing: node_modules/electron-vite/bin/electron-vite.js)\n");
    // The CLI, built but without the packages it loads.
    cpSync(join(REPO_ROOT, 'out/main'), join(dir.path, 'out/main'), { recursive: true });
    mkdirSync(join(dir.path, 'node_modules'));
    const cli = spawnSync(process.execPath, ['bin/lightseed.js', 'agents'], { cwd: dir.path, encoding: 'utf8', timeout: 20_000 });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/^lightseed: [@\w/.-]+ is not installed \(the install did not finish\): run `npm install` in the LightSeed folder first\.\n$/);
    dir.remove();
  });
});
