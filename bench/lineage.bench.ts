// The lineage store at 1,000,000 agents: a bushy forest (several roots, random
// parents) plus one lineage 2,000+ generations deep, in a real database file opened
// by the store (WAL, migrations). Reference: the same queries on a plain
// parent-pointer table `ref (id INTEGER PRIMARY KEY, parent_id INTEGER)` without an
// index on parent_id, holding the same tree in the same file, measured in the same run.
// Every ratio is reference time / ours: above 1, ours is faster.
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { Database } from '../electron/store/database.node';
import { FITNESS_TAU } from '../electron/agents/fitness.std';
import { ancestorIds, birthAgent, descendantIds, divideAgent, recomputeDescendantCounts, seedChainOf } from '../electron/store/lineage.node';
import { generationStats, type GenerationStats } from '../electron/store/lineage-stats.node';
import { sfc32 } from '../test/fixtures/entropy-datasets';
import { insertGenesis } from '../test/helpers/genesis';
import { expectStatsAsRecomputed } from '../test/helpers/recomputed-stats';
import { makeTempDir } from '../test/helpers/temp-dir';

const AGENTS = 1_000_000;
/** The deep lineage: a root and this many generations below it, one agent each. */
const DEEP_GENERATIONS = 2_000;
/** Divisions through divideAgent at the tip of the deep lineage, after the bulk load. */
const DEEP_DIVISIONS = 10;
/** Roots of the bushy forest; each lineage grows by random parents. */
const ROOTS = 8;
/** Agents of the first bushy lineage added through divideAgent, one transaction each as the app does. */
const DIVIDED = 10_000;
/** Rows per transaction in the bulk load. */
const BATCH = 50_000;
/**
 * Page cache during the bulk load only (KiB, as PRAGMA cache_size takes it when negative). With the
 * default 16 MiB, every batch of random SHA-256 uids dirties most pages of the uid index again and
 * spills them through the WAL (the load ran at about half the rate); loading a million agents at once
 * is a bench fixture, not something the app does. divideAgent and every query run with the default cache.
 */
const BULK_CACHE_KIB = 512 * 1024;
/** Runs per query; the median is reported. */
const RUNS = 50;
/** Runs of the slow references and of the statistics, which take a second or more each. */
const SLOW_RUNS = 15;
const STATS_RUNS = 3;
/** A trait set of the size the agents service writes. */
const TRAITS = JSON.stringify({
  'temperament.temperature': 0.72,
  'temperament.top_p': 0.91,
  'voice.verbosity': 0.35,
  'voice.formality': 0.61,
  'curiosity.questions': 0.44,
  'memory.recall': 0.58,
});

