// Many agents at once through insertAgents, on a real SQLite file: what it leaves must be what
// birthAgent and divideAgent would have left (per-generation sums, descendant counts, seed
// chains, division rows), and a refused batch must leave nothing, not even its trigger missing.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decayedFitness } from '../../electron/agents/fitness.std';
import { exportBundle, importBundle } from '../../electron/store/agent-bundle.node';
import { insertAgents, type NewAgent } from '../../electron/store/bulk-lineage.node';
import { Database } from '../../electron/store/database.node';
import { generationStats } from '../../electron/store/lineage-stats.node';
import { agentUid, birthAgent, divideAgent, getAgent, LineageError, livingAgentNamed, recomputeDescendantCounts, seedChainOf } from '../../electron/store/lineage.node';
import { sfc32 } from '../fixtures/entropy-datasets';
import { insertGenesis } from '../helpers/genesis';
import { expectStatsAsRecomputed } from '../helpers/recomputed-stats';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let db: Database;
const c = () => db.connection;

beforeEach(async () => {
  dir = makeTempDir();
  db = await Database.open({ path: join(dir.path, 'lightseed.db') });
});
afterEach(() => {
  db.dispose();
  dir.remove();
});

/** Rows of tables a batch writes, to check that a refused batch wrote none of them. */
function snapshot() {
  const all = (sql: string) => c().prepare(sql).all();
  return {
    agents: all('SELECT * FROM agent ORDER BY id'),
    divisions: all('SELECT * FROM division ORDER BY id'),
    descendants: all('SELECT * FROM agent_descendants ORDER BY id'),
    summary: all('SELECT * FROM generation_summary ORDER BY root_id, generation'),
    traits: all('SELECT * FROM generation_traits ORDER BY root_id, generation, trait'),
    schema: all("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"),
  };
}

/**
 * A forest as a generator would write it: new roots, children of agents already in the store
 * and of earlier agents of the batch, with feedback, archived agents and a trait some lack.
 */
function forest(existing: { id: number; chain: Uint8Array }[], size: number, seed: number): { agents: NewAgent[]; chains: Uint8Array[] } {
  const random = sfc32(seed);
  const agents: NewAgent[] = [];
  const chains: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    const own = randomBytes(32);
    const pick = random();
    let parent: NewAgent['parent'];
    let chain: Uint8Array;
    if (i === 0 || pick < 0.05) {
      parent = null;
      chain = own;
    } else if (pick < 0.4 && existing.length > 0) {
      const p = existing[Math.floor(random() * existing.length)]!;
      parent = { id: p.id };
      chain = Buffer.concat([p.chain, own]);
    } else {
      const index = Math.floor(random() * i);
      parent = { index };
      chain = Buffer.concat([chains[index]!, own]);
    }
    chains.push(chain);
    const total = Math.floor(random() * 300);
    const fitnessAt = Math.floor(random() * (total + 1));
    const archived = random() < 0.2;
    const traits: Record<string, number> = { 'temperament.temperature': random(), 'voice.rank': Math.floor(random() * 8) };
    if (random() < 0.5) traits['curiosity.questions'] = random() * 2 - 1;
    agents.push({
      parent,
      uid: agentUid(chain),
      origin: parent === null ? 'imported' : 'divided',
      name: `Agent ${seed}-${i}`,
      seed: own,
      traits,
      interactions: total - fitnessAt,
      totalInteractions: total,
      fitness: random() < 0.3 ? 0 : (random() - 0.4) * 6,
      fitnessAt,
      state: archived ? 'archived' : 'alive',
      bornAt: 1_000 + i,
      archivedAt: archived ? 2_000 + i : null,
      division: parent === null ? undefined : { parentInteractions: 25, reason: 'generated' },
    });
  }
  return { agents, chains };
}

