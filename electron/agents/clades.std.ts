// Clade sizes over time, cut down to what a Muller plot can show.

export interface CladeSeries {
  /** The agent that founds each clade (the root's descendants at a depth). */
  clades: { id: number; name: string }[];
  /** Sampling times (ms since epoch). */
  times: number[];
  /** sizes[t][c]: living members of clade c at times[t] (agents born by then and not yet archived). */
  sizes: number[][];
}

/** The `keep` largest clades (by their largest size) and the rest summed as "others", for a readable Muller plot. */
export function topClades(series: CladeSeries, keep: number): CladeSeries {
  if (series.clades.length <= keep) return series;
  const peak = series.clades.map((_, c) => Math.max(...series.sizes.map((row) => row[c]!)));
  const order = [...peak.keys()].sort((a, b) => peak[b]! - peak[a]!);
  const kept = order.slice(0, keep);
  const rest = order.slice(keep);
  return {
    clades: [...kept.map((c) => series.clades[c]!), { id: 0, name: `${rest.length} other clades` }],
    times: series.times,
    sizes: series.sizes.map((row) => [...kept.map((c) => row[c]!), rest.reduce((sum, c) => sum + row[c]!, 0)]),
  };
}
