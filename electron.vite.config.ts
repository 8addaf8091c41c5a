import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { readFileSync } from 'node:fs';
import { INDEX_HTML_CSP } from './electron/security/csp.std';

// electron-vite picks its build targets by Electron's major version, which it reads from the
// installed electron package; the build must not depend on that install, so the version comes
// from package.json, the one place it is pinned.
const { devDependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { devDependencies: { electron: string } };
process.env.ELECTRON_MAJOR_VER ??= devDependencies.electron.split('.')[0];

/** Writes the one Content-Security-Policy into the built index.html (the dev server needs a looser one). */
function cspMeta(): Plugin {
  return {
    name: 'lightseed:csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: INDEX_HTML_CSP }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  main: {
    build: {
      // The CLI also runs on plain Node 20 (no `using` declarations there): lower them.
      target: 'node20',
      rolldownOptions: {
        input: {
          index: resolve('electron/main/index.main.ts'),
          cli: resolve('electron/cli/index.node.ts'),
          'assess-worker': resolve('native-bridge/estimators/assess-worker.node.ts'),
          'engine-worker': resolve('electron/inference/engine-worker.node.ts'),
        },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve('electron/preload/index.preload.ts') },
        // A sandboxed preload cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    build: {
      rolldownOptions: { input: { index: resolve('renderer/index.html') } },
    },
    plugins: [svelte({ configFile: false }), cspMeta()],
  },
});
