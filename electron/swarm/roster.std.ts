// Which peers a council across the circle asks for their agents (the app's and the simulation's rule).

/**
 * The most peers a council asks for their lists of agents: a question costs the same beyond
 * this many peers (bench/swarm.bench.ts), and the members are still drawn by fitness among the
 * fittest of each peer asked.
 */
export const MAX_ROSTER_PEERS = 32;

/** The peers a council asks for their agents: all of them up to MAX_ROSTER_PEERS, else that many drawn at random. */
export function rosterPeers<P>(peers: readonly P[], uniform: () => number, max = MAX_ROSTER_PEERS): P[] {
  const pool = [...peers];
  if (pool.length <= max) return pool;
  // A partial Fisher–Yates shuffle: the first `max` are a uniform sample.
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(uniform() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, max);
}
