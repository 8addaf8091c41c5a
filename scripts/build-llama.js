#!/usr/bin/env node
// `npm install` (and `npm run build:llama`): builds llama.cpp from the source node-llama-cpp
// ships (llama/gitRelease.bundle, no download) with LightSeed's patches applied
// (electron/inference/llama-patch/), for this machine's CPU. The engine uses this build for
// every model; it is the only one that runs BitNet b1.58 2B4T with its ReLU² feed-forward and
// has an x86 kernel for Q2_0. Its cmake options (llama-patch.json) make it as fast as
// node-llama-cpp's prebuilt binary, which `npm run bench` checks: ggml's own thread pool
// instead of OpenMP (OpenMP cost a tenth at 2 threads), and generic instruction scheduling
// with this CPU's instruction set (GCC 12 tunes an unknown newer CPU for an older one: TQ2_0's
// dot product ran 1.4× slower that way).
// Where cmake or a C++ compiler is missing, or the build fails, it says so in one line and
// the install goes on: models that need the patch are then refused with the reason.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const patchDir = join(root, 'electron', 'inference', 'llama-patch');
const config = JSON.parse(readFileSync(join(patchDir, 'llama-patch.json'), 'utf8'));
const nodeLlamaCpp = join(root, 'node_modules', 'node-llama-cpp');
const cli = join(nodeLlamaCpp, 'dist', 'cli', 'cli.js');
const source = join(nodeLlamaCpp, 'llama', 'llama.cpp');
const cacheDir = join(root, 'node_modules', '.cache', 'lightseed');
const stampPath = join(cacheDir, 'llama-build.json');
const logPath = join(cacheDir, 'llama-build.log');
const say = (line) => console.log(`lightseed: ${line}`);
const force = process.argv.includes('--force');

if (process.env.LIGHTSEED_SKIP_LLAMA_BUILD === '1') {
  say('llama.cpp build skipped (LIGHTSEED_SKIP_LLAMA_BUILD=1): models that need a ReLU² feed-forward will be refused.');
  process.exit(0);
}
if (!existsSync(cli)) {
  say('node-llama-cpp is not installed, so llama.cpp was not built: run npm install first.');
  process.exit(0);
}

const stamp = createHash('sha256');
stamp.update(JSON.stringify(config));
for (const patch of config.patches) stamp.update(readFileSync(join(patchDir, patch)));
stamp.update(readFileSync(join(nodeLlamaCpp, 'package.json')));
const wanted = stamp.digest('hex');

function built() {
  try {
    const previous = JSON.parse(readFileSync(stampPath, 'utf8'));
    return previous.stamp === wanted && existsSync(join(previous.folder, 'buildDone.status')) && existsSync(join(previous.folder, 'Release', 'llama-addon.node'));
  } catch {
    return false;
  }
}

if (!force && built()) {
  say("llama.cpp with LightSeed's patch is already built.");
  process.exit(0);
}
const missing = [
  ['cmake', ['--version']],
  ['c++', ['--version']],
  ['git', ['--version']],
].filter(([tool, args]) => spawnSync(tool, args, { stdio: 'ignore' }).status !== 0);
if (missing.length) {
  say(
    `llama.cpp was not built from source (${missing.map(([t]) => t).join(', ')} not found): BitNet b1.58 2B4T and other ReLU² models will be refused; install cmake and a C++ compiler (Debian: apt-get install cmake g++), then npm run build:llama.`,
  );
  process.exit(0);
}

mkdirSync(cacheDir, { recursive: true });
const log = openSync(logPath, 'w');
const started = Date.now();
say(`building llama.cpp from the bundled source with LightSeed's patch: about 5 minutes on 2 cores, once (log: ${logPath.slice(root.length)})…`);
const env = { ...process.env, CI: 'false', NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' };
for (const [key, value] of Object.entries(config.cmakeOptions)) env[`NODE_LLAMA_CPP_CMAKE_OPTION_${key}`] = value;
const step = (what, command, args, cwd = root) => {
  const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', log, log] });
  if (result.status !== 0) {
    closeSync(log);
    const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-3).join(' | ');
    say(`llama.cpp could not be built (${what} failed: ${tail}); ReLU² models will be refused, everything else runs on the prebuilt llama.cpp. Full log: ${logPath}`);
    process.exit(0);
  }
};
// node-llama-cpp clones its bundled release and applies its own patches; then ours.
step('cloning the bundled source', process.execPath, [cli, 'source', 'download', '--skipBuild', '--gpu', 'false', '--noUsageExample']);
for (const patch of config.patches) step(`applying ${patch}`, 'git', ['apply', '--whitespace=nowarn', join(patchDir, patch)], source);
step('compiling', process.execPath, [cli, 'source', 'build', '--gpu', 'false', '--noUsageExample']);
closeSync(log);
// node-llama-cpp records the folder of the build it just made (llama/lastBuild.json).
let folder = '';
try {
  const { folderName } = JSON.parse(readFileSync(join(nodeLlamaCpp, 'llama', 'lastBuild.json'), 'utf8'));
  if (typeof folderName === 'string' && existsSync(join(nodeLlamaCpp, 'llama', 'localBuilds', folderName, 'Release'))) folder = join(nodeLlamaCpp, 'llama', 'localBuilds', folderName);
} catch (error) {
  say(`node-llama-cpp did not record where it built llama.cpp (${error.message}), so the processor it was built for is not recorded either; npm run build:llama builds it again.`);
}
writeFileSync(stampPath, JSON.stringify({ stamp: wanted, folder, builtAt: new Date().toISOString() }, null, 2));
// The processor it was built for (every extension it has, GGML_NATIVE): the engine refuses to load
// this build on a processor without one of them (electron/inference/cpu-features.node.ts).
const flags = existsSync('/proc/cpuinfo') ? (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/) : [];
if (folder && flags.length) writeFileSync(join(folder, 'Release', 'lightseed-cpu.json'), JSON.stringify({ cmakeOptions: config.cmakeOptions, flags }));
const seconds = Math.round((Date.now() - started) / 1000);
say(`llama.cpp built in ${Math.floor(seconds / 60)} min ${seconds % 60} s.`);
