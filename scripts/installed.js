// Whether `npm install` finished: the packages `npm start` and the CLI load first. A missing
// or half-removed node_modules (an install that failed and rolled back) is one sentence,
// never Node's MODULE_NOT_FOUND stack trace.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Packages without which nothing starts, each with the file that shows its install completed. */
const REQUIRED = [
  'electron-vite/bin/electron-vite.js',
  'vite/package.json',
  'svelte/package.json',
  'better-sqlite3/build/Release/better_sqlite3.node',
  'node-llama-cpp/package.json',
  'zod/package.json',
  'ws/package.json',
];

/** The first required file that is missing under root's node_modules, or undefined when all are there. */
export function missingDependency(root) {
  return REQUIRED.find((file) => !existsSync(join(root, 'node_modules', file)));
}

export const INSTALL_FIRST = "LightSeed's dependencies are not installed (or their install did not finish): run `npm install` first.";
