#!/usr/bin/env node
// `npm run build:llama-tools`: builds llama.cpp's own llama-simple and llama-quantize from the
// source node-llama-cpp bundles, unpatched, into node_modules/.cache/lightseed/llama-tools. The
// tests compare LightSeed's greedy output with llama-simple's on models llama-quantize made: a
// reference that is llama.cpp itself, not LightSeed's code. The app never uses them. Where cmake
// or a compiler is missing, or the build fails, it says so in one line and exits 0; the test
// then says why it was skipped.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'node_modules', 'node-llama-cpp', 'llama', 'llama.cpp');
const cacheDir = join(root, 'node_modules', '.cache', 'lightseed');
const buildDir = join(cacheDir, 'llama-tools-build');
const binDir = join(cacheDir, 'llama-tools');
const logPath = join(cacheDir, 'llama-tools-build.log');
const tools = ['llama-simple', 'llama-quantize'];
const say = (line) => console.log(`lightseed: ${line}`);

if (tools.every((tool) => existsSync(join(binDir, tool))) && !process.argv.includes('--force')) {
  say("llama.cpp's llama-simple and llama-quantize are already built.");
  process.exit(0);
}
if (!existsSync(join(source, 'CMakeLists.txt'))) {
  say("llama.cpp's source is not unpacked in node-llama-cpp (run npm install, which builds LightSeed's llama.cpp from it): the tools were not built.");
  process.exit(0);
}
const missing = ['cmake', 'c++'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);
if (missing.length) {
  say(`llama.cpp's tools were not built (${missing.join(', ')} not found; Debian: apt-get install cmake g++).`);
  process.exit(0);
}
mkdirSync(cacheDir, { recursive: true });
const log = openSync(logPath, 'w');
const started = Date.now();
say("building llama.cpp's llama-simple and llama-quantize from the bundled source, for the tests (a few minutes on 2 cores)…");
const step = (what, args) => {
  const result = spawnSync('cmake', args, { stdio: ['ignore', log, log] });
  if (result.status === 0) return;
  closeSync(log);
  const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-2).join(' | ');
  say(`llama.cpp's tools could not be built (${what} failed: ${tail}). Full log: ${logPath}`);
  process.exit(0);
};
// The same CPU features as a native build of the library (GGML_NATIVE), no network code, static.
step('configure', [
  '-S', source, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', '-DBUILD_SHARED_LIBS=OFF', '-DGGML_NATIVE=ON',
  '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_EXAMPLES=ON', '-DLLAMA_BUILD_TOOLS=ON', '-DLLAMA_BUILD_SERVER=OFF', '-DLLAMA_CURL=OFF', '-DLLAMA_OPENSSL=OFF',
]);
step('build', ['--build', buildDir, '--target', ...tools, '-j', '2']);
closeSync(log);
mkdirSync(binDir, { recursive: true });
for (const tool of tools) copyFileSync(join(buildDir, 'bin', tool), join(binDir, tool));
say(`llama.cpp's tools built in ${Math.round((Date.now() - started) / 1000)} s: ${binDir.slice(root.length)}`);
