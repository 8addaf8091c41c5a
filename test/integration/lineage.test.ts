// The lineage store on a real SQLite file: birth, division, the family-tree queries,
// fitness, conversations, memories, statistics and exports.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { addMessage, createConversation, replies, thread } from '../../electron/store/conversations.node';
import { decayedFitness } from '../../electron/agents/fitness.std';
import { exportBundle, importBundle } from '../../electron/store/agent-bundle.node';
import { addFeedback, countInteraction, fitnessFromEvents } from '../../electron/store/feedback.node';
import { cladeSizes, generationStats } from '../../electron/store/lineage-stats.node';
import { newick, phylogenyCsv } from '../../electron/store/lineage-export.node';
import {
  ancestors,
  archiveAgent,
  birthAgent,
  children,
  descendantIds,
  divideAgent,
  findAgent,
  getAgent,
  LineageError,
  recomputeDescendantCounts,
  seedChainOf,
  type Agent,
} from '../../electron/store/lineage.node';
import { addMemory, evictMemories, MEMORY_DIMENSIONS, memoryCount, nearestMemories } from '../../electron/store/memories.node';
import { sfc32 } from '../fixtures/entropy-datasets';
import { insertGenesis } from '../helpers/genesis';
import { expectStatsAsRecomputed } from '../helpers/recomputed-stats';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let db: Database;
let clock = 1_000_000;
const tick = () => (clock += 1000);

beforeEach(async () => {
  dir = makeTempDir();
  db = await Database.open({ path: join(dir.path, 'lightseed.db') });
});
afterEach(() => {
  db.dispose();
  dir.remove();
});

const c = () => db.connection;
const born = (name = 'Ada') => birthAgent(c(), { genesisId: insertGenesis(c()), name, traits: { 'temperament.temperature': 0.7, 'voice.rank': 4 }, bornAt: tick() });
const divide = (parent: Agent, name: string, traits = parent.traits) =>
  divideAgent(c(), { parentId: parent.id, name, mutationSeed: randomBytes(32), traits, reason: 'interactions reached 25', bornAt: tick() });

