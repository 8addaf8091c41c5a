// The family tree's layout (d3-hierarchy's tidy tree, Reingold–Tilford), computed in a
// worker, plus what the renderer needs to draw 100,000 agents quickly: children in CSR
// form and each subtree's extent and size, so whole off-screen or sub-pixel subtrees are
// skipped or drawn as one fan.
import { stratify, tree } from 'd3-hierarchy';

export interface TreeLayout {
  /** Horizontal position in units of one leaf. */
  x: Float64Array;
  /** Depth (generation below the drawn root). */
  depth: Int32Array;
  /** Children of node i are childIndex[childStart[i] .. childStart[i + 1]). */
  childStart: Int32Array;
  childIndex: Int32Array;
  /** Indexes of the roots (agents whose parent is not in the set). */
  roots: Int32Array;
  /** Each subtree's horizontal extent, deepest depth and size (the node included). */
  minX: Float64Array;
  maxX: Float64Array;
  maxDepth: Int32Array;
  size: Int32Array;
  width: number;
  height: number;
}

/** `ids[i]`'s parent is `parentIds[i]` (0 or an id not in `ids` for a root); parents come before children. */
export function layoutTree(ids: ArrayLike<number>, parentIds: ArrayLike<number>): TreeLayout {
  const n = ids.length;
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) index.set(ids[i]!, i);
  const parentOf = new Int32Array(n);
  for (let i = 0; i < n; i++) parentOf[i] = index.get(parentIds[i]!) ?? -1;
  // A virtual root above every lineage root makes one tree of the forest.
  const rows = [{ id: -1, parent: undefined as number | undefined }];
  for (let i = 0; i < n; i++) rows.push({ id: i, parent: parentOf[i]! >= 0 ? parentOf[i]! : -1 });
  const hierarchy = stratify<{ id: number; parent: number | undefined }>()
    .id((d) => String(d.id))
    .parentId((d) => (d.parent === undefined ? undefined : String(d.parent)))(rows);
  tree<{ id: number; parent: number | undefined }>().nodeSize([1, 1]).separation((a, b) => (a.parent === b.parent ? 1 : 1.5))(hierarchy);

  const x = new Float64Array(n);
  const depth = new Int32Array(n);
  let min = Infinity;
  let max = -Infinity;
  hierarchy.each((node) => {
    const i = node.data.id;
    if (i < 0) return;
    x[i] = node.x!;
    depth[i] = node.depth - 1;
    min = Math.min(min, node.x!);
    max = Math.max(max, node.x!);
  });
  if (n > 0) for (let i = 0; i < n; i++) x[i] = x[i]! - min;

  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parentOf[i]! >= 0) counts[parentOf[i]! + 1]!++;
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i]! + counts[i + 1]!;
  const fill = childStart.slice(0, n);
  const childIndex = new Int32Array(childStart[n]!);
  for (let i = 0; i < n; i++) if (parentOf[i]! >= 0) childIndex[fill[parentOf[i]!]!++] = i;
  const roots = Int32Array.from([...Array(n).keys()].filter((i) => parentOf[i]! < 0));

  // Extents bottom-up: children come after parents, so walk backwards.
  const minX = Float64Array.from(x);
  const maxX = Float64Array.from(x);
  const maxDepth = Int32Array.from(depth);
  const size = new Int32Array(n).fill(1);
  for (let i = n - 1; i >= 0; i--) {
    const p = parentOf[i]!;
    if (p < 0) continue;
    if (p > i) throw new Error('Parents must come before their children.');
    minX[p] = Math.min(minX[p]!, minX[i]!);
    maxX[p] = Math.max(maxX[p]!, maxX[i]!);
    maxDepth[p] = Math.max(maxDepth[p]!, maxDepth[i]!);
    size[p] = size[p]! + size[i]!;
  }
  let height = 0;
  for (let i = 0; i < n; i++) height = Math.max(height, depth[i]!);
  return { x, depth, childStart, childIndex, roots, minX, maxX, maxDepth, size, width: n ? max - min : 0, height };
}
