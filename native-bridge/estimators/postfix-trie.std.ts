// Context dictionaries for the MultiMMC and LZ78Y predictors: a trie keyed by the
// context read backwards (newest symbol first), so the contexts of every length
// that end at the same position lie on one path. Each node may hold a postfix
// dictionary: the counts of symbols seen after that context, with the current
// prediction (most counted; ties go to the larger symbol, as in NIST's tool).

export class PostfixCounts {
  readonly counts = new Map<number, number>();
  best = 0;
  prediction = 0;

  /** Counts `symbol` after this context; returns true when it was new. Refuses a new symbol unless `allowNew`. */
  increment(symbol: number, allowNew: boolean): boolean {
    const current = this.counts.get(symbol);
    let count: number;
    let created = false;
    if (current !== undefined) {
      count = current + 1;
    } else if (allowNew) {
      count = 1;
      created = true;
    } else {
      return false;
    }
    this.counts.set(symbol, count);
    if (count > this.best || (count === this.best && symbol > this.prediction)) {
      this.prediction = symbol;
      this.best = count;
    }
    return created;
  }
}

export class TrieNode {
  children: Map<number, TrieNode> | undefined;
  postfix: PostfixCounts | undefined;

  child(symbol: number): TrieNode | undefined {
    return this.children?.get(symbol);
  }

  childOrNew(symbol: number): TrieNode {
    this.children ??= new Map();
    let node = this.children.get(symbol);
    if (!node) this.children.set(symbol, (node = new TrieNode()));
    return node;
  }
}

/**
 * The nodes for the contexts symbols[end−1], symbols[end−2..end−1], … up to
 * `depth` symbols: path[d] is the node of the (d+1)-symbol context, or undefined.
 */
export function contextPath(root: TrieNode, symbols: Uint8Array, end: number, depth: number, path: (TrieNode | undefined)[]): void {
  let node: TrieNode | undefined = root;
  for (let d = 0; d < depth; d++) {
    node = node?.child(symbols[end - 1 - d]!);
    path[d] = node;
  }
}

/** Creates the missing nodes of the path down to the (d+1)-symbol context and returns it. */
export function ensureContext(root: TrieNode, symbols: Uint8Array, end: number, d: number, path: (TrieNode | undefined)[]): TrieNode {
  let node = root;
  for (let i = 0; i <= d; i++) {
    node = path[i] ?? node.childOrNew(symbols[end - 1 - i]!);
    path[i] = node;
  }
  return node;
}
