// The agents' pure rules the services apply: the fitness chart, the council's draw,
// the Muller plot's clades, a clipped title.
import { describe, expect, it } from 'vitest';
import { topClades } from '../../../electron/agents/clades.std';
import { clip } from '../../../electron/agents/clip.std';
import { drawCouncil } from '../../../electron/agents/council.std';
import { decayedFitness, fitnessHistory } from '../../../electron/agents/fitness.std';

describe('fitness history', () => {
  it('decays between events and adds each value, from the inherited start to now', () => {
    const points = fitnessHistory(2, [{ value: 1, atInteraction: 10 }, { value: -1, atInteraction: 500 }], 1500, 1000);
    const afterFirst = decayedFitness(2, 0, 10, 1000) + 1;
    const afterSecond = decayedFitness(afterFirst, 10, 500, 1000) - 1;
    expect(points).toEqual([
      { interaction: 0, fitness: 2 },
      { interaction: 10, fitness: afterFirst },
      { interaction: 500, fitness: afterSecond },
      { interaction: 1500, fitness: decayedFitness(afterSecond, 500, 1500, 1000) },
    ]);
  });
});

describe('council draw', () => {
  it('draws k distinct agents, the fitter more often', () => {
    const candidates = [
      { id: 1, fitness: 10 },
      { id: 2, fitness: 0 },
      { id: 3, fitness: -10 },
    ];
    let state = 7;
    const uniform = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const firsts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const seats = drawCouncil(candidates, 2, uniform);
      expect(new Set(seats).size).toBe(2);
      firsts.set(seats[0]!, (firsts.get(seats[0]!) ?? 0) + 1);
    }
    // exp(2) : exp(0) : exp(−2) ≈ 0.867 : 0.117 : 0.016 of first seats.
    expect(firsts.get(1)! / 3000).toBeCloseTo(0.867, 1);
    expect(firsts.get(3) ?? 0).toBeLessThan(firsts.get(2)!);
    expect(drawCouncil(candidates, 5, uniform)).toHaveLength(3);
  });
});

describe('clades shown', () => {
  it('keeps the largest clades by peak size and sums the rest', () => {
    const series = { clades: [1, 2, 3].map((id) => ({ id, name: `c${id}` })), times: [0, 1], sizes: [[1, 5, 2], [3, 1, 4]] };
    expect(topClades(series, 3)).toBe(series);
    expect(topClades(series, 1)).toEqual({ clades: [{ id: 2, name: 'c2' }, { id: 0, name: '2 other clades' }], times: [0, 1], sizes: [[5, 3], [1, 7]] });
  });
});

describe('clip', () => {
  it('flattens whitespace and cuts with an ellipsis', () => {
    expect(clip('  a\n b  ', 10)).toBe('a b');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });
});
