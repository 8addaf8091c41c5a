#!/usr/bin/env node
// `npm run dist`: build, pack with electron-builder (arguments after `--` go to it), and
// then, whatever became of the packing, put node_modules' better-sqlite3 back to Node's
// ABI: electron-builder rebuilds it in place for Electron, which the CLI cannot load.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (path) => fileURLToPath(new URL(`../node_modules/${path}`, import.meta.url));
const step = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const built = step(process.execPath, [bin('electron-vite/bin/electron-vite.js'), 'build']);
if (built !== 0) process.exit(built);
const packed = step(process.execPath, [bin('electron-builder/cli.js'), ...process.argv.slice(2)]);
console.log('Rebuilding better-sqlite3 for Node, so the CLI and the tests keep working.');
const restored = step(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['rebuild', 'better-sqlite3']);
process.exit(packed || restored);
