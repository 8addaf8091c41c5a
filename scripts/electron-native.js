// The Electron app's own better-sqlite3. Node and Electron need different builds of it
// (different ABIs), and node_modules keeps Node's, which the CLI, browser mode and the
// tests use. So for `npm start` and `npm run dev` it is built once per Electron and
// better-sqlite3 version into node_modules/.cache, and the shell is told where it is
// (LIGHTSEED_SQLITE_BINDING). Installers get theirs from electron-builder's rebuild.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron binary's path, or undefined when it was never downloaded. */
export function electronBinary() {
  try {
    const path = require('electron'); // the path of the binary, or a throw when it is missing
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined; // no binary: the caller says so
  }
}

const version = (root, name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

/** Where the Electron build of better-sqlite3 lives for this Electron and better-sqlite3. */
export function electronSqlitePath(root) {
  const tag = `electron-${version(root, 'electron')}-better-sqlite3-${version(root, 'better-sqlite3')}-${process.platform}-${process.arch}`;
  return join(root, 'node_modules', '.cache', 'lightseed', tag, 'better_sqlite3.node');
}

/** Builds it when missing (Electron's headers come from electronjs.org the first time); returns its path. */
export async function ensureElectronSqlite(root, log = console.log) {
  const binding = electronSqlitePath(root);
  if (existsSync(binding)) return binding;
  const electronVersion = version(root, 'electron');
  log(`Building better-sqlite3 for Electron ${electronVersion}, once (node_modules keeps the Node build the CLI uses).`);
  const work = join(binding, '..', 'work');
  rmSync(work, { recursive: true, force: true });
  const source = join(root, 'node_modules', 'better-sqlite3');
  cpSync(source, join(work, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (path) => !path.startsWith(join(source, 'build') + sep) && path !== join(source, 'build') });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'lightseed-electron-native', private: true, dependencies: { 'better-sqlite3': version(root, 'better-sqlite3') } }));
  try {
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: work, electronVersion, onlyModules: ['better-sqlite3'], force: true });
    mkdirSync(join(binding, '..'), { recursive: true });
    copyFileSync(join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), binding);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binding;
}
