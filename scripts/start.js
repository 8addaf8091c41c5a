#!/usr/bin/env node
// `npm start`: the Electron app when its binary is installed, otherwise browser mode.
// Arguments after `npm start --` go to `lightseed serve` in browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const electronVite = fileURLToPath(new URL('../node_modules/electron-vite/bin/electron-vite.js', import.meta.url));

function electronBinary() {
  try {
    const path = require('electron'); // the path of the binary, or a throw when it was never downloaded
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined; // no binary: handled by the fallback below
  }
}

function run(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (electronBinary()) {
  run([electronVite, 'preview']);
} else {
  console.log('The Electron binary is not installed here, so LightSeed starts in browser mode instead.');
  if (process.env.LIGHTSEED_SKIP_BUILD !== '1') {
    const build = spawnSync(process.execPath, [electronVite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  run([fileURLToPath(new URL('../bin/lightseed.js', import.meta.url)), 'serve', ...process.argv.slice(2)]);
}