describe('birth and division', () => {
  it('gives birth once per Genesis seed, with the seed as the first link of the chain', () => {
    const genesisId = insertGenesis(c());
    const ada = birthAgent(c(), { genesisId, name: 'Ada', traits: { x: 1 }, bornAt: tick() });
    const seed = c().prepare('SELECT seed FROM genesis WHERE id = ?').pluck().get(genesisId) as Buffer;
    expect(ada).toMatchObject({ generation: 0, parentId: null, rootId: ada.id, origin: 'born', genesisId, descendants: 0, state: 'alive' });
    expect(Buffer.from(seedChainOf(c(), ada.id))).toEqual(seed);
    expect(Buffer.from(ada.seed)).toEqual(seed);
    expect(ada.uid).toBe(createHash('sha256').update(seed).digest('hex'));
    expect(() => birthAgent(c(), { genesisId, name: 'Eve', traits: {}, bornAt: tick() })).toThrow(/already gave birth to Ada/);
    expect(() => birthAgent(c(), { genesisId: 999, name: 'Eve', traits: {}, bornAt: tick() })).toThrow(/no Genesis record 999/);
  });

  it('divides: the child extends the seed chain, the parent counter resets, subtree sizes grow up the line', () => {
    const ada = born();
    countInteraction(c(), ada.id);
    countInteraction(c(), ada.id);
    const ada2 = divide(getAgent(c(), ada.id)!, 'Ada II');
    const ada3 = divide(ada2, 'Ada III');
    expect(ada2).toMatchObject({ generation: 1, parentId: ada.id, rootId: ada.id, origin: 'divided' });
    const chain3 = seedChainOf(c(), ada3.id);
    expect(chain3.length).toBe(96);
    expect(Buffer.from(chain3.subarray(0, 64))).toEqual(Buffer.from(seedChainOf(c(), ada2.id)));
    expect(Buffer.from(chain3.subarray(64))).toEqual(Buffer.from(ada3.seed));
    expect(ada3.uid).toBe(createHash('sha256').update(chain3).digest('hex'));
    expect(getAgent(c(), ada.id)).toMatchObject({ interactions: 0, totalInteractions: 2, descendants: 2 });
    expect(getAgent(c(), ada2.id)!.descendants).toBe(1);
    const division = c().prepare('SELECT * FROM division WHERE child_id = ?').get(ada2.id) as { parent_interactions: number; reason: string };
    expect(division).toMatchObject({ parent_interactions: 2, reason: 'interactions reached 25' });
    expect(recomputeDescendantCounts(c())).toBe(0);
  });

  it('answers ancestors, descendants and children in birth order', () => {
    const root = born();
    const a = divide(root, 'A');
    const b = divide(root, 'B');
    const a1 = divide(a, 'A1');
    const a1x = divide(a1, 'A1x');
    expect(ancestors(c(), a1x.id).map((x) => x.name)).toEqual(['A1', 'A', 'Ada']);
    expect(descendantIds(c(), root.id).sort((x, y) => x - y)).toEqual([a.id, b.id, a1.id, a1x.id].sort((x, y) => x - y));
    expect(children(c(), root.id).map((x) => x.name)).toEqual(['A', 'B']);
    expect(findAgent(c(), 'A1x')?.id).toBe(a1x.id);
    expect(findAgent(c(), a1x.uid.slice(0, 10))?.id).toBe(a1x.id);
    expect(findAgent(c(), String(b.id))?.name).toBe('B');
  });

  it('keeps archived agents in the tree but stops them dividing', () => {
    const root = born();
    const child = divide(root, 'Kid');
    archiveAgent(c(), child.id, tick());
    expect(getAgent(c(), child.id)).toMatchObject({ state: 'archived' });
    expect(descendantIds(c(), root.id)).toEqual([child.id]);
    expect(() => divide(getAgent(c(), child.id)!, 'Grandkid')).toThrow(LineageError);
    expect(() => c().prepare('DELETE FROM agent WHERE id = ?').run(root.id)).toThrow(/FOREIGN KEY/);
  });

  it('uses the parent index for children and both recursive queries', () => {
    const plan = (sql: string) => (c().prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan('SELECT id FROM agent WHERE parent_id = ? ORDER BY born_at, id')).toMatch(/USING (COVERING )?INDEX agent_children/);
    expect(
      plan(`WITH RECURSIVE down(id) AS (SELECT id FROM agent WHERE parent_id = ? UNION ALL SELECT agent.id FROM agent JOIN down ON agent.parent_id = down.id) SELECT id FROM down`),
    ).toMatch(/agent USING (COVERING )?INDEX agent_children/);
    expect(plan('SELECT id FROM agent WHERE root_id = ? ORDER BY generation')).toMatch(/INDEX agent_lineage/);
  });
});

describe('fitness', () => {
  it('decays with interactions and always agrees with the feedback events', () => {
    const ada = born();
    addFeedback(c(), { agentId: ada.id, kind: 'up', createdAt: tick() });
    for (let i = 0; i < 500; i++) countInteraction(c(), ada.id);
    addFeedback(c(), { agentId: ada.id, kind: 'down', createdAt: tick() });
    addFeedback(c(), { agentId: ada.id, kind: 'council-pick', createdAt: tick() });
    for (let i = 0; i < 200; i++) countInteraction(c(), ada.id);
    const agent = getAgent(c(), ada.id)!;
    const now = decayedFitness(agent.fitness, agent.fitnessAt, agent.totalInteractions);
    expect(now).toBeCloseTo(Math.exp(-700 / 1000) + 0 * Math.exp(-200 / 1000), 12);
    expect(now).toBeCloseTo(fitnessFromEvents(c(), ada.id), 12);
  });
});

