// SP 800-90B §6.3.9 Multi Markov Model with Counting prediction estimate:
// sixteen Markov models of order 1..16 vote; the one right most often predicts.
import { contextPath, ensureContext, PostfixCounts, TrieNode } from './postfix-trie.std';
import { predictionEstimate } from './prediction.std';

const D = 16;
/** Each model keeps at most this many (context, next symbol) pairs. */
const MAX_ENTRIES = 100_000;

export function multiMmc(symbols: Uint8Array, alphabetSize: number): number {
  if (alphabetSize === 2) return binaryMultiMmc(symbols);
  const len = symbols.length;
  if (len < 3) return -1;
  const n = len - 2;
  const root = new TrieNode();
  const entries = new Int32Array(D);
  const scoreboard = new Float64Array(D);
  const path: (TrieNode | undefined)[] = new Array(D);
  let winner = 0;
  let correct = 0;
  let run = 0;
  let maxRun = 0;

  for (let d = 0; d < D && d < n; d++) {
    contextPath(root, symbols, d + 1, d + 1, path);
    const node = ensureContext(root, symbols, d + 1, d, path);
    (node.postfix ??= new PostfixCounts()).increment(symbols[d + 1]!, true);
    entries[d] = 1;
  }

  for (let i = 2; i < len; i++) {
    const x = symbols[i]!;
    const curWinner = winner;
    const depth = Math.min(D, i - 1);
    contextPath(root, symbols, i, depth, path);
    let found = false;
    for (let d = 0; d < depth; d++) {
      const node = path[d];
      if (d === 0 || found) found = node?.postfix !== undefined;
      if (found) {
        const postfix = node!.postfix!;
        if (postfix.prediction === x) {
          if (++scoreboard[d]! >= scoreboard[winner]!) winner = d;
          if (d === curWinner) {
            correct++;
            if (++run > maxRun) maxRun = run;
          }
        } else if (d === curWinner) {
          run = 0;
        }
        if (postfix.increment(x, entries[d]! < MAX_ENTRIES)) entries[d]!++;
      } else if (entries[d]! < MAX_ENTRIES) {
        const created = ensureContext(root, symbols, i, d, path);
        (created.postfix ??= new PostfixCounts()).increment(x, true);
        entries[d]!++;
      }
    }
  }
  return predictionEstimate(correct, n, maxRun, alphabetSize);
}

/** The same predictor for bits, with flat count tables instead of a trie (NIST's binary fast path). */
function binaryMultiMmc(bits: Uint8Array): number {
  const len = bits.length;
  if (len < 4) return -1;
  // dict[d][(context << 1) | next]: counts for contexts of d+1 bits.
  const dict = Array.from({ length: D }, (_, d) => new Int32Array(1 << (d + 2)));
  const elements = new Int32Array(D);
  const scoreboard = new Float64Array(D);
  let winner = 0;
  let correct = 0;
  let run = 0;
  let maxRun = 0;
  let pattern = 0;
  for (let d = 0; d < D; d++) {
    pattern = ((pattern << 1) | (bits[d]! & 1)) >>> 0;
    dict[d]![((pattern & ((1 << (d + 1)) - 1)) << 1) | (bits[d + 1]! & 1)] = 1;
    elements[d] = 1;
  }
  for (let i = 2; i < len; i++) {
    const x = bits[i]! & 1;
    const curWinner = winner;
    let found = false;
    pattern = 0;
    for (let d = 0; d < D && d <= i - 2; d++) {
      pattern |= (bits[i - d - 1]! & 1) << d;
      const table = dict[d]!;
      const at = (pattern & ((1 << (d + 1)) - 1)) << 1;
      let prediction = 2;
      if (d === 0 || found) {
        const zeros = table[at]!;
        const ones = table[at + 1]!;
        prediction = zeros > ones ? 0 : 1;
        found = (zeros > ones ? zeros : ones) !== 0;
      }
      if (found) {
        if (prediction === x) {
          if (++scoreboard[d]! >= scoreboard[winner]!) winner = d;
          if (d === curWinner) {
            correct++;
            if (++run > maxRun) maxRun = run;
          }
        } else if (d === curWinner) {
          run = 0;
        }
        if (table[at + x] !== 0) table[at + x]!++;
        else if (elements[d]! < MAX_ENTRIES) {
          table[at + x] = 1;
          elements[d]!++;
        }
      } else if (elements[d]! < MAX_ENTRIES) {
        table[at + x] = 1;
        elements[d]!++;
      }
    }
  }
  return predictionEstimate(correct, len - 2, maxRun, 2);
}
