// Chart and tree-renderer components mounted in Chromium (vitest browser mode): what they
// draw for known data.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import GenerationCharts from '../../renderer/src/components/GenerationCharts.svelte';
import TraitRadar from '../../renderer/src/components/TraitRadar.svelte';
import { drawTree } from '../../renderer/src/lib/tree/draw.dom';
import { layoutTree } from '../../renderer/src/lib/tree/layout.dom';
import { fitView, LEAF_SPACING } from '../../renderer/src/lib/tree/view.dom';

let mounted: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = undefined;
  document.body.innerHTML = '';
});

describe('TraitRadar', () => {
  it('puts each trait on its spoke at its value, with the parent’s traits dashed', () => {
    const traits = { 'memory.retention': 1, 'temperament.arousal': 0.5, 'voice.quirk': 0 };
    mounted = mount(TraitRadar, { target: document.body, props: { traits, compare: { 'memory.retention': 0.5 }, size: 280 } });
    flushSync();
    const svg = document.querySelector('svg')!;
    expect(svg.getAttribute('aria-label')).toMatch(/^Traits: memory\.retention 1\.00, memory\.depth 0\.50/);
    const [compare, own] = [...svg.querySelectorAll('polygon')].slice(-2);
    expect(compare!.getAttribute('stroke-dasharray')).toBe('4 3');
    // memory.retention = 1 sits on the rim straight above the centre: (140, 140 − radius).
    const first = own!.getAttribute('points')!.split(' ')[0]!.split(',').map(Number);
    expect(first[0]).toBeCloseTo(140, 5);
    expect(first[1]).toBeCloseTo(140 - (280 / 2 - 72), 5);
    expect(svg.querySelectorAll('text')).toHaveLength(13);
  });
});

describe('GenerationCharts', () => {
  it('draws mean and max fitness per generation, a trait band and a Muller plot whose clades fill the plot', () => {
    const generations = [0, 1, 2].map((g) => ({ generation: g, count: 1 + g, meanFitness: g, maxFitness: 2 * g, traits: { 'temperament.arousal': { mean: 0.2 + 0.1 * g, sd: 0.05 } } }));
    const clades = { clades: [{ id: 2, name: 'Bea' }, { id: 3, name: 'Cy' }], times: [0, 1, 2], sizes: [[1, 0], [1, 1], [1, 3]] };
    mounted = mount(GenerationCharts, { target: document.body, props: { stats: { generations, clades }, trait: 'temperament.arousal' } });
    flushSync();
    const images = [...document.querySelectorAll('svg[role="img"]')].map((s) => s.getAttribute('aria-label'));
    expect(images).toEqual(['Mean and maximum fitness for generations 0 to 2', 'temperament.arousal mean and spread for each generation', 'Shares of 2 clades over time']);
    const mean = document.querySelector('.mean-line')!.getAttribute('d')!;
    expect(mean.match(/[ML]/g)).toHaveLength(3);
    const areas = document.querySelectorAll('svg[aria-label^="Shares"] path');
    expect([...areas].map((a) => a.querySelector('title')!.textContent)).toEqual(['Bea', 'Cy']);
    // The top clade's upper edge is the plot's top at every time: shares sum to 1.
    const top = areas[1]!.getAttribute('d')!.split('L').slice(0, 3).map((p) => Number(p.replace('M', '').split(',')[1]));
    expect(new Set(top.map((y) => y.toFixed(1))).size).toBe(1);
  });
});

describe('the tree renderer', () => {
  it('draws every agent of a small tree and fans bushy subtrees when zoomed far out', () => {
    const canvas = document.createElement('canvas');
    canvas.width = 400;
    canvas.height = 300;
    document.body.append(canvas);
    const ctx = canvas.getContext('2d')!;
    const style = { colour: () => '#2f7d5b', edge: '#ccc', text: '#666', selected: undefined };
    // A root with two children, each with 40 children: 83 agents.
    const ids = [1, 2, 3, ...Array.from({ length: 80 }, (_, i) => 4 + i)];
    const parents = [0, 1, 1, ...Array.from({ length: 80 }, (_, i) => (i < 40 ? 2 : 3))];
    const layout = layoutTree(ids, parents);
    const fitted = drawTree(ctx, layout, fitView(layout, 400, 300), style);
    expect(fitted).toMatchObject({ nodes: 83, fans: 0 });
    const inked = ctx.getImageData(0, 0, 400, 300).data.filter((_, i) => i % 4 === 3 && _ > 0).length;
    expect(inked).toBeGreaterThan(500);
    // Zoomed out until the whole tree is 10 px wide: each child's 40 children become one fan.
    const view = fitView(layout, 400, 300);
    const far = drawTree(ctx, layout, { ...view, kx: 10 / (layout.width * LEAF_SPACING) }, style);
    expect(far).toMatchObject({ nodes: 3, fans: 2 });
  });
});
