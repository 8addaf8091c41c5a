// How many threads llama.cpp decodes with, chosen by measuring, not by a rule of thumb: on a
// small model a second thread mostly waits (one is fastest), on a large one more help until
// memory bandwidth runs out, and where that happens depends on the machine. The engine decodes
// a few tokens at each candidate count when a model first loads here (thread-speeds in the
// model's row keep the result for this machine).

export interface ThreadSpeed {
  threads: number;
  tokensPerSecond: number;
}

/** Counts worth trying on `cores`: 1, the powers of two below, and all cores but one, and all. */
export function threadCandidates(cores: number): number[] {
  const counts = new Set<number>([1]);
  for (let n = 2; n < cores; n *= 2) counts.add(n);
  if (cores > 2) counts.add(cores - 1);
  counts.add(Math.max(1, cores));
  return [...counts].sort((a, b) => a - b);
}

/**
 * The fewest threads within 5% of the fastest: a thread that buys almost nothing is better left
 * to the window and to harvesting (and measurements on a busy machine wander by that much).
 */
export function fastestThreads(speeds: readonly ThreadSpeed[]): number {
  if (speeds.length === 0) throw new RangeError('No thread counts were measured.');
  const best = Math.max(...speeds.map((s) => s.tokensPerSecond));
  return Math.min(...speeds.filter((s) => s.tokensPerSecond >= best * 0.95).map((s) => s.threads));
}
