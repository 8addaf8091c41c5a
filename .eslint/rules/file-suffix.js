// Every source file says where it may run, by its suffix, and may import only what
// runs there too (after Signal Desktop's file-suffix rule):
//   .std.ts      anywhere: no Node, no DOM, no Electron
//   .node.ts     Node (main process, CLI, workers); never Electron (.node.cjs: a
//                program that runs as text in a worker or child process)
//   .main.ts     the Electron main process (may import electron)
//   .preload.ts  the sandboxed preload (electron's renderer modules only)
//   .dom.ts, .svelte, .svelte.ts   the renderer
// Type-only imports cross environments freely: they vanish at build time. Layers
// hold too: native-bridge/ imports neither electron/ nor renderer/, electron/
// never imports renderer/, and renderer/ takes only types from outside itself, apart from
// the few pure modules listed in SHARED_WITH_RENDERER (how amounts are written, so the window
// and the CLI say the same).
import { builtinModules } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

const SUFFIXES = [
  ['.svelte.ts', 'dom'],
  ['.svelte', 'dom'],
  ['.dom.ts', 'dom'],
  ['.std.ts', 'std'],
  ['.node.ts', 'node'],
  // A program evaluated as text (a worker or child process of its own), checked with checkJs.
  ['.node.cjs', 'node'],
  ['.main.ts', 'main'],
  ['.preload.ts', 'preload'],
];

/** What each environment may import as values. 'electron' and 'builtin' are bare specifiers. */
const ALLOWED = {
  std: ['std'],
  node: ['std', 'node', 'builtin'],
  main: ['std', 'node', 'main', 'builtin', 'electron'],
  preload: ['std', 'preload', 'electron'],
  dom: ['std', 'dom'],
};

/** Packages that only run under Node. */
const NODE_PACKAGES = new Set(['better-sqlite3', 'ws', 'serialport', 'node-llama-cpp', 'node-web-audio-api', 'sqlite-vec']);
const BUILTINS = new Set(builtinModules);

const LAYERS = ['native-bridge', 'electron', 'renderer'];

/**
 * Folders inside electron/ that must not reach into others: the store only persists (no
 * validation, conversion, API shapes or orchestration), the catalog and its downloader do
 * not write to the store (the services that call them do), and the card formats are formats
 * (the services store what a card gives).
 */
const FOLDER_LIMITS = [
  ['electron/store/', ['electron/api/', 'electron/inference/', 'electron/services/', 'electron/catalog/', 'electron/cards/']],
  ['electron/catalog/', ['electron/store/', 'electron/services/']],
  ['electron/cards/', ['electron/store/', 'electron/services/']],
];
const FOLDER_REASONS = {
  'electron/store/': 'the store only persists',
  'electron/catalog/': 'the services record what the catalog fetches',
  'electron/cards/': 'the services store what a card gives',
};

/** Pure modules outside renderer/ whose values the renderer may import. */
const SHARED_WITH_RENDERER = new Set(['electron/api/units.std.ts', 'electron/agents/speech.std.ts', 'electron/agents/trait-names.std.ts', 'electron/cards/card-upload.std.ts', 'electron/cards/png-chunks.std.ts', 'electron/identity/short-key.std.ts']);

export function environmentOf(file) {
  for (const [suffix, env] of SUFFIXES) if (file.endsWith(suffix)) return env;
  return undefined;
}

function layerOf(root, file) {
  const first = relative(root, file).split(sep)[0];
  return LAYERS.includes(first) ? first : undefined;
}

function targetOfBare(specifier) {
  if (specifier === 'electron' || specifier.startsWith('electron/')) return 'electron';
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (specifier.startsWith('node:') || BUILTINS.has(bare.split('/')[0])) return 'builtin';
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (NODE_PACKAGES.has(name) || name.startsWith('@serialport/') || name.startsWith('@node-llama-cpp/')) return 'node';
  return undefined;
}

function resolveRelative(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier.replace(/\?.*$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`]) {
    if (existsSync(candidate)) return candidate;
  }
  return base;
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'File suffixes declare where code runs; imports must respect them.' },
    schema: [],
    messages: {
      noSuffix: 'Name this file *.std.ts, *.node.ts, *.main.ts, *.preload.ts or *.dom.ts (or .svelte/.svelte.ts in the renderer) to say where it runs.',
      wrongSuffix: 'A {{env}} file does not belong in {{layer}}/.',
      forbidden: 'A {{from}} file cannot import {{what}} ({{target}} code).',
      layer: '{{from}}/ must not import from {{to}}/{{hint}}.',
      folder: '{{from}} must not import from {{to}} (type imports included): {{why}}.',
    },
  },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const layer = layerOf(root, file);
    if (!layer || file.endsWith('.d.ts')) return {};
    const env = environmentOf(file);

    function check(node, source) {
      if (!env || typeof source?.value !== 'string') return;
      const specifier = source.value;
      const typeOnly = isTypeOnly(node);
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        const targetLayer = layerOf(root, target);
        if (targetLayer && targetLayer !== layer) {
          const bad =
            (layer === 'native-bridge' && targetLayer !== 'native-bridge') ||
            (layer === 'electron' && targetLayer === 'renderer') ||
            (layer === 'renderer' && !typeOnly && !SHARED_WITH_RENDERER.has(relative(root, target).split(sep).join('/')));
          if (bad) {
            const hint = layer === 'renderer' ? ' except with `import type`' : '';
            context.report({ node, messageId: 'layer', data: { from: layer, to: targetLayer, hint } });
            return;
          }
        }
        const from = relative(root, file).split(sep).join('/');
        const to = relative(root, target).split(sep).join('/');
        for (const [folder, banned] of FOLDER_LIMITS) {
          const hit = from.startsWith(folder) && banned.find((other) => to.startsWith(other));
          if (hit) {
            const why = FOLDER_REASONS[folder];
            context.report({ node, messageId: 'folder', data: { from: folder, to: hit, why } });
            return;
          }
        }
        const targetEnv = environmentOf(target);
        if (!typeOnly && targetEnv && !ALLOWED[env].includes(targetEnv)) {
          context.report({ node, messageId: 'forbidden', data: { from: env, what: specifier, target: targetEnv } });
        }
        return;
      }
      const targetEnv = targetOfBare(specifier);
      if (!typeOnly && targetEnv && !ALLOWED[env].includes(targetEnv)) {
        context.report({ node, messageId: 'forbidden', data: { from: env, what: specifier, target: targetEnv === 'builtin' ? 'Node built-in' : targetEnv } });
      }
    }

    return {
      Program(node) {
        if (!env) {
          context.report({ node, messageId: 'noSuffix' });
          return;
        }
        const misplaced = (layer === 'native-bridge' && ['main', 'preload', 'dom'].includes(env)) || (layer === 'renderer' && !['dom', 'std'].includes(env));
        if (misplaced) context.report({ node, messageId: 'wrongSuffix', data: { env, layer } });
      },
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source),
    };
  },
};
