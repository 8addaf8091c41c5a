#!/usr/bin/env node
// `npm start` (and `npm run dev` with --dev): the Electron app when its binary is
// installed, otherwise browser mode. Arguments after `npm start --` go to the app
// (`--data-dir DIR`) or to `lightseed serve` in browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { INSTALL_FIRST, missingDependency } from './installed.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const missing = missingDependency(root);
if (missing) {
  console.error(`${INSTALL_FIRST} (missing: node_modules/${missing})`);
  process.exit(1);
}
const { electronBinary, ensureElectronSqlite } = await import('./electron-native.js');
const electronVite = fileURLToPath(new URL('../node_modules/electron-vite/bin/electron-vite.js', import.meta.url));
const dev = process.argv.includes('--dev');
const args = process.argv.slice(2).filter((arg) => arg !== '--dev');

function run(command, env = process.env) {
  const child = spawn(process.execPath, command, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (electronBinary()) {
  let binding;
  try {
    binding = await ensureElectronSqlite(root);
  } catch (error) {
    console.error(`LightSeed could not build better-sqlite3 for Electron: ${error instanceof Error ? error.message : String(error)}`);
    console.error('Browser mode needs no Electron build: npm run serve');
    process.exit(1);
  }
  run([electronVite, dev ? 'dev' : 'preview', ...(args.length ? ['--', ...args] : [])], { ...process.env, LIGHTSEED_SQLITE_BINDING: binding });
} else {
  console.log('The Electron binary is not installed here, so LightSeed starts in browser mode instead.');
  if (process.env.LIGHTSEED_SKIP_BUILD !== '1') {
    const build = spawnSync(process.execPath, [electronVite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  run([fileURLToPath(new URL('../bin/lightseed.js', import.meta.url)), 'serve', ...args]);
}
