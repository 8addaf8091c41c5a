import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localBuildsFolder, missingExtensions, processorFlags, unrunnableBuild } from '../../electron/inference/cpu-features.node';
import { LIGHTSEED_CMAKE_OPTIONS } from '../../electron/inference/llama-binary.node';
import { lightseedLlamaBuilt } from '../helpers/llama-build';
import { makeTempDir } from '../helpers/temp-dir';

const dir = makeTempDir();
const built = lightseedLlamaBuilt();
afterAll(() => dir.remove());

const OPTIONS = { LIGHTSEED_PATCH: 'p-1', GGML_OPENMP: 'OFF' };
function record(folder: string, cmakeOptions: Record<string, string>, flags: string[]): string {
  const builds = join(dir.path, folder);
  mkdirSync(join(builds, 'linux-x64-abc', 'Release'), { recursive: true });
  writeFileSync(join(builds, 'linux-x64-abc', 'Release', 'lightseed-cpu.json'), JSON.stringify({ cmakeOptions, flags }));
  return builds;
}

describe("the processor LightSeed's llama.cpp was built for", () => {
  it("reads /proc/cpuinfo's flags, and nothing where there is no such file", () => {
    const cpuinfo = join(dir.path, 'cpuinfo');
    writeFileSync(cpuinfo, 'processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse sse2 avx avx2 hypervisor\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu\n');
    expect(processorFlags(cpuinfo)).toEqual(['fpu', 'sse', 'sse2', 'avx', 'avx2', 'hypervisor']);
    expect(processorFlags(join(dir.path, 'absent'))).toBeUndefined();
  });

  it('names the instruction-set extensions this processor lacks, not other flags', () => {
    expect(missingExtensions(['sse2', 'avx2', 'avx512f', 'avx512_vnni', 'hypervisor', 'ht'], ['sse2', 'avx2'])).toEqual(['avx512f', 'avx512_vnni']);
    expect(missingExtensions(['sse2', 'avx2', 'fma', 'f16c', 'bmi2'], ['sse2', 'avx2', 'fma', 'f16c', 'bmi2', 'avx512f'])).toEqual([]);
  });

  it('refuses a build made on a processor with more, and only the build with these options', () => {
    const bigger = record('bigger', OPTIONS, ['sse2', 'avx2', 'avx512f', 'avx512bw']);
    expect(unrunnableBuild(OPTIONS, ['sse2', 'avx2'], bigger)).toBe("LightSeed's llama.cpp was built on a processor with avx512f, avx512bw, which this one lacks");
    expect(unrunnableBuild(OPTIONS, ['sse2', 'avx2', 'avx512f', 'avx512bw', 'avx512vl'], bigger)).toBeUndefined();
    expect(unrunnableBuild({ ...OPTIONS, LIGHTSEED_PATCH: 'p-2' }, ['sse2'], bigger)).toBeUndefined();
    // Nothing recorded (not Linux, or an older build), or no build at all: the build is tried.
    expect(unrunnableBuild(OPTIONS, undefined, bigger)).toBeUndefined();
    expect(unrunnableBuild(OPTIONS, ['sse2'], join(dir.path, 'none'))).toBeUndefined();
  });

  it.skipIf(!built.ok)("looks where npm install builds it, and finds this machine's build runnable here", () => {
    if (!built.ok) return;
    expect(dirname(built.folder)).toBe(localBuildsFolder());
    // scripts/build-llama.js recorded the processor it built for: this one.
    expect(existsSync(join(built.folder, 'Release', 'lightseed-cpu.json'))).toBe(true);
    expect(unrunnableBuild(LIGHTSEED_CMAKE_OPTIONS)).toBeUndefined();
    expect(unrunnableBuild(LIGHTSEED_CMAKE_OPTIONS, ['sse2'])).toMatch(/^LightSeed's llama\.cpp was built on a processor with .*avx2.*, which this one lacks$/);
  });
});
