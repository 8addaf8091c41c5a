// Where the laid-out family tree lands on screen under a pan/zoom transform, and which
// agent is under a point. Pure geometry; the canvas drawing is in draw.dom.ts.
import type { TreeLayout } from './layout.dom';

/** Pixels between neighbouring leaves and between generations at zoom 1. */
export const LEAF_SPACING = 8;
export const GENERATION_SPACING = 48;
export interface View {
  x: number;
  y: number;
  /** Horizontal and vertical zoom: a lineage can be far wider than deep, so each is fitted on its own. */
  kx: number;
  ky: number;
  width: number;
  height: number;
}

export const screenX = (layout: TreeLayout, i: number, v: View) => v.x + layout.x[i]! * LEAF_SPACING * v.kx;
export const screenY = (layout: TreeLayout, i: number, v: View) => v.y + layout.depth[i]! * GENERATION_SPACING * v.ky;

/** The transform that fits the whole tree in the view with a margin. */
export function fitView(layout: TreeLayout, width: number, height: number): View {
  const w = Math.max(1, layout.width * LEAF_SPACING);
  const h = Math.max(1, layout.height * GENERATION_SPACING);
  const kx = Math.min((width - 40) / w, 4);
  const ky = Math.min((height - 40) / h, 2);
  return { kx, ky, x: (width - w * kx) / 2, y: 20, width, height };
}

/** The fitted view `base` under a d3-zoom transform (translate `x`, `y`, scale `k`), at a size. */
export function zoomedView(base: View, t: { x: number; y: number; k: number }, width: number, height: number): View {
  return { x: t.x + base.x * t.k, y: t.y + base.y * t.k, kx: base.kx * t.k, ky: base.ky * t.k, width, height };
}

/** The node under a screen point, if any (searching only visible subtrees). */
export function hitTest(layout: TreeLayout, view: View, px: number, py: number): number | undefined {
  const unitX = LEAF_SPACING * view.kx;
  const unitY = GENERATION_SPACING * view.ky;
  const reach = Math.max(6, unitX * 0.5);
  const stack: number[] = Array.from(layout.roots);
  let best: number | undefined;
  let bestDistance = reach * reach;
  while (stack.length) {
    const i = stack.pop()!;
    const left = view.x + layout.minX[i]! * unitX - reach;
    const right = view.x + layout.maxX[i]! * unitX + reach;
    const top = view.y + layout.depth[i]! * unitY - reach;
    const bottom = view.y + layout.maxDepth[i]! * unitY + reach;
    if (px < left || px > right || py < top || py > bottom) continue;
    const dx = view.x + layout.x[i]! * unitX - px;
    const dy = view.y + layout.depth[i]! * unitY - py;
    if (dx * dx + dy * dy < bestDistance) {
      bestDistance = dx * dx + dy * dy;
      best = i;
    }
    for (let c = layout.childStart[i]!; c < layout.childStart[i + 1]!; c++) stack.push(layout.childIndex[c]!);
  }
  return best;
}
