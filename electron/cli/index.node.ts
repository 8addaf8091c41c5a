// Entry of the `lightseed` CLI bundle (out/main/cli.js), loaded by bin/lightseed.js.
import { buildPathsFrom } from '../paths/build-paths.node';
import { main } from './main.node';

export function run(argv: readonly string[]): Promise<number> {
  return main(argv, { paths: buildPathsFrom(import.meta.url) });
}
