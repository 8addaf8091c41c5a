// Draws the laid-out family tree on a canvas under a pan/zoom transform. Subtrees
// entirely off screen are skipped; subtrees narrower than a few pixels are drawn as one
// fan with their size, so a frame costs what is visible, not the whole lineage.
import type { TreeLayout } from './layout.dom';
import { GENERATION_SPACING, LEAF_SPACING, type View } from './view.dom';

/** A subtree narrower than this on screen becomes a fan. */
const FAN_BELOW_PX = 6;

export interface DrawStyle {
  colour: (index: number) => string;
  edge: string;
  text: string;
  selected: number | undefined;
}

/** Draws the tree; returns how many nodes and fans were drawn. */
export function drawTree(ctx: CanvasRenderingContext2D, layout: TreeLayout, view: View, style: DrawStyle): { nodes: number; fans: number; sample: [number, number] | undefined } {
  ctx.clearRect(0, 0, view.width, view.height);
  const unitX = LEAF_SPACING * view.kx;
  const unitY = GENERATION_SPACING * view.ky;
  const radius = Math.max(1, Math.min(6, Math.min(unitX, unitY) * 0.35));
  let nodes = 0;
  let fans = 0;
  const stack: number[] = Array.from(layout.roots);
  const fansToLabel: [number, number, number][] = [];
  ctx.lineWidth = 1;
  ctx.strokeStyle = style.edge;
  const dots: number[] = [];
  ctx.beginPath();
  while (stack.length) {
    const i = stack.pop()!;
    const left = view.x + layout.minX[i]! * unitX;
    const right = view.x + layout.maxX[i]! * unitX;
    const top = view.y + layout.depth[i]! * unitY;
    const bottom = view.y + layout.maxDepth[i]! * unitY;
    // Off screen: the whole subtree.
    if (right < -radius || left > view.width + radius || top > view.height + radius || bottom < -radius) continue;
    const x = view.x + layout.x[i]! * unitX;
    dots.push(i);
    nodes++;
    const start = layout.childStart[i]!;
    const end = layout.childStart[i + 1]!;
    if (start === end) continue;
    // A narrow subtree is fanned when it is bushy (more agents than generations) or generations are under 2 px apart;
    // a long single line of descent stays a line.
    const span = layout.maxDepth[i]! - layout.depth[i]! + 1;
    if (right - left < FAN_BELOW_PX && layout.size[i]! > 2 && (layout.size[i]! > 2 * span || unitY < 2)) {
      // A fan from the node down to its subtree's extent.
      ctx.moveTo(x, top);
      ctx.lineTo(left - 1, bottom);
      ctx.lineTo(right + 1, bottom);
      ctx.lineTo(x, top);
      fans++;
      if (layout.size[i]! > 20) fansToLabel.push([x, bottom, layout.size[i]!]);
      continue;
    }
    for (let c = start; c < end; c++) {
      const child = layout.childIndex[c]!;
      const cx = view.x + layout.x[child]! * unitX;
      const cy = view.y + layout.depth[child]! * unitY;
      // An elbow: down half a generation, across, down.
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + unitY / 2);
      ctx.lineTo(cx, top + unitY / 2);
      ctx.lineTo(cx, cy);
      stack.push(child);
    }
  }
  ctx.stroke();
  for (const i of dots) {
    ctx.fillStyle = style.colour(i);
    const x = view.x + layout.x[i]! * unitX;
    const y = view.y + layout.depth[i]! * unitY;
    ctx.beginPath();
    ctx.arc(x, y, i === style.selected ? radius + 3 : radius, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (fansToLabel.length < 400) {
    ctx.fillStyle = style.text;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    for (const [x, y, n] of fansToLabel) ctx.fillText(n.toLocaleString(), x, y + 12);
  }
  // One drawn agent's position, for tests and for keyboard focus to start from.
  const near = dots.find((i) => {
    const x = view.x + layout.x[i]! * unitX;
    const y = view.y + layout.depth[i]! * unitY;
    return x > 20 && x < view.width - 20 && y > 20 && y < view.height - 20;
  });
  return { nodes, fans, sample: near === undefined ? undefined : [view.x + layout.x[near]! * unitX, view.y + layout.depth[near]! * unitY] };
}

/** Fitness on a diverging scale (red below 0, grey at 0, green above); traits on a blue→yellow ramp. */
export function fitnessColour(f: number): string {
  const t = Math.tanh(f / 5);
  return t >= 0 ? `hsl(145 ${30 + 40 * t}% ${55 - 15 * t}%)` : `hsl(0 ${30 - 40 * t}% ${55 + 10 * t}%)`;
}

export function traitColour(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  return `hsl(${230 - 180 * t} 70% ${40 + 15 * t}%)`;
}
