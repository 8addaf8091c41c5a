// LightSeed's llama.cpp patch adds an AVX2 dot product for Q2_0 (Ternary Bonsai): the bundled
// source has only the scalar one on x86. test/native/q2_0-dot.c checks the built library's
// dot product and matrix product against a reference written from the block layout (random
// blocks of every code, rows of 1 to 67 blocks, odd row counts, 1 and 2 threads); here it is
// compiled against LightSeed's build and run. Where that build or a C compiler is missing, the
// test says so and is skipped. (The greedy test against llama-simple, which runs the bundled
// scalar kernel, checks the same kernel inside a whole model.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';
import { lightseedLlamaBuilt } from '../helpers/llama-build';
import { makeTempDir } from '../helpers/temp-dir';

const built = lightseedLlamaBuilt();
const compiler = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
const why = !built.ok ? built.reason : !compiler ? 'no C compiler (cc) here' : '';

it.skipIf(why !== '')(`Q2_0's dot product in LightSeed's llama.cpp equals a reference written from the block layout${why ? ` (skipped: ${why})` : ''}`, { timeout: 120_000 }, () => {
  if (!built.ok) return;
  const lib = join(built.folder, 'Release');
  // libggml's file name carries node-llama-cpp's build hash (libggml.v0.5.0.zg565d15.so).
  const libraries = readdirSync(lib).filter((name) => /^libggml(-base|-cpu)?[.\w-]*\.so$/.test(name));
  expect(libraries.some((name) => name.startsWith('libggml-cpu'))).toBe(true);
  const include = join(REPO_ROOT, 'node_modules', 'node-llama-cpp', 'llama', 'llama.cpp', 'ggml', 'include');
  expect(existsSync(join(include, 'ggml-cpu.h'))).toBe(true);
  const dir = makeTempDir();
  try {
    const program = join(dir.path, 'q2_0-dot');
    execFileSync('cc', ['-O2', '-std=c11', '-o', program, join(REPO_ROOT, 'test', 'native', 'q2_0-dot.c'), `-I${include}`, ...libraries.map((name) => join(lib, name)), '-lm', `-Wl,-rpath,${lib}`], { stdio: 'pipe' });
    const result = spawnSync(program, [], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toMatch(/^(\d+) of \1 Q2_0 results equal the reference$/m);
    expect(result.status).toBe(0);
  } finally {
    dir.remove();
  }
});
