// Where the built app's parts are, relative to the bundle that runs (out/main/*.js).
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildPaths {
  /** The built renderer (index.html, assets/). */
  rendererDir: string;
  /** The worker-thread entry that runs the SP 800-90B assessment. */
  assessWorker: string;
  /** The inference engine process's entry. */
  engineWorker: string;
  /** The embedded default model (models/ at the app's root), used when the user has chosen none. */
  embeddedModel: string;
}

/** The embedded model's file name under models/. */
export const EMBEDDED_MODEL_FILE = 'lightseed-companion.gguf';

/** `entryUrl` is import.meta.url of an entry in out/main/ (never of a shared chunk, which lives one folder deeper). */
export function buildPathsFrom(entryUrl: string): BuildPaths {
  return {
    rendererDir: fileURLToPath(new URL('../renderer', entryUrl)),
    assessWorker: fileURLToPath(new URL('./assess-worker.js', entryUrl)),
    engineWorker: fileURLToPath(new URL('./engine-worker.js', entryUrl)),
    // llama.cpp reads the model with its own file calls, which cannot see into app.asar.
    embeddedModel: unpackedPath(fileURLToPath(new URL(`../../models/${EMBEDDED_MODEL_FILE}`, entryUrl))),
  };
}

const ASAR = `${sep}app.asar${sep}`;
const ASAR_UNPACKED = `${sep}app.asar.unpacked${sep}`;

/**
 * In a packaged app, the real file behind a path inside app.asar that electron-builder
 * unpacked (asarUnpack): what native code (SQLite's extension loader, llama.cpp) must be
 * given, since only Electron's JavaScript file calls can read the archive. Any other
 * path, or one with no unpacked copy, comes back unchanged.
 */
export function unpackedPath(path: string): string {
  const at = path.lastIndexOf(ASAR);
  if (at < 0) return path;
  const unpacked = path.slice(0, at) + ASAR_UNPACKED + path.slice(at + ASAR.length);
  return existsSync(unpacked) ? unpacked : path;
}
