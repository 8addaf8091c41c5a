// Agents' hot paths, each against a reference measured in the same run:
// - a division through the agents service (pool draw, traits from the chain, memory
//   vector, memories copied, one transaction) against the bare lineage insert it wraps
//   (divideAgent with precomputed inputs);
// - materialising a rank-4 adapter for a model shaped like BitNet b1.58 2B4T (30 blocks,
//   2560 wide, 6912 feed-forward, 640-wide values), from the root and from a cached
//   parent, against writing the same number of bytes of fresh random data to disk;
// - the evolution simulation in agent-generations per second against the same
//   population's interactions alone (no divisions, no archival).
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { AdapterShape } from '../electron/agents/adapter-shape.node';
import { ADAPTED_KINDS } from '../electron/agents/adapter-shape.node';
import { adapterParameterCount, materialiseAdapter } from '../electron/agents/adapter.node';
import { simulate } from '../electron/agents/simulate.node';
import { traitsFromChain } from '../electron/agents/traits.node';
import { AppServices } from '../electron/services/app-services.node';
import { decayedFitness } from '../electron/agents/fitness.std';
import { birthAgent, divideAgent } from '../electron/store/lineage.node';
import { insertGenesis } from '../test/helpers/genesis';
import { makeTempDir } from '../test/helpers/temp-dir';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeMs(runs: number, work: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work(i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

it('division: the agents service against the bare lineage insert', async () => {
  const dir = makeTempDir();
  try {
    await using services = await AppServices.create({ dataDir: dir.path, mode: 'cli', heartbeatMs: 0, log: () => {} });
    const db = services.database.connection;
    const ada = services.agents.life.birth(insertGenesis(db), 'Ada');
    await services.agents.life.divide(ada.id, 'warm-up'); // the pool's first draw calibrates the jitter source
    let tip = ada.id;
    const ours = await timeMs(50, async () => (tip = (await services.agents.life.divide(tip, 'bench')).id));
    const root = birthAgent(db, { genesisId: insertGenesis(db), name: 'Ref', traits: traitsFromChain(randomBytes(32)), bornAt: Date.now() });
    let refTip = root.id;
    const traits = traitsFromChain(randomBytes(32));
    const reference = await timeMs(50, () => (refTip = divideAgent(db, { parentId: refTip, name: 'Ref', mutationSeed: randomBytes(32), traits, reason: 'bench', bornAt: Date.now() }).id));
    console.log(`division: ours ${ours.toFixed(2)} ms (pool draw, traits, memory vector, memories, one transaction), reference ${reference.toFixed(2)} ms (bare lineage insert), ratio ${(ours / reference).toFixed(2)}× the cost`);
    expect(ours).toBeGreaterThan(0);
  } finally {
    dir.remove();
  }
});

it('adapter materialisation for a 2B-shaped model, rank 4', async () => {
  const dir = makeTempDir();
  try {
    const targets = Array.from({ length: 30 }, (_, b) => [
      { tensor: `blk.${b}.attn_q.weight`, kind: 'attn_q' as const, inputs: 2560, outputs: 2560 },
      { tensor: `blk.${b}.attn_v.weight`, kind: 'attn_v' as const, inputs: 2560, outputs: 640 },
      { tensor: `blk.${b}.ffn_down.weight`, kind: 'ffn_down' as const, inputs: 6912, outputs: 2560 },
    ]).flat();
    const shape: AdapterShape = {
      architecture: 'bitnet',
      targets,
      weightRms: Object.fromEntries(ADAPTED_KINDS.map((k) => [k, 0.02])) as AdapterShape['weightRms'],
      biasableTokens: new Int32Array(0),
      key: '2b4t-shape',
    };
    const bytes = adapterParameterCount(shape, 4) * 4;
    const genesis = createHash('sha256').update('bench').digest();
    const fromRoot = await timeMs(5, (i) => {
      const chain = Uint8Array.from(createHash('sha256').update(`root ${i}`).digest());
      return materialiseAdapter({ chain, traits: traitsFromChain(chain), rank: 4, shape, cacheDir: join(dir.path, 'root') });
    });
    const parentChain = new Uint8Array(genesis);
    await materialiseAdapter({ chain: parentChain, traits: traitsFromChain(parentChain), rank: 4, shape, cacheDir: join(dir.path, 'child') });
    const fromParent = await timeMs(5, (i) => {
      const chain = new Uint8Array(64);
      chain.set(genesis);
      chain.set(createHash('sha256').update(`child ${i}`).digest(), 32);
      return materialiseAdapter({ chain, traits: traitsFromChain(chain), rank: 4, shape, cacheDir: join(dir.path, 'child') });
    });
    const reference = await timeMs(5, (i) => writeFileSync(join(dir.path, `random-${i}.bin`), randomBytes(bytes)));
    console.log(
      `adapter (2B shape, rank 4, ${(bytes / 1e6).toFixed(1)} MB): ours ${fromRoot.toFixed(0)} ms from the Genesis seed, ${fromParent.toFixed(0)} ms from a cached parent; reference ${reference.toFixed(0)} ms (writing as many random bytes), ratio ${(fromRoot / reference).toFixed(1)}× and ${(fromParent / reference).toFixed(1)}× the cost`,
    );
    expect(fromRoot).toBeGreaterThan(0);
  } finally {
    dir.remove();
  }
}, 300_000);

it('evolution simulation: agent-generations per second', () => {
  const agents = 100_000;
  const generations = 20;
  let t0 = performance.now();
  const rows = [...simulate({ agents, generations, seed: 'bench' })];
  const ours = rows.reduce((n, r) => n + r.alive, 0) / ((performance.now() - t0) / 1000);
  // Reference: the same number of interactions (R = 25 per agent and generation) with the fitness update alone.
  const fitness = new Float64Array(agents);
  t0 = performance.now();
  let x = 1;
  for (let g = 0; g < generations; g++) {
    for (let i = 0; i < agents; i++) {
      for (let k = 0; k < 25; k++) {
        x = (x * 16807) % 2147483647;
        fitness[i] = decayedFitness(fitness[i]!, 0, 1) + (x / 2147483647 < 0.5 ? 1 : -1);
      }
    }
  }
  const reference = (agents * generations) / ((performance.now() - t0) / 1000);
  console.log(
    `simulation (${agents} agents, ${generations} generations): ours ${ours.toFixed(0)} agent-generations/s, reference ${reference.toFixed(0)} (interactions alone), ratio ${(ours / reference).toFixed(3)}; mean fitness ${rows[0]!.meanFitness.toFixed(2)} → ${rows.at(-1)!.meanFitness.toFixed(2)}, approval ${rows[0]!.meanApproval.toFixed(3)} → ${rows.at(-1)!.meanApproval.toFixed(3)}`,
  );
  expect(rows.at(-1)!.meanFitness).toBeGreaterThan(rows[0]!.meanFitness);
}, 600_000);
