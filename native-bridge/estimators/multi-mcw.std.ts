// SP 800-90B §6.3.7 Multi Most Common in Window prediction estimate.
import { PredictionRecord } from './prediction.std';

const WINDOWS = [63, 255, 1023, 4095] as const;
const LARGEST = 4095;

/** Returns −1 when there are too few samples. */
export function multiMcw(symbols: Uint8Array, alphabetSize: number): number {
  if (symbols.length < LARGEST + 1) return -1;
  return alphabetSize === 2 ? multiMcwOnBits(symbols) : multiMcwBySymbol(symbols, alphabetSize);
}

/** The estimate for any alphabet, with each window's counts per symbol. */
export function multiMcwBySymbol(symbols: Uint8Array, alphabetSize: number): number {
  const len = symbols.length;
  const nw = WINDOWS.length;
  const k = alphabetSize;
  const n = len - WINDOWS[0];
  const counts = new Int32Array(nw * k);
  const positions = new Float64Array(nw * k);
  const maxCounts = new Int32Array(nw);
  const frequent = new Int32Array(nw);
  const scoreboard = new Float64Array(nw);
  let winner = 0;
  const record = new PredictionRecord();

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
    record.note(frequent[winner] === x);
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
  return record.estimate(n, k);
}

/**
 * The same predictor for bits. Every window holds an odd number of bits (63 … 4095), so once
 * full it never ties: its most common bit is 1 exactly when more than half are ones, and a
 * window is a count of ones that gains the new bit and loses the one that left. Before a
 * window is full its prediction is never scored, and when it fills it holds the first w bits
 * (as the walk above has it).
 */
export function multiMcwOnBits(bits: Uint8Array): number {
  const len = bits.length;
  const nw = WINDOWS.length;
  const ones = new Int32Array(nw);
  const frequent = new Int32Array(nw);
  const scoreboard = new Int32Array(nw);
  let winner = 0;
  const record = new PredictionRecord();
  for (let j = 0; j < nw; j++) {
    const w = WINDOWS[j]!;
    for (let i = 0; i < w; i++) ones[j]! += bits[i]!;
    frequent[j] = 2 * ones[j]! > w ? 1 : 0;
  }
  for (let i = WINDOWS[0]; i < len; i++) {
    const x = bits[i]!;
    record.note(frequent[winner] === x);
    for (let j = 0; j < nw; j++) {
      const w = WINDOWS[j]!;
      if (i < w) break; // the windows are in increasing size
      if (frequent[j] === x && ++scoreboard[j]! >= scoreboard[winner]!) winner = j;
      ones[j]! += x - bits[i - w]!;
      frequent[j] = 2 * ones[j]! > w ? 1 : 0;
    }
  }
  return record.estimate(len - WINDOWS[0], 2);
}
