// SP 800-90B §6.3.9 Multi Markov Model with Counting prediction estimate:
// sixteen Markov models of order 1..16 vote; the one right most often predicts.
import { contextPath, ensureContext, PostfixCounts, TrieNode } from './postfix-trie.std';
import { PredictionRecord } from './prediction.std';

const D = 16;
/** Each model keeps at most this many (context, next symbol) pairs. */
const MAX_ENTRIES = 100_000;

/** Each model's score, the model that predicts (the winner) and the record of its predictions. */
class Votes {
  readonly scoreboard = new Int32Array(D);
  readonly record = new PredictionRecord();
  winner = 0;

  /** Model `d` predicted, rightly or not; `predicting` was the winner when the step began. */
  note(d: number, right: boolean, predicting: number): void {
    if (right && ++this.scoreboard[d]! >= this.scoreboard[this.winner]!) this.winner = d;
    if (d === predicting) this.record.note(right);
  }
}

export function multiMmc(symbols: Uint8Array, alphabetSize: number): number {
  if (alphabetSize === 2) return binaryMultiMmc(symbols);
  const len = symbols.length;
  if (len < 3) return -1;
  const n = len - 2;
  const root = new TrieNode();
  const entries = new Int32Array(D);
  const path: (TrieNode | undefined)[] = new Array(D);
  const votes = new Votes();

  for (let d = 0; d < D && d < n; d++) {
    contextPath(root, symbols, d + 1, d + 1, path);
    const node = ensureContext(root, symbols, d + 1, d, path);
    (node.postfix ??= new PostfixCounts()).increment(symbols[d + 1]!, true);
    entries[d] = 1;
  }

  for (let i = 2; i < len; i++) {
    const x = symbols[i]!;
    const curWinner = votes.winner;
    const depth = Math.min(D, i - 1);
    contextPath(root, symbols, i, depth, path);
    let found = false;
    for (let d = 0; d < depth; d++) {
      const node = path[d];
      if (d === 0 || found) found = node?.postfix !== undefined;
      if (found) {
        const postfix = node!.postfix!;
        votes.note(d, postfix.prediction === x, curWinner);
        if (postfix.increment(x, entries[d]! < MAX_ENTRIES)) entries[d]!++;
      } else if (entries[d]! < MAX_ENTRIES) {
        const created = ensureContext(root, symbols, i, d, path);
        (created.postfix ??= new PostfixCounts()).increment(x, true);
        entries[d]!++;
      }
    }
  }
  return votes.record.estimate(n, alphabetSize);
}

/**
 * The same predictor for bits, with flat count tables instead of a trie (NIST's binary fast
 * path): one table for all sixteen orders, the last sixteen bits kept in one integer.
 */
function binaryMultiMmc(bits: Uint8Array): number {
  const len = bits.length;
  if (len < 4) return -1;
  // counts[base[d] + ((context << 1) | next)]: counts for contexts of d+1 bits, newest bit lowest.
  const base = new Int32Array(D + 1);
  for (let d = 0; d < D; d++) base[d + 1] = base[d]! + (1 << (d + 2));
  const counts = new Int32Array(base[D]!);
  const elements = new Int32Array(D);
  const votes = new Votes();
  let pattern = 0;
  for (let d = 0; d < D; d++) {
    pattern = ((pattern << 1) | (bits[d]! & 1)) >>> 0;
    counts[base[d]! + (((pattern & ((1 << (d + 1)) - 1)) << 1) | (bits[d + 1]! & 1))] = 1;
    elements[d] = 1;
  }
  // The bits before position i, the one just before lowest.
  let history = bits[0]! & 1;
  for (let i = 2; i < len; i++) {
    history = ((history << 1) | (bits[i - 1]! & 1)) & 0xffff;
    const x = bits[i]! & 1;
    const curWinner = votes.winner;
    const orders = i - 1 < D ? i - 1 : D;
    let d = 0;
    // While each shorter context has been seen, this one predicts (if it has been seen too).
    for (; d < orders; d++) {
      const at = base[d]! + ((history & ((2 << d) - 1)) << 1);
      const zeros = counts[at]!;
      const ones = counts[at + 1]!;
      if (zeros === 0 && ones === 0) break;
      votes.note(d, (zeros > ones ? 0 : 1) === x, curWinner);
      if (counts[at + x] !== 0) counts[at + x]!++;
      else if (elements[d]! < MAX_ENTRIES) {
        counts[at + x] = 1;
        elements[d]!++;
      }
    }
    // Contexts not seen yet: this bit is their first count, while there is room.
    for (; d < orders; d++) {
      if (elements[d]! < MAX_ENTRIES) {
        counts[base[d]! + (((history & ((2 << d) - 1)) << 1) | x)] = 1;
        elements[d]!++;
      }
    }
  }
  return votes.record.estimate(len - 2, 2);
}
