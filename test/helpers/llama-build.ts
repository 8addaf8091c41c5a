// Whether LightSeed's own llama.cpp build (scripts/build-llama.js, run by npm install) is here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli';

/** Whether it is built, and where (the folder with Release/, as scripts/build-llama.js recorded it). */
export function lightseedLlamaBuilt(): { ok: true; folder: string } | { ok: false; reason: string } {
  const stamp = join(REPO_ROOT, 'node_modules', '.cache', 'lightseed', 'llama-build.json');
  if (!existsSync(stamp)) return { ok: false, reason: "LightSeed's llama.cpp is not built here (npm run build:llama needs cmake and a C++ compiler)" };
  const { folder } = JSON.parse(readFileSync(stamp, 'utf8')) as { folder: string };
  if (!existsSync(join(folder, 'Release', 'llama-addon.node'))) return { ok: false, reason: `the llama.cpp build recorded in ${stamp} is gone` };
  return { ok: true, folder };
}
