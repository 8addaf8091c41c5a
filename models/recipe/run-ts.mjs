// Runs one of the recipe's TypeScript steps with plain Node: Vite bundles it (resolving
// our `.ts` imports), packages stay external, and the bundle runs with the given arguments.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node models/recipe/run-ts.mjs ENTRY.ts [ARGS…]');
  process.exit(2);
}
const outDir = mkdtempSync(join(root, 'models', 'recipe', '.build-'));
try {
  const name = basename(entry).replace(/\.ts$/, '');
  await build({
    configFile: false,
    root,
    logLevel: 'silent',
    build: { ssr: resolve(entry), outDir, target: 'node20', emptyOutDir: true, minify: false, rolldownOptions: { output: { format: 'es', entryFileNames: `${name}.mjs` } } },
  });
  const result = spawnSync(process.execPath, [join(outDir, `${name}.mjs`), ...args], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
