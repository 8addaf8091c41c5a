// Entry of the `lightseed` CLI bundle (out/main/cli.js), loaded by bin/lightseed.js.
import { fileURLToPath } from 'node:url';
import { main } from './main.node';

// Resolved here, in the entry chunk, so the path is relative to out/main/.
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));

export function run(argv: readonly string[]): Promise<number> {
  return main(argv, { rendererDir });
}
