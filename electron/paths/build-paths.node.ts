// Where the built app's parts are, relative to the bundle that runs (out/main/*.js).
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
    embeddedModel: fileURLToPath(new URL(`../../models/${EMBEDDED_MODEL_FILE}`, entryUrl)),
  };
}
