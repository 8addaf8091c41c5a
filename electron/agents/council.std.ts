// Who sits on a council: k alive agents drawn without replacement, each weighted by
// exp(0.2·fitness) (fitness clamped to ±25 so one agent never takes every seat), with
// uniform draws the caller takes from the entropy pool.

export function drawCouncil(candidates: readonly { id: number; fitness: number }[], k: number, uniform: () => number): number[] {
  const pool = candidates.map((a) => ({ id: a.id, weight: Math.exp(0.2 * Math.max(-25, Math.min(25, a.fitness))) }));
  const chosen: number[] = [];
  while (chosen.length < k && pool.length > 0) {
    const total = pool.reduce((sum, a) => sum + a.weight, 0);
    let r = uniform() * total;
    let i = 0;
    while (i < pool.length - 1 && (r -= pool[i]!.weight) >= 0) i++;
    chosen.push(pool[i]!.id);
    pool.splice(i, 1);
  }
  return chosen;
}
