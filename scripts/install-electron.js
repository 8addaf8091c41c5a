#!/usr/bin/env node
// Part of `npm install` (postinstall): fetches Electron's binary, where it can be fetched.
// npm is told not to run the electron package's own install script (package.json's
// allowScripts), because that script fails the whole install when github.com cannot be
// reached; here the same script runs, and a failure costs one line: `npm start` then serves
// browser mode, and `npm run electron:fetch` tries again. Never exits with an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-native.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'node_modules', 'electron', 'install.js');

/** The line of the download's output that says why it failed (the rest is a stack trace). */
export function failureReason(output) {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /^(Request)?Error\b|^[A-Za-z]*Error:|E[A-Z]{3,}/.test(line) && !line.startsWith('at ')) ?? lines[0] ?? 'no reason given';
}

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('lightseed: ELECTRON_SKIP_BINARY_DOWNLOAD is set, so Electron was not fetched: `npm start` serves browser mode.');
} else if (!existsSync(script)) {
  console.log('lightseed: the electron package is not installed (`npm install --omit=dev`?), so `npm start` serves browser mode.');
} else if (!electronBinary()) {
  console.log('lightseed: fetching the Electron binary…');
  const result = spawnSync(process.execPath, [script], { cwd: join(root, 'node_modules', 'electron'), encoding: 'utf8', timeout: 20 * 60_000 });
  if (result.status === 0 && electronBinary()) console.log('lightseed: Electron is installed: `npm start` opens the desktop app.');
  else {
    const why = result.error ? result.error.message : failureReason(`${result.stderr}\n${result.stdout}`);
    console.log(`lightseed: Electron's binary could not be fetched (${why}); \`npm start\` serves browser mode instead, and \`npm run electron:fetch\` tries again.`);
  }
}
