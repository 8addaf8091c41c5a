// The family tree's layout and drawing helpers on small trees: a tidy layout with
// parents above children, children in CSR form, subtree extents and sizes, hit testing.
import { describe, expect, it } from 'vitest';
import { fitView, hitTest, screenX, screenY, zoomedView } from '../../renderer/src/lib/tree/view.dom';
import { layoutTree } from '../../renderer/src/lib/tree/layout.dom';

// Two lineages: 1 → (2 → (4, 5), 3) and 6 → 7.
const ids = [1, 6, 2, 3, 7, 4, 5];
const parents = [0, 0, 1, 1, 6, 2, 2];

describe('tree layout', () => {
  it('places every generation one level below its parent, children around their parent', () => {
    const layout = layoutTree(ids, parents);
    const at = (id: number) => ids.indexOf(id);
    expect([...layout.depth]).toEqual([0, 0, 1, 1, 1, 2, 2]);
    expect([...layout.roots]).toEqual([at(1), at(6)]);
    const kids = (id: number) => [...layout.childIndex.subarray(layout.childStart[at(id)]!, layout.childStart[at(id) + 1]!)].map((i) => ids[i]);
    expect(kids(1)).toEqual([2, 3]);
    expect(kids(2)).toEqual([4, 5]);
    expect(kids(4)).toEqual([]);
    expect(layout.x[at(4)]).toBeLessThan(layout.x[at(5)]!);
    expect(layout.x[at(2)]).toBeCloseTo((layout.x[at(4)]! + layout.x[at(5)]!) / 2);
    expect(layout.size[at(1)]).toBe(5);
    expect(layout.size[at(6)]).toBe(2);
    expect(layout.maxDepth[at(1)]).toBe(2);
    expect(layout.minX[at(1)]).toBe(Math.min(...[1, 2, 3, 4, 5].map((id) => layout.x[at(id)]!)));
    expect(Math.min(...layout.x)).toBe(0);
  });

  it('refuses a child listed before its parent', () => {
    expect(() => layoutTree([2, 1], [1, 0])).toThrow(/Parents must come before their children/);
  });

  it('fits the tree in a view and finds the agent under a point', () => {
    const layout = layoutTree(ids, parents);
    const view = fitView(layout, 800, 400);
    const i = ids.indexOf(5);
    expect(hitTest(layout, view, screenX(layout, i, view) + 1, screenY(layout, i, view) - 1)).toBe(i);
    expect(hitTest(layout, view, -500, -500)).toBeUndefined();
    for (let j = 0; j < ids.length; j++) {
      expect(screenX(layout, j, view)).toBeGreaterThanOrEqual(0);
      expect(screenX(layout, j, view)).toBeLessThanOrEqual(800);
      expect(screenY(layout, j, view)).toBeLessThanOrEqual(400);
    }
  });

  it('moves every agent by the zoom transform: scaled about the origin, then translated', () => {
    const layout = layoutTree(ids, parents);
    const base = fitView(layout, 800, 400);
    expect(zoomedView(base, { x: 0, y: 0, k: 1 }, 800, 400)).toEqual(base);
    const zoomed = zoomedView(base, { x: 30, y: -10, k: 2 }, 800, 400);
    for (let j = 0; j < ids.length; j++) {
      expect(screenX(layout, j, zoomed)).toBeCloseTo(30 + 2 * screenX(layout, j, base));
      expect(screenY(layout, j, zoomed)).toBeCloseTo(-10 + 2 * screenY(layout, j, base));
    }
  });
});

describe('the renderer’s trait list', () => {
  it('is the main process’s, in the same order', async () => {
    const { TRAITS } = await import('../../renderer/src/lib/traits.dom');
    const { TRAIT_NAMES } = await import('../../electron/agents/trait-names.std');
    expect([...TRAITS]).toEqual([...TRAIT_NAMES]);
  });
});
