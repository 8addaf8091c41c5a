// SP 800-90B §6.3.8 Lag prediction estimate: predicts each sample as the one d
// steps back, for the lag d (1..128) that has been right most often so far.
import { predictionEstimate } from './prediction.std';

const D = 128;

export function lag(symbols: Uint8Array, alphabetSize: number): number {
  const len = symbols.length;
  const k = alphabetSize;
  const scoreboard = new Float64Array(D);
  // Per symbol, a ring of the last ≤128 positions where it occurred (start/end count modulo 256).
  const rings = new Float64Array(k * D);
  const starts = new Uint8Array(k);
  const ends = new Uint8Array(k);
  let winner = 0;
  let highScore = 0;
  let run = 0;
  let maxRun = 0;
  let correct = 0;
  rings[symbols[0]! * D] = 0;
  ends[symbols[0]!] = 1;
  for (let i = 1; i < len; i++) {
    const x = symbols[i]!;
    if (x === symbols[i - winner - 1]) {
      correct++;
      if (++run > maxRun) maxRun = run;
    } else {
      run = 0;
    }
    const base = x * D;
    if (starts[x] !== ends[x]) {
      let index = ends[x]!;
      const cutoff = i >= D ? i - D : 0;
      do {
        index = (index - 1) & 0xff;
        const position = rings[base + (index & (D - 1))]!;
        if (position >= cutoff) {
          const offset = i - position - 1;
          const score = ++scoreboard[offset]!;
          if (score >= highScore) {
            winner = offset;
            highScore = score;
          }
        } else {
          starts[x] = (index + 1) & 0xff;
          break;
        }
      } while (index !== starts[x]);
    }
    if (((ends[x]! - starts[x]!) & 0xff) === D) starts[x] = (starts[x]! + 1) & 0xff;
    rings[base + (ends[x]! & (D - 1))] = i;
    ends[x] = (ends[x]! + 1) & 0xff;
  }
  return predictionEstimate(correct, len - 1, maxRun, k);
}