describe('conversations', () => {
  it('keeps regenerations as sibling branches and threads from leaf to root', () => {
    const ada = born();
    const conversation = createConversation(c(), 'Hello', tick());
    const question = addMessage(c(), { conversationId: conversation, parentId: null, role: 'user', content: 'What is noise?', createdAt: tick() });
    const first = addMessage(c(), { conversationId: conversation, parentId: question.id, role: 'assistant', agentId: ada.id, content: 'Static.', model: 'tiny', tokenCount: 3, tokensPerSecond: 40, createdAt: tick() });
    const second = addMessage(c(), { conversationId: conversation, parentId: question.id, role: 'assistant', agentId: ada.id, content: 'Chance.', kind: 'regeneration', createdAt: tick() });
    const followUp = addMessage(c(), { conversationId: conversation, parentId: second.id, role: 'user', content: 'More?', createdAt: tick() });
    expect(replies(c(), conversation, question.id).map((m) => m.content)).toEqual(['Static.', 'Chance.']);
    expect(thread(c(), followUp.id).map((m) => m.content)).toEqual(['What is noise?', 'Chance.', 'More?']);
    expect(first).toMatchObject({ model: 'tiny', tokenCount: 3, tokensPerSecond: 40, kind: 'chat' });
    const other = createConversation(c(), 'Other', tick());
    expect(() => addMessage(c(), { conversationId: other, parentId: question.id, role: 'user', content: 'x', createdAt: tick() })).toThrow(/not in conversation/);
    expect(() => addMessage(c(), { conversationId: conversation, parentId: null, role: 'assistant', content: 'who?', createdAt: tick() })).toThrow(/CHECK/);
  });
});

describe('memories', () => {
  const vector = (hot: number) => {
    const v = new Float32Array(MEMORY_DIMENSIONS);
    v[hot] = 1;
    v[(hot + 1) % MEMORY_DIMENSIONS] = 0.1;
    return v;
  };

  it('finds the nearest memories of one agent only, and evicts the weakest', () => {
    const ada = born('Ada');
    const bob = born('Bob');
    addMemory(c(), { agentId: ada.id, query: 'rain', response: 'wet', embedding: vector(1), fitness: 1, createdAt: tick() });
    addMemory(c(), { agentId: ada.id, query: 'sun', response: 'warm', embedding: vector(2), fitness: -1, createdAt: tick() });
    addMemory(c(), { agentId: ada.id, query: 'snow', response: 'cold', embedding: vector(3), fitness: 0, createdAt: tick() });
    addMemory(c(), { agentId: bob.id, query: 'rain', response: 'bob', embedding: vector(1), fitness: 5, createdAt: tick() });
    const hits = nearestMemories(c(), ada.id, vector(1), 2);
    expect(hits.map((h) => h.query)).toEqual(['rain', 'sun']);
    expect(hits[0]!.distance).toBeCloseTo(0, 6);
    expect(hits.every((h) => h.agentId === ada.id)).toBe(true);
    expect(evictMemories(c(), ada.id, 2)).toBe(1);
    expect(nearestMemories(c(), ada.id, vector(2), 3).map((h) => h.query).sort()).toEqual(['rain', 'snow']);
    expect(memoryCount(c(), bob.id)).toBe(1);
    expect(() => addMemory(c(), { agentId: ada.id, query: 'q', response: 'r', embedding: new Float32Array(3), createdAt: tick() })).toThrow(/512 dimensions/);
  });
});

