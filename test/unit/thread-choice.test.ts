import { describe, expect, it } from 'vitest';
import { fastestThreads, threadCandidates } from '../../electron/inference/thread-choice.std';

describe('thread choice', () => {
  it('tries 1, the powers of two, all cores but one and all cores', () => {
    expect(threadCandidates(1)).toEqual([1]);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(4)).toEqual([1, 2, 3, 4]);
    expect(threadCandidates(8)).toEqual([1, 2, 4, 7, 8]);
    expect(threadCandidates(16)).toEqual([1, 2, 4, 8, 15, 16]);
    expect(threadCandidates(0)).toEqual([1]);
  });

  it('picks the fewest threads within 5% of the fastest', () => {
    expect(fastestThreads([{ threads: 1, tokensPerSecond: 20 }, { threads: 2, tokensPerSecond: 30 }])).toBe(2);
    expect(fastestThreads([{ threads: 1, tokensPerSecond: 200 }, { threads: 2, tokensPerSecond: 205 }])).toBe(1);
    expect(fastestThreads([{ threads: 4, tokensPerSecond: 50 }, { threads: 8, tokensPerSecond: 40 }, { threads: 2, tokensPerSecond: 30 }])).toBe(4);
    expect(() => fastestThreads([])).toThrow(/No thread counts/);
  });
});
