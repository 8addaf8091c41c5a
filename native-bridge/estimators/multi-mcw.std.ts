// SP 800-90B §6.3.7 Multi Most Common in Window prediction estimate.
import { predictionEstimate } from './prediction.std';

const WINDOWS = [63, 255, 1023, 4095] as const;
const LARGEST = 4095;

/** Returns −1 when there are too few samples. */
export function multiMcw(symbols: Uint8Array, alphabetSize: number): number {
  const len = symbols.length;
  const nw = WINDOWS.length;
  const k = alphabetSize;
  if (len < LARGEST + 1) return -1;
  const n = len - WINDOWS[0];
  const counts = new Int32Array(nw * k);
  const positions = new Float64Array(nw * k);
  const maxCounts = new Int32Array(nw);
  const frequent = new Int32Array(nw);
  const scoreboard = new Float64Array(nw);
  let winner = 0;
  let correct = 0;
  let run = 0;
  let maxRun = 0;

  for (let i = 0; i < LARGEST; i++) {
    const x = symbols[i]!;
    for (let j = 0; j < nw; j++) {
      if (i < WINDOWS[j]!) {
        if (maxCounts[j]! <= ++counts[j * k + x]!) {
          maxCounts[j] = counts[j * k + x]!;
          frequent[j] = x;
        }
        positions[j * k + x] = i;
      }
    }
  }

  for (let i = WINDOWS[0]; i < len; i++) {
    const x = symbols[i]!;
    if (frequent[winner] === x) {
      correct++;
      if (++run > maxRun) maxRun = run;
    } else {
      run = 0;
    }
    for (let j = 0; j < nw; j++) {
      if (i >= WINDOWS[j]! && frequent[j] === x) {
        if (++scoreboard[j]! >= scoreboard[winner]!) winner = j;
      }
    }
    for (let j = 0; j < nw; j++) {
      const w = WINDOWS[j]!;
      if (i < w) continue;
      const base = j * k;
      const dropped = symbols[i - w]!;
      counts[base + dropped]!--;
      counts[base + x]!++;
      positions[base + x] = i;
      if (dropped !== frequent[j] && maxCounts[j]! <= counts[base + x]!) {
        maxCounts[j] = counts[base + x]!;
        frequent[j] = x;
      } else if (dropped === frequent[j]) {
        // The most common value lost one: find the new most common, latest occurrence first on ties.
        maxCounts[j]!--;
        let maxPos = i - w;
        for (let s = 0; s < k; s++) {
          if (maxCounts[j]! < counts[base + s]! || (maxCounts[j] === counts[base + s] && maxPos <= positions[base + s]!)) {
            maxCounts[j] = counts[base + s]!;
            frequent[j] = s;
            maxPos = positions[base + s]!;
          }
        }
      }
    }
  }
  return predictionEstimate(correct, n, maxRun, k);
}
