// Identity is real: on the engine, agents from different seeds give measurably
// different next-token distributions, a parent and its child differ less than two
// unrelated agents, and an adapter does not cost the model its quality (perplexity on
// held-out text with and without it).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterShapeOf, type AdapterShape } from '../../electron/agents/adapter-shape.node';
import { materialiseAdapter } from '../../electron/agents/adapter.node';
import { meanSymmetricKl, perplexity, probeDistributions } from '../../electron/agents/identity-measure.node';
import { samplingProfile } from '../../electron/agents/profile.std';
import { adapterRank, traitsFromChain } from '../../electron/agents/traits.node';
import { EngineClient } from '../../electron/inference/engine-client.node';
import type { AdapterRef } from '../../electron/inference/engine-protocol.std';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { makeTempDir } from '../helpers/temp-dir';
import { tinyModel } from '../helpers/tiny-model';

const paths = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);
let dir: ReturnType<typeof makeTempDir>;
let engine: EngineClient;
let shape: AdapterShape;

const seed = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());

async function agentAdapter(...links: Uint8Array[]): Promise<AdapterRef[]> {
  const chain = new Uint8Array(links.length * 32);
  links.forEach((l, i) => chain.set(l, i * 32));
  const traits = traitsFromChain(chain);
  const { path } = await materialiseAdapter({ chain, traits, rank: adapterRank(links[0]!), shape, cacheDir: join(dir.path, 'adapters') });
  return [{ path, scale: samplingProfile(traits).adapterScale }];
}

const HELD_OUT = [
  'The river ran quietly past the old mill, and the children followed it down to the sea.',
  'A small light blinked on the shelf: the machine had finished counting its clicks for the night.',
];

beforeAll(async () => {
  dir = makeTempDir();
  const modelPath = join(dir.path, 'tiny.gguf');
  await tinyModel(modelPath, 21, 'llama', 1024);
  shape = await adapterShapeOf(modelPath);
  engine = new EngineClient({ workerPath: paths.engineWorker });
  await engine.load(modelPath, { threads: 1, contextSize: 1024 });
}, 60_000);
afterAll(async () => {
  await engine.dispose();
  dir.remove();
});

describe('agent identity on the engine', () => {
  it('separates unrelated agents more than a parent and its child, and keeps the model’s perplexity', async () => {
    const base = await probeDistributions(engine, []);
    const ada = await probeDistributions(engine, await agentAdapter(seed('ada')));
    const child = await probeDistributions(engine, await agentAdapter(seed('ada'), seed('ada child')));
    const bea = await probeDistributions(engine, await agentAdapter(seed('bea')));
    const klUnrelated = meanSymmetricKl(ada, bea);
    const klParentChild = meanSymmetricKl(ada, child);
    const klFromBase = meanSymmetricKl(base, ada);
    console.log(`identity: KL(Ada, Bea) ${klUnrelated.toExponential(3)} nats, KL(Ada, Ada II) ${klParentChild.toExponential(3)}, KL(base, Ada) ${klFromBase.toExponential(3)}`);
    expect(klUnrelated).toBeGreaterThan(1e-4);
    expect(klParentChild).toBeGreaterThan(0);
    expect(klParentChild).toBeLessThan(klUnrelated / 10);
    const without = await perplexity(engine, HELD_OUT, []);
    const withAdapter = await perplexity(engine, HELD_OUT, await agentAdapter(seed('ada')));
    console.log(`identity: perplexity on held-out text ${without.toFixed(3)} without the adapter, ${withAdapter.toFixed(3)} with Ada's`);
    // The tiny model has random weights, so its perplexity is a weak yardstick: the adapter
    // must stay a perturbation (the trained default model gives the real figure, see models/).
    expect(Math.abs(Math.log(withAdapter / without))).toBeLessThan(Math.log(1.25));
  }, 120_000);

  it('reproduces the base model exactly with an adapter at scale 0', async () => {
    const [adapter] = await agentAdapter(seed('zero'));
    const base = await engine.promptLogits('Noise is', []);
    const zero = await engine.promptLogits('Noise is', [{ path: adapter!.path, scale: 0 }]);
    expect(zero).toEqual(base);
  }, 60_000);
});
