import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingExtensions, processorFlags, unrunnableBuild } from '../../electron/inference/cpu-features.node';
import { makeTempDir } from '../helpers/temp-dir';

const dir = makeTempDir();
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
    expect(unrunnableBuild(bigger, OPTIONS, ['sse2', 'avx2'])).toBe("LightSeed's llama.cpp was built on a processor with avx512f, avx512bw, which this one lacks");
    expect(unrunnableBuild(bigger, OPTIONS, ['sse2', 'avx2', 'avx512f', 'avx512bw', 'avx512vl'])).toBeUndefined();
    expect(unrunnableBuild(bigger, { ...OPTIONS, LIGHTSEED_PATCH: 'p-2' }, ['sse2'])).toBeUndefined();
    // Nothing recorded (not Linux, or an older build), or no build at all: the build is tried.
    expect(unrunnableBuild(bigger, OPTIONS, undefined)).toBeUndefined();
    expect(unrunnableBuild(join(dir.path, 'none'), OPTIONS, ['sse2'])).toBeUndefined();
  });
});