describe('statistics and exports', () => {
  function family() {
    const root = born('Root');
    const a = divide(root, 'A', { t: 1 });
    const b = divide(root, 'B', { t: 3 });
    const a1 = divide(a, 'A1', { t: 5 });
    addFeedback(c(), { agentId: a.id, kind: 'up', createdAt: tick() });
    archiveAgent(c(), b.id, tick());
    return { root, a, b, a1 };
  }

  it('gives per-generation counts, fitness and trait mean ± sd', () => {
    const { root } = family();
    const stats = generationStats(c(), root.id);
    expect(stats.map((s) => s.count)).toEqual([1, 2, 1]);
    expect(stats[1]!.maxFitness).toBeCloseTo(1, 12);
    expect(stats[1]!.meanFitness).toBeCloseTo(0.5, 12);
    expect(stats[1]!.traits['t']).toEqual({ mean: 2, sd: 1 });
  });

  it('keeps per-generation sums that equal a recomputation from every row, through births, divisions, turns, feedback and imports', async () => {
    const random = sfc32(29);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const alive: Agent[] = [born('Ada'), born('Bea')];
    const kinds = ['up', 'down', 'council-pick'] as const;
    for (let step = 0; step < 400; step++) {
      const agent = pick(alive);
      const roll = random();
      if (roll < 0.25) alive.push(divide(agent, `Child ${step}`, { t: random() * 10, 'voice.rank': Math.floor(random() * 8) }));
      else if (roll < 0.6) countInteraction(c(), agent.id);
      else if (roll < 0.95) addFeedback(c(), { agentId: agent.id, kind: pick(kinds), createdAt: tick() });
      else if (alive.length > 2) archiveAgent(c(), alive.splice(alive.indexOf(agent), 1)[0]!.id, tick());
      if (step % 100 === 99) alive.push(born(`Root ${step}`));
    }
    expectStatsAsRecomputed(c(), null);
    for (const root of new Set(alive.map((a) => a.rootId))) expectStatsAsRecomputed(c(), root);

    // An imported line lands in another database's sums as it landed in its rows.
    const deepest = alive.reduce((a, b) => (b.generation > a.generation ? b : a));
    const bundle = exportBundle(c(), deepest.id, tick());
    await using other = await Database.open({ path: join(dir.path, 'other.db') });
    importBundle(other.connection, bundle, { freeName: (name) => `${name} (imported)` });
    expectStatsAsRecomputed(other.connection, null);
    expect(generationStats(other.connection, null).map((g) => g.count)).toEqual(Array.from({ length: deepest.generation + 1 }, () => 1));
  });

  it('keeps the sums right when a row is changed or removed by hand (traits rewritten, a leaf deleted)', () => {
    const { root, a1 } = family();
    c().prepare('UPDATE agent SET traits = ? WHERE id = ?').run(JSON.stringify({ t: 9, extra: 2 }), root.id);
    expectStatsAsRecomputed(c(), root.id);
    c().prepare('DELETE FROM division WHERE child_id = ?').run(a1.id);
    c().prepare('DELETE FROM agent WHERE id = ?').run(a1.id);
    expectStatsAsRecomputed(c(), root.id);
    expect(generationStats(c(), root.id).map((g) => g.count)).toEqual([1, 2]);
  });

  it('gives clade sizes over time for a Muller plot', () => {
    const { root, a, b } = family();
    const series = cladeSizes(c(), root.id, 1, 10);
    expect(series.clades.map((x) => x.id)).toEqual([a.id, b.id]);
    expect(series.sizes.at(-1)).toEqual([2, 0]); // A and A1 alive; B archived
    expect(Math.max(...series.sizes.map((s) => s[1]!))).toBe(1);
  });

  it('exports the ALife phylogeny CSV and Newick', () => {
    const { root, a, b, a1 } = family();
    const csv = phylogenyCsv(c(), root.id).trim().split('\n');
    expect(csv[0]).toBe('id,ancestor_list,origin_time,destruction_time,name,uid,generation,state,fitness,trait_t,trait_temperament.temperature,trait_voice.rank');
    expect(csv[1]).toMatch(new RegExp(`^${root.id},\\[NONE\\],\\d+,,Root,[0-9a-f]{64},0,alive,0,,0.7,4$`));
    expect(csv.find((line) => line.startsWith(`${a1.id},`))).toMatch(new RegExp(`^${a1.id},\\[${a.id}\\],`));
    expect(csv.find((line) => line.startsWith(`${b.id},`))).toMatch(/,archived,/);
    expect(newick(c(), root.id)).toBe(`((A1_${a1.id}:1)A_${a.id}:1,B_${b.id}:1)Root_${root.id};\n`);
  });
});