const log = (line: string) => console.log(`lineage: ${line}`);
const fmt = (n: number) => n.toLocaleString('en-US');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median milliseconds of `runs` calls, after one untimed warm-up call unless `warmUp` is false. */
function medianMs(operation: () => unknown, runs = RUNS, warmUp = true): number {
  if (warmUp) operation();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    operation();
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * Batched INSERTs of agents and their division rows, with the same columns divideAgent
 * writes (the store's triggers keep the per-generation sums for them as for any insert).
 * divideAgent grows every ancestor's descendant count per call, which is fine for one
 * division but too slow for a million; bulk rows have no counts and
 * recomputeDescendantCounts() fills them afterwards (timed as part of the load).
 */
function bulkWriter(db: BetterSqlite3.Database, random: () => number) {
  const insertAgent = db.prepare(
    `INSERT INTO agent (id, uid, parent_id, root_id, generation, origin, name, seed, traits, interactions, total_interactions, fitness, fitness_at, born_at)
     VALUES (?, ?, ?, ?, ?, 'divided', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDivision = db.prepare(
    `INSERT INTO division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at) VALUES (?, ?, ?, 0, 'bench: bulk load', ?)`,
  );
  let pending = 0;
  return {
    add(id: number, parentId: number, rootId: number, generation: number, chain: Buffer): void {
      if (pending === 0) db.exec('BEGIN');
      const total = Math.floor(random() * 400);
      const fitnessAt = Math.floor(random() * (total + 1));
      const fitness = (random() + random() + random() - 1.5) * 4;
      insertAgent.run(id, createHash('sha256').update(chain).digest('hex'), parentId, rootId, generation, `Agent ${id}`, chain.subarray(chain.length - 32), TRAITS, total - fitnessAt, total, fitness, fitnessAt, id);
      insertDivision.run(parentId, id, chain.subarray(chain.length - 32), id);
      if (++pending === BATCH) this.flush();
    },
    flush(): void {
      if (pending > 0) db.exec('COMMIT');
      pending = 0;
    },
  };
}

/** The same recursive CTEs as ancestorIds/descendantIds, on the reference table. */
const REF_ANCESTORS = `WITH RECURSIVE up(id) AS (
    SELECT parent_id FROM ref WHERE id = ? AND parent_id IS NOT NULL
    UNION ALL SELECT ref.parent_id FROM ref JOIN up ON ref.id = up.id WHERE ref.parent_id IS NOT NULL)
  SELECT id FROM up`;
const REF_DESCENDANTS = `WITH RECURSIVE down(id) AS (
    SELECT id FROM ref WHERE parent_id = ?
    UNION ALL SELECT ref.id FROM ref JOIN down ON ref.parent_id = down.id)
  SELECT id FROM down`;

/** The statistics recomputed from every row (fitness, then trait means and spreads per generation), on the reference table. */
const REF_FITNESS_STATS = `SELECT generation, count(*) AS n,
    avg(fitness * exp(-(total_interactions - fitness_at) / @tau)) AS mean,
    max(fitness * exp(-(total_interactions - fitness_at) / @tau)) AS max
  FROM ref_stats WHERE @root IS NULL OR root_id = @root GROUP BY generation ORDER BY generation`;
const REF_TRAIT_STATS = `SELECT a.generation, t.key, avg(t.value) AS mean, avg(t.value * t.value) - avg(t.value) * avg(t.value) AS variance
  FROM ref_stats a, json_each(a.traits) t
  WHERE (@root IS NULL OR a.root_id = @root) AND t.type IN ('real', 'integer')
  GROUP BY a.generation, t.key`;

it('lineage store at 1,000,000 agents', async () => {
  const dir = makeTempDir('lightseed-bench-');
  const database = await Database.open({ path: join(dir.path, 'lightseed.db') });
  const db = database.connection;
  const random = sfc32(2_000);
  const bulk = bulkWriter(db, random);
  const parentOf = new Int32Array(AGENTS + 1); // 0 for a root
  const bushy = AGENTS - (DEEP_GENERATIONS + 1) - DEEP_DIVISIONS;
  let nextId = 1;
  let bulkMs = 0;
  let bulkRows = 0;

  try {
    // The deep lineage, bulk-loaded: one agent per generation, each the parent of the next.
    const loadStarted = performance.now();
    let started = performance.now();
    const deepRoot = birthAgent(db, { genesisId: insertGenesis(db, 0), name: 'Deep root', traits: {}, bornAt: 0 });
    let chain = Buffer.from(seedChainOf(db, deepRoot.id));
    let tip = deepRoot.id;
    nextId = tip + 1;
    for (let generation = 1; generation <= DEEP_GENERATIONS; generation++) {
      chain = Buffer.concat([chain, randomBytes(32)]);
      parentOf[nextId] = tip;
      bulk.add(nextId, tip, deepRoot.id, generation, chain);
      tip = nextId++;
    }
    bulk.flush();
    bulkMs += performance.now() - started;
    bulkRows += DEEP_GENERATIONS;
    log(`deep lineage of ${fmt(DEEP_GENERATIONS)} generations loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // The bushy forest, lineage by lineage so only one lineage's seed chains sit in memory.
    let dividedMs = 0;
    let firstRootId = 0;
    const defaultCache = db.pragma('cache_size', { simple: true }) as number;
    let bulkCache = false;
    for (let r = 0; r < ROOTS; r++) {
      const size = Math.floor(bushy / ROOTS) + (r < bushy % ROOTS ? 1 : 0);
      const root = birthAgent(db, { genesisId: insertGenesis(db, r + 1), name: `Root ${r + 1}`, traits: JSON.parse(TRAITS), bornAt: nextId });
      nextId = root.id + 1;
      if (r === 0) firstRootId = root.id;
      const members = [root.id];
      const chains = [Buffer.from(seedChainOf(db, root.id))];
      const generations = [0];
      let deepest = 0;
      started = performance.now();
      for (let k = 1; k < size; k++) {
        const p = Math.floor(random() * members.length);
        if (r === 0 && k <= DIVIDED) {
          const divideStarted = performance.now();
          const child = divideAgent(db, { parentId: members[p]!, name: `Agent ${nextId}`, mutationSeed: randomBytes(32), traits: JSON.parse(TRAITS), reason: 'bench', bornAt: nextId });
          dividedMs += performance.now() - divideStarted;
          expect(child.id).toBe(nextId);
          chains.push(Buffer.from(seedChainOf(db, child.id)));
        } else {
          const childChain = Buffer.concat([chains[p]!, randomBytes(32)]);
          const bulkStarted = performance.now();
          if (!bulkCache) {
            db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
            bulkCache = true;
          }
          bulk.add(nextId, members[p]!, root.id, generations[p]! + 1, childChain);
          bulkMs += performance.now() - bulkStarted;
          bulkRows++;
          chains.push(childChain);
        }
        parentOf[nextId] = members[p]!;
        members.push(nextId++);
        generations.push(generations[p]! + 1);
        deepest = Math.max(deepest, generations[p]! + 1);
      }
      const flushStarted = performance.now();
      bulk.flush();
      bulkMs += performance.now() - flushStarted;
      log(`lineage ${r + 1}/${ROOTS}: ${fmt(size)} agents, ${deepest} generations, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }

    started = performance.now();
    const repaired = recomputeDescendantCounts(db);
    const recomputeMs = performance.now() - started;
    db.pragma(`cache_size = ${defaultCache}`);
    log(`recomputeDescendantCounts: ${fmt(repaired)} counts set in ${(recomputeMs / 1000).toFixed(1)} s`);

    // Divisions at the tip of the deep lineage through divideAgent. Each reads the 2,000+ seeds of its
    // line and grows 2,000+ ancestors' descendant counts.
    const deepDivisionMs: number[] = [];
    for (let i = 0; i < DEEP_DIVISIONS; i++) {
      started = performance.now();
      const child = divideAgent(db, { parentId: tip, name: `Deep ${i}`, mutationSeed: randomBytes(32), traits: {}, reason: 'bench', bornAt: nextId });
      deepDivisionMs.push(performance.now() - started);
      parentOf[child.id] = tip;
      tip = child.id;
      nextId = tip + 1;
    }
    const loadMs = performance.now() - loadStarted;
    expect(db.prepare('SELECT count(*) FROM agent').pluck().get()).toBe(AGENTS);
    expect(db.prepare('SELECT sum(coalesce(d.count, 0) + 1) FROM agent LEFT JOIN agent_descendants d USING (id) WHERE parent_id IS NULL').pluck().get()).toBe(AGENTS);

    // The reference: the same parent pointers, inserted in the same batches.
    db.exec('CREATE TABLE ref (id INTEGER PRIMARY KEY, parent_id INTEGER)');
    const insertRef = db.prepare('INSERT INTO ref (id, parent_id) VALUES (?, ?)');
    started = performance.now();
    for (let id = 1; id <= AGENTS; id++) {
      if (id % BATCH === 1) db.exec('BEGIN');
      insertRef.run(id, parentOf[id] === 0 ? null : parentOf[id]);
      if (id % BATCH === 0 || id === AGENTS) db.exec('COMMIT');
    }
    const refLoadMs = performance.now() - started;
    log(`database file ${(statSync(join(dir.path, 'lightseed.db')).size / 2 ** 20).toFixed(0)} MiB`);

    console.log(
      `insert ${fmt(AGENTS)} agents: ours ${(loadMs / 1000).toFixed(1)} s (${fmt(bulkRows)} batched INSERTs at ${fmt(Math.round(bulkRows / (bulkMs / 1000)))}/s, ` +
        `${fmt(DIVIDED)} divideAgent calls at ${fmt(Math.round(DIVIDED / (dividedMs / 1000)))}/s, recomputeDescendantCounts ${(recomputeMs / 1000).toFixed(1)} s), ` +
        `reference ${(refLoadMs / 1000).toFixed(1)} s (plain parent-pointer rows, same batches), ratio ${(refLoadMs / loadMs).toFixed(3)}`,
    );
    console.log(
      `batched agent INSERTs alone: ours ${fmt(Math.round(bulkRows / (bulkMs / 1000)))} rows/s, reference ${fmt(Math.round(AGENTS / (refLoadMs / 1000)))} plain rows/s, ` +
        `ratio ${(refLoadMs / AGENTS / (bulkMs / bulkRows)).toFixed(3)}`,
    );
    const shallowMs = dividedMs / DIVIDED;
    console.log(
      `divideAgent at generation ${fmt(DEEP_GENERATIONS)}+: ours median ${median(deepDivisionMs).toFixed(2)} ms, reference divideAgent in the bushy lineage ${shallowMs.toFixed(3)} ms (mean), ratio ${(shallowMs / median(deepDivisionMs)).toFixed(3)}`,
    );

    // Ancestors of the deepest agent.
    const refAncestors = db.prepare(REF_ANCESTORS).pluck();
    const ours = ancestorIds(db, tip);
    expect(ours).toEqual(refAncestors.all(tip));
    expect(ours).toHaveLength(DEEP_GENERATIONS + DEEP_DIVISIONS);
    const oursAncestorsMs = medianMs(() => ancestorIds(db, tip));
    const refAncestorsMs = medianMs(() => db.prepare(REF_ANCESTORS).pluck().all(tip));
    console.log(
      `ancestorIds of the deepest agent (${fmt(ours.length)} ancestors): ours median ${oursAncestorsMs.toFixed(2)} ms of ${RUNS}, reference ${refAncestorsMs.toFixed(2)} ms of ${RUNS}, ratio ${(refAncestorsMs / oursAncestorsMs).toFixed(3)}`,
    );

    // Descendants of an early agent of the first bushy lineage.
    const early = db
      .prepare('SELECT a.id, d.count AS descendants FROM agent a JOIN agent_descendants d ON d.id = a.id WHERE a.root_id = ? AND d.count BETWEEN 1000 AND 5000 ORDER BY a.id LIMIT 1')
      .get(firstRootId) as { id: number; descendants: number };
    const descendants = descendantIds(db, early.id);
    expect(descendants).toHaveLength(early.descendants);
    expect([...(db.prepare(REF_DESCENDANTS).pluck().all(early.id) as number[])].sort((a, b) => a - b)).toEqual([...descendants].sort((a, b) => a - b));
    const oursDescendantsMs = medianMs(() => descendantIds(db, early.id));
    // Without an index on parent_id SQLite builds an automatic index on ref(parent_id) for each execution
    // of the recursive CTE: the reference pays that per query, not a table scan per visited agent.
    const refDescendantsMs = medianMs(() => db.prepare(REF_DESCENDANTS).pluck().all(early.id), SLOW_RUNS);
    console.log(
      `descendantIds of early agent #${early.id} (${fmt(early.descendants)} descendants): ours median ${oursDescendantsMs.toFixed(2)} ms of ${RUNS}, reference ${refDescendantsMs.toFixed(2)} ms of ${SLOW_RUNS}, ratio ${(refDescendantsMs / oursDescendantsMs).toFixed(1)}`,
    );

    // Per-generation statistics through the store's generationStats (the sums its triggers keep), for
    // everyone and for one lineage, against the same statistics recomputed from every agent row.
    db.exec('CREATE TABLE ref_stats AS SELECT id, root_id, generation, fitness, fitness_at, total_interactions, traits FROM agent');
    for (const [scope, root] of [
      ['all lineages', null],
      [`lineage #${firstRootId}`, firstRootId],
    ] as const) {
      let stats: GenerationStats[] = [];
      const oursStatsMs = medianMs(() => (stats = generationStats(db, root)), STATS_RUNS, false);
      const refStatsMs = medianMs(() => {
        db.prepare(REF_FITNESS_STATS).all({ root, tau: FITNESS_TAU });
        db.prepare(REF_TRAIT_STATS).all({ root });
      }, STATS_RUNS, false);
      expectStatsAsRecomputed(db, root);
      const agents = stats.reduce((sum, g) => sum + g.count, 0);
      if (root === null) expect(agents).toBe(AGENTS);
      const busiest = stats.reduce((a, b) => (b.count > a.count ? b : a));
      log(`${scope}: ${fmt(stats.length)} generations; the busiest, ${busiest.generation}, has ${fmt(busiest.count)} agents, mean fitness ${busiest.meanFitness.toFixed(3)}, max ${busiest.maxFitness.toFixed(3)}`);
      console.log(
        `generationStats of ${scope} (${fmt(agents)} agents): ours median ${oursStatsMs.toFixed(0)} ms of ${STATS_RUNS}, ` +
          `reference ${refStatsMs.toFixed(0)} ms (recomputed from every row, on an unindexed table of only the columns it reads), ratio ${(refStatsMs / oursStatsMs).toFixed(3)}`,
      );
    }
  } finally {
    database.dispose();
    dir.remove();
  }
});
