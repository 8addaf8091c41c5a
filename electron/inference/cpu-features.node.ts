// LightSeed's llama.cpp is built for the processor of the machine that builds it (GGML_NATIVE:
// every instruction-set extension it has). Run on a processor without one of them, it dies of
// an illegal instruction, so an installer built on one machine and run on another, or a data
// folder's node_modules copied across, must not load it. scripts/build-llama.js records the
// building processor's flags beside the build (Release/lightseed-cpu.json, Linux's
// /proc/cpuinfo names); the engine compares them with this processor's before loading it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where node-llama-cpp keeps the builds it made from source (scripts/build-llama.js makes LightSeed's there). */
export function localBuildsFolder(): string {
  return fileURLToPath(new URL('../llama/localBuilds', import.meta.resolve('node-llama-cpp')));
}

/** The flags that name instruction-set extensions a compiler may use (not bugs, power or virtualisation flags). */
const INSTRUCTION_SET = /^(sse\d?(_\d)?|ssse3|sse4a|avx\w*|fma\d?|f16c|bmi\d|popcnt|lzcnt|abm|movbe|gfni|vaes|vpclmulqdq|pclmulqdq|sha_ni|amx\w*|adx|rdrand|rdseed|xop|tbm|aes)$/;

/** This processor's flags, from /proc/cpuinfo's first "flags" line; undefined where there is none (not Linux). */
export function processorFlags(cpuinfo = '/proc/cpuinfo'): string[] | undefined {
  if (!existsSync(cpuinfo)) return undefined;
  const line = /^flags\s*:(.*)$/m.exec(readFileSync(cpuinfo, 'utf8'));
  return line ? line[1]!.trim().split(/\s+/) : undefined;
}

/** The instruction-set extensions the build was made with that this processor lacks. */
export function missingExtensions(builtWith: readonly string[], here: readonly string[]): string[] {
  const have = new Set(here);
  return builtWith.filter((flag) => INSTRUCTION_SET.test(flag) && !have.has(flag));
}

interface BuildRecord {
  cmakeOptions: Record<string, string>;
  flags: string[];
}

/**
 * Why LightSeed's build with `cmakeOptions` cannot run on this processor, in words, or undefined
 * where it can (or where nothing was recorded: a build from before the record, or not Linux).
 */
export function unrunnableBuild(cmakeOptions: Record<string, string>, here = processorFlags(), localBuilds = localBuildsFolder()): string | undefined {
  if (!here || !existsSync(localBuilds)) return undefined;
  for (const folder of readdirSync(localBuilds)) {
    const path = join(localBuilds, folder, 'Release', 'lightseed-cpu.json');
    if (!existsSync(path)) continue;
    let record: BuildRecord;
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as BuildRecord;
    } catch {
      continue; // A damaged record says nothing about this processor; the build is tried.
    }
    if (JSON.stringify(record.cmakeOptions) !== JSON.stringify(cmakeOptions)) continue;
    const missing = missingExtensions(record.flags, here);
    if (missing.length) return `LightSeed's llama.cpp was built on a processor with ${missing.join(', ')}, which this one lacks`;
  }
  return undefined;
}
