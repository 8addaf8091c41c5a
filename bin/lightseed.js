#!/usr/bin/env node
// The `lightseed` command. The CLI is built with the app (npm run build) into out/main/cli.js.
import { existsSync } from 'node:fs';

const entry = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('lightseed: the app is not built yet: run `npm install` (or `npm run build`) in the LightSeed folder.\n');
  process.exit(1);
}
let run;
try {
  ({ run } = await import(entry.href));
} catch (error) {
  // A package the build needs at run time is missing: an install that failed or was removed.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'MODULE_NOT_FOUND') throw error;
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1] ?? 'a package';
  process.stderr.write(`lightseed: ${name} is not installed (the install did not finish): run \`npm install\` in the LightSeed folder first.\n`);
  process.exit(1);
}
process.exitCode = await run(process.argv.slice(2));
