// Bundles a TypeScript entry into one ES module that plain `node` can run, so a test
// can run our real code in a child process (and kill it). Vite resolves what Node
// cannot: `.ts` imports without extensions and `import.meta.glob` (the migrations).
// Packages stay external (Vite's SSR default): better-sqlite3 and sqlite-vec load
// their native parts from node_modules, which is why the bundle is written inside the
// repository (under the git-ignored test/artifacts/) where bare imports resolve.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { build } from 'vite';
import { REPO_ROOT } from './cli';

const BUNDLES = join(REPO_ROOT, 'test', 'artifacts', 'bundles');

/**
 * Bundles `entry` (a path relative to the repository root, or absolute) and returns the
 * path of the `.mjs` file. Each call writes a fresh folder of its own, so concurrent
 * test files never share one; remove it with `rmSync(dirname(path), { recursive: true })`.
 */
export async function bundleForNode(entry: string): Promise<string> {
  const name = basename(entry, extname(entry));
  mkdirSync(BUNDLES, { recursive: true });
  const outDir = mkdtempSync(join(BUNDLES, `${name}-`));
  try {
    await build({
      configFile: false,
      root: REPO_ROOT,
      logLevel: 'silent',
      build: {
        ssr: resolve(REPO_ROOT, entry),
        outDir,
        // Plain Node 20 has no `using` declarations: lower them, as the CLI build does.
        target: 'node20',
        emptyOutDir: true,
        minify: false,
        sourcemap: 'inline',
        rolldownOptions: { output: { format: 'es', entryFileNames: `${name}.mjs` } },
      },
    });
  } catch (error) {
    throw new Error(`Bundling ${entry} for Node failed: ${(error as Error).message}`, { cause: error });
  }
  return join(outDir, `${name}.mjs`);
}
