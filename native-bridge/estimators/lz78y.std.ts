// SP 800-90B §6.3.10 LZ78Y prediction estimate: predicts from the longest context
// (up to 16 symbols) with the most counted continuation, in a dictionary capped at 65,536 entries.
import { contextPath, ensureContext, PostfixCounts, TrieNode } from './postfix-trie.std';
import { PredictionRecord } from './prediction.std';

const B = 16;
const MAX_DICTIONARY_SIZE = 65_536;

export function lz78y(symbols: Uint8Array, alphabetSize: number): number {
  if (alphabetSize === 2) return binaryLz78y(symbols);
  const len = symbols.length;
  if (len < B + 2) return -1;
  const n = len - B - 1;
  const root = new TrieNode();
  const path: (TrieNode | undefined)[] = new Array(B);
  let dictionarySize = 0;
  const record = new PredictionRecord();

  contextPath(root, symbols, B, B, path);
  for (let j = 1; j <= B; j++) {
    const node = ensureContext(root, symbols, B, j - 1, path);
    (node.postfix ??= new PostfixCounts()).increment(symbols[B]!, true);
    dictionarySize++;
  }

  for (let i = B + 1; i < len; i++) {
    const x = symbols[i]!;
    let havePrediction = false;
    let prediction = 0;
    let maxCount = 0;
    contextPath(root, symbols, i, B, path);
    for (let j = B; j > 0; j--) {
      const postfix = path[j - 1]?.postfix;
      if (postfix) {
        if (postfix.best > maxCount) {
          maxCount = postfix.best;
          prediction = postfix.prediction;
          havePrediction = true;
        }
        postfix.increment(x, true);
      } else if (dictionarySize < MAX_DICTIONARY_SIZE) {
        const node = ensureContext(root, symbols, i, j - 1, path);
        (node.postfix ??= new PostfixCounts()).increment(x, true);
        dictionarySize++;
      }
    }
    record.note(havePrediction && prediction === x);
  }
  return record.estimate(n, alphabetSize);
}

/**
 * The same predictor for bits, with flat count tables (NIST's binary fast path): one table for
 * all sixteen context lengths.
 */
function binaryLz78y(bits: Uint8Array): number {
  const len = bits.length;
  if (len < B + 3) return -1;
  // counts[base[j - 1] + ((context << 1) | next)]: counts for contexts of j bits, newest bit lowest.
  const base = new Int32Array(B + 1);
  for (let j = 0; j < B; j++) base[j + 1] = base[j]! + (1 << (j + 2));
  const counts = new Int32Array(base[B]!);
  let elements = 0;
  const record = new PredictionRecord();
  let pattern = 0;
  for (let j = 0; j < B; j++) {
    pattern |= (bits[B - j - 1]! & 1) << j;
    counts[base[j]! + (((pattern & ((1 << (j + 1)) - 1)) << 1) | (bits[B]! & 1))] = 1;
    elements++;
  }
  let full = 0; // the last B bits before i, newest in bit 0
  for (let j = 0; j < B; j++) full = (full << 1) | (bits[j]! & 1);
  for (let i = B + 1; i < len; i++) {
    const x = bits[i]! & 1;
    full = ((full << 1) | (bits[i - 1]! & 1)) & ((1 << B) - 1);
    let havePrediction = false;
    let prediction = 2;
    let maxCount = 0;
    for (let j = B; j > 0; j--) {
      const at = base[j - 1]! + ((full & ((1 << j) - 1)) << 1);
      const zeros = counts[at]!;
      const ones = counts[at + 1]!;
      const count = zeros > ones ? zeros : ones;
      if (count !== 0) {
        if (count > maxCount) {
          maxCount = count;
          havePrediction = true;
          prediction = zeros > ones ? 0 : 1;
        }
        counts[at + x]!++;
      } else if (elements < MAX_DICTIONARY_SIZE) {
        counts[at + x] = 1;
        elements++;
      }
    }
    record.note(havePrediction && prediction === x);
  }
  return record.estimate(len - B - 1, 2);
}