describe('insertAgents', () => {
  it('leaves the sums, counts, chains and divisions that birth and division would', () => {
    const ada = birthAgent(c(), { genesisId: insertGenesis(c()), name: 'Ada', traits: { 'temperament.temperature': 0.5 }, bornAt: 1 });
    const bea = divideAgent(c(), { parentId: ada.id, name: 'Bea', mutationSeed: randomBytes(32), traits: { 'temperament.temperature': 0.6 }, reason: 'test', bornAt: 2 });
    const existing = [ada, bea].map((a) => ({ id: a.id, chain: seedChainOf(c(), a.id) }));

    const first = forest(existing, 400, 1);
    const ids = insertAgents(c(), first.agents);
    expect(ids).toEqual(first.agents.map((_, i) => bea.id + 1 + i));
    // A second batch hangs from both the first batch and the agents before it.
    const second = forest([...existing, ...ids.map((id, i) => ({ id, chain: first.chains[i]! }))], 300, 2);
    const more = insertAgents(c(), second.agents);

    expect(recomputeDescendantCounts(c()), 'descendant counts the batches grew').toBe(0);
    expectStatsAsRecomputed(c(), null);
    for (const root of new Set(c().prepare('SELECT root_id FROM agent').pluck().all() as number[])) expectStatsAsRecomputed(c(), root);

    const all = [...first.agents, ...second.agents];
    const chains = [...first.chains, ...second.chains];
    [...ids, ...more].forEach((id, i) => {
      const agent = getAgent(c(), id)!;
      const input = all[i]!;
      expect(Buffer.from(seedChainOf(c(), id)), `${input.name}'s seed chain`).toEqual(Buffer.from(chains[i]!));
      expect(agent).toMatchObject({ uid: input.uid, name: input.name, generation: chains[i]!.length / 32 - 1, state: input.state, traits: input.traits, origin: input.origin });
      if (input.parent === null) expect(agent.rootId).toBe(id);
      const now = c().prepare('SELECT fitness_now FROM agent WHERE id = ?').pluck().get(id);
      expect(now, 'fitness_now as the trigger keeps it').toBe(input.fitness === 0 ? 0 : decayedFitness(input.fitness!, input.fitnessAt!, input.totalInteractions!));
    });
    const divisions = c().prepare('SELECT count(*) FROM division WHERE child_id >= ?').pluck().get(ids[0]);
    expect(divisions).toBe(all.filter((a) => a.parent !== null).length);

    // The trigger is back: an ordinary division afterwards is counted as before.
    const child = divideAgent(c(), { parentId: more.at(-1)!, name: 'After', mutationSeed: randomBytes(32), traits: { 'temperament.temperature': 0.9 }, reason: 'test', bornAt: 5_000 });
    expectStatsAsRecomputed(c(), child.rootId);
    expect(recomputeDescendantCounts(c())).toBe(0);
    expect(generationStats(c(), null).reduce((n, g) => n + g.count, 0)).toBe(2 + all.length + 1);
  });

  it('hangs a batch from the tip of a deep line and grows every ancestor once', () => {
    const root = birthAgent(c(), { genesisId: insertGenesis(c()), name: 'Root', traits: {}, bornAt: 1 });
    let chain = seedChainOf(c(), root.id);
    const line: NewAgent[] = [];
    for (let g = 1; g <= 300; g++) {
      const own = randomBytes(32);
      chain = Buffer.concat([chain, own]);
      line.push({ parent: g === 1 ? { id: root.id } : { index: g - 2 }, uid: agentUid(chain), origin: 'divided', name: `G${g}`, seed: own, traits: { x: g }, bornAt: 1 + g, division: { parentInteractions: 25, reason: 'deep' } });
    }
    const ids = insertAgents(c(), line);
    expect(getAgent(c(), root.id)!.descendants).toBe(300);
    expect(getAgent(c(), ids[149]!)!.descendants).toBe(150);
    expect(getAgent(c(), ids.at(-1)!)!).toMatchObject({ generation: 300, descendants: 0, rootId: root.id });
    expect(recomputeDescendantCounts(c())).toBe(0);
  });

  it('keeps nothing of a batch the schema refuses, and says which agent and why', () => {
    const ada = birthAgent(c(), { genesisId: insertGenesis(c()), name: 'Ada', traits: { x: 1 }, bornAt: 1 });
    const before = snapshot();
    const { agents } = forest([{ id: ada.id, chain: seedChainOf(c(), ada.id) }], 50, 3);

    const twin = agents.map((a, i) => (i === 30 ? { ...a, uid: ada.uid } : a));
    expect(() => insertAgents(c(), twin)).toThrow(new LineageError(`Agent 31 of 50 (${agents[30]!.name}) cannot be kept: an agent with uid ${ada.uid.slice(0, 12)}… is already here. Nothing was inserted.`));
    expect(snapshot()).toEqual(before);

    const namesake = agents.map((a, i) => (i === 40 ? { ...a, name: 'Ada', state: 'alive' as const, archivedAt: null } : a));
    expect(() => insertAgents(c(), namesake)).toThrow(/Agent 41 of 50 \(Ada\) cannot be kept: a living agent is already named Ada\./);
    expect(snapshot()).toEqual(before);

    const orphan = agents.map((a, i) => (i === 10 ? { ...a, parent: { id: 9_999 } } : a));
    expect(() => insertAgents(c(), orphan)).toThrow(new LineageError('There is no agent 9999 to be a parent.'));
    const forward = agents.map((a, i) => (i === 5 ? { ...a, parent: { index: 7 } } : a));
    expect(() => insertAgents(c(), forward)).toThrow(/Agent 6 of 50 .* names agent 8 of the batch as its parent; a parent comes before its children\./);
    const short = agents.map((a, i) => (i === 2 ? { ...a, seed: new Uint8Array(31) } : a));
    expect(() => insertAgents(c(), short)).toThrow(/Agent 3 of 50 .* has a seed of 31 bytes; a seed is 32\./);
    const unborn = agents.map((a, i) => (i === 0 ? { ...a, origin: 'born' as const, genesisId: 777 } : a));
    expect(() => insertAgents(c(), unborn)).toThrow(new LineageError('There is no Genesis record 777.'));
    expect(snapshot()).toEqual(before);

    // Inside the caller's transaction, a refusal rolls back only the batch.
    c().transaction(() => {
      divideAgent(c(), { parentId: ada.id, name: 'Kept', mutationSeed: randomBytes(32), traits: { x: 2 }, reason: 'test', bornAt: 3 });
      expect(() => insertAgents(c(), twin)).toThrow(LineageError);
    })();
    expect(c().prepare("SELECT count(*) FROM agent WHERE name = 'Kept'").pluck().get()).toBe(1);
    expect(snapshot().schema).toEqual(before.schema);
    expectStatsAsRecomputed(c(), null);
  });

  it('gives a born root its Genesis record, once', () => {
    const genesisId = insertGenesis(c());
    const seed = c().prepare('SELECT seed FROM genesis WHERE id = ?').pluck().get(genesisId) as Buffer;
    const root: NewAgent = { parent: null, uid: agentUid(seed), origin: 'born', genesisId, name: 'Eve', seed, traits: { x: 0.5 }, bornAt: 1 };
    const [id] = insertAgents(c(), [root]);
    expect(getAgent(c(), id!)).toMatchObject({ genesisId, rootId: id, generation: 0, origin: 'born' });
    expect(() => insertAgents(c(), [{ ...root, uid: agentUid(randomBytes(32)), name: 'Eve II' }])).toThrow(`Agent 1 of 1 (Eve II) cannot be kept: Genesis record ${genesisId} already gave birth. Nothing was inserted.`);
    expect(() => insertAgents(c(), [{ ...root, genesisId: null }])).toThrow(/only a root is born, and a born root comes from a Genesis record/);
  });

  it('imports a bundle 300 generations deep as one batch, naming living agents apart from those here and from each other', async () => {
    let tip = birthAgent(c(), { genesisId: insertGenesis(c()), name: 'Ada', traits: { x: 0 }, bornAt: 1 });
    for (let g = 1; g <= 300; g++) {
      const name = g === 1 ? 'Ada II' : `Line ${g}`;
      tip = divideAgent(c(), { parentId: tip.id, name, mutationSeed: randomBytes(32), traits: { x: g, y: -g }, reason: 'test', bornAt: 1 + g });
    }
    const bundle = exportBundle(c(), tip.id, 500);

    await using other = await Database.open({ path: join(dir.path, 'other.db') });
    const o = other.connection;
    // Here a living Ada already: the bundle's Ada becomes Ada II, so its own Ada II becomes Ada III.
    birthAgent(o, { genesisId: insertGenesis(o), name: 'Ada', traits: {}, bornAt: 1 });
    const result = importBundle(o, bundle);
    expect(result).toMatchObject({ created: 301, unverifiedAncestors: 300, renamed: [{ from: 'Ada', to: 'Ada II' }, { from: 'Ada II', to: 'Ada III' }] });
    expect(livingAgentNamed(o, 'Ada III')!.generation).toBe(1);
    const imported = getAgent(o, result.agentId)!;
    expect(imported).toMatchObject({ uid: tip.uid, generation: 300, origin: 'imported', name: 'Line 300' });
    expect(Buffer.from(seedChainOf(o, imported.id))).toEqual(Buffer.from(seedChainOf(c(), tip.id)));
    expect(getAgent(o, imported.rootId)!.descendants).toBe(300);
    expect(recomputeDescendantCounts(o)).toBe(0);
    expectStatsAsRecomputed(o, null);
    // Imported agents have no division rows here: the bundle's history is its own claim.
    expect(o.prepare('SELECT count(*) FROM division').pluck().get()).toBe(0);

    // Again: everything is here, nothing changes.
    expect(importBundle(o, bundle)).toMatchObject({ agentId: imported.id, created: 0, unverifiedAncestors: 0, renamed: [] });
    expect(o.prepare('SELECT count(*) FROM agent').pluck().get()).toBe(302);
  });
});

