#!/usr/bin/env node
// The `lightseed` command. The CLI is built with the app (npm run build) into out/main/cli.js.
import { existsSync } from 'node:fs';

const entry = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('lightseed: the app is not built yet: run `npm run build` in the LightSeed folder.\n');
  process.exit(1);
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
