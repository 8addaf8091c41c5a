// The lineage store at 1,000,000 agents: a bushy forest (several roots, random
// parents) plus one lineage 2,000+ generations deep, in a real database file opened
// by the store (WAL, migrations). Reference: the same queries on a plain
// parent-pointer table `ref (id INTEGER PRIMARY KEY, parent_id INTEGER)` without an
// index on parent_id, holding the same tree in the same file, measured in the same run.
// Every ratio is reference time / ours: above 1, ours is faster.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Database } from '../electron/store/database.node';
import { decayedFitness, FITNESS_TAU } from '../electron/agents/fitness.std';
import { insertAgents, type NewAgent } from '../electron/store/bulk-lineage.node';
import { agentUid, ancestorIds, birthAgent, descendantIds, divideAgent, growDescendants, recomputeDescendantCounts, seedChainOf } from '../electron/store/lineage.node';
import type { WritableDB } from '../electron/store/sql.node';
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
/** Agents written both row by row and through insertAgents (each rolled back) for their ratio. */
const ROW_BY_ROW = 20_000;
/** Runs per query; the median is reported. */
const RUNS = 50;
/** Runs of the slow references and of the statistics, which take a second or more each. */
const SLOW_RUNS = 15;
const STATS_RUNS = 3;
/** A trait set of the size the agents service writes. */
const BULK_TRAITS = {
  'temperament.temperature': 0.72,
  'temperament.top_p': 0.91,
  'voice.verbosity': 0.35,
  'voice.formality': 0.61,
  'curiosity.questions': 0.44,
  'memory.recall': 0.58,
};
const TRAITS = JSON.stringify(BULK_TRAITS);

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
 * The bulk load through the store's insertAgents, BATCH agents a call. A parent is an agent of
 * an earlier call (its id) or of the same one (its place in the batch): insertAgents gives ids in
 * order after the highest in use, so the bench knows each agent's id before it is written. Only
 * the calls are timed; the seed chains and uids are the caller's, made as the agents are drawn.
 */
function bulkWriter(db: WritableDB, random: () => number) {
  let pending: NewAgent[] = [];
  let firstId = 0;
  let ms = 0;
  let rows = 0;
  return {
    add(id: number, parentId: number, chain: Buffer): void {
      if (pending.length === 0) firstId = id;
      const total = Math.floor(random() * 400);
      const fitnessAt = Math.floor(random() * (total + 1));
      const fitness = (random() + random() + random() - 1.5) * 4;
      pending.push({
        parent: parentId >= firstId ? { index: parentId - firstId } : { id: parentId },
        uid: agentUid(chain),
        origin: 'divided',
        name: `Agent ${id}`,
        seed: chain.subarray(chain.length - 32),
        traits: BULK_TRAITS,
        interactions: total - fitnessAt,
        totalInteractions: total,
        fitness,
        fitnessAt,
        bornAt: id,
        division: { parentInteractions: 0, reason: 'bench: bulk load' },
      });
      if (pending.length === BATCH) this.flush();
    },
    flush(): void {
      if (pending.length === 0) return;
      const started = performance.now();
      const ids = insertAgents(db, pending);
      ms += performance.now() - started;
      rows += pending.length;
      expect(ids[0]).toBe(firstId);
      pending = [];
    },
    /** Milliseconds in insertAgents, and the agents it wrote. */
    get timed() {
      return { ms, rows };
    },
  };
}

/**
 * The reference of the same width: the values insertAgents bound for one lineage's agents and
 * their divisions, read back and bound again one row at a time, in the same batches, into bare
 * tables (no index, constraint or trigger). What is left between the two is the schema's upkeep.
 */
function sameWidthRowsUs(db: WritableDB, rootId: number): number {
  const columns = 'uid, parent_id, root_id, generation, origin, genesis_id, name, seed, traits, interactions, total_interactions, fitness, fitness_at, fitness_now, inherited_fitness, state, born_at, archived_at, last_active_at, signer, memory_vector';
  db.exec(`CREATE TABLE ref_wide (${columns}); CREATE TABLE ref_wide_division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at)`);
  const read = db
    .prepare(`SELECT ${columns.split(', ').map((column) => `agent.${column}`).join(', ')}, agent.id, d.parent_interactions, d.reason FROM agent JOIN division d ON d.child_id = agent.id WHERE agent.root_id = ? AND agent.id >= ? ORDER BY agent.id LIMIT ?`)
    .raw();
  const insertWide = db.prepare(`INSERT INTO ref_wide (${columns}) VALUES (${columns.split(', ').map(() => '?').join(', ')})`);
  const insertDivision = db.prepare('INSERT INTO ref_wide_division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  let ms = 0;
  let rows = 0;
  for (let from = 0; ; ) {
    const batch = read.all(rootId, from, BATCH) as unknown[][];
    if (batch.length === 0) break;
    from = (batch.at(-1)![21] as number) + 1;
    const started = performance.now();
    db.transaction(() => {
      for (const row of batch) {
        insertWide.run(...row.slice(0, 21));
        insertDivision.run(row[1], row[21], row[7], row[22], row[23], row[16]);
        rows++;
      }
    })();
    ms += performance.now() - started;
  }
  db.exec('DROP TABLE ref_wide; DROP TABLE ref_wide_division');
  return (ms * 1000) / rows;
}

/**
 * ROW_BY_ROW agents hung below random agents of the first bushy lineage and below each other,
 * written twice, each time rolled back: row by row as an import wrote them (the agent row under
 * its summary trigger, its division row, growDescendants up its line), then through insertAgents.
 */
function againstRowByRow(db: WritableDB, rootId: number, random: () => number): { rowUs: number; bulkUs: number; sqliteUs: number } {
  const members = db.prepare('SELECT id FROM agent WHERE root_id = ? ORDER BY id LIMIT 100000').pluck().all(rootId) as number[];
  const agents: NewAgent[] = [];
  for (let i = 0; i < ROW_BY_ROW; i++) {
    const own = randomBytes(32);
    agents.push({
      parent: i > 0 && random() < 0.5 ? { index: Math.floor(random() * i) } : { id: members[Math.floor(random() * members.length)]! },
      uid: agentUid(own),
      origin: 'divided',
      name: `Row ${i}`,
      seed: own,
      traits: BULK_TRAITS,
      interactions: 3,
      totalInteractions: 40,
      fitness: random() - 0.5,
      fitnessAt: 30,
      bornAt: i,
      division: { parentInteractions: 0, reason: 'bench: row by row' },
    });
  }
  const insert = db.prepare(
    `INSERT INTO agent (uid, parent_id, root_id, generation, origin, name, seed, traits, interactions, total_interactions, fitness, fitness_at, born_at)
     VALUES (?, ?, ?, ?, 'divided', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const division = db.prepare('INSERT INTO division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const lineOf = db.prepare<[number], { root_id: number; generation: number }>('SELECT root_id, generation FROM agent WHERE id = ?');
  const timedAndRolledBack = (write: () => void): number => {
    db.exec('BEGIN');
    const started = performance.now();
    write();
    const ms = performance.now() - started;
    db.exec('ROLLBACK');
    return (ms * 1000) / ROW_BY_ROW;
  };
  const rowUs = timedAndRolledBack(() => {
    const ids: number[] = [];
    for (const a of agents) {
      const parentId = 'id' in a.parent! ? a.parent.id : ids[(a.parent as { index: number }).index]!;
      const parent = lineOf.get(parentId)!;
      const id = Number(
        insert.run(a.uid, parentId, parent.root_id, parent.generation + 1, a.name, a.seed, JSON.stringify(a.traits), a.interactions, a.totalInteractions, a.fitness, a.fitnessAt, a.bornAt).lastInsertRowid,
      );
      division.run(parentId, id, a.seed, 0, a.division!.reason, a.bornAt);
      growDescendants(db, parentId, 1);
      ids.push(id);
    }
  });
  const bulkUs = timedAndRolledBack(() => insertAgents(db, agents));

  // The floor under any way of handing rows to SQLite: the same agents and divisions copied by
  // SQLite itself from a staging table (filled untimed), with the summary trigger dropped and
  // foreign keys off, and no sums or counts kept: the indexes and the row's width alone.
  const firstId = (db.prepare('SELECT max(id) FROM agent').pluck().get() as number) + 1;
  db.exec(`CREATE TEMP TABLE staging (id, uid, parent_id, root_id, generation, name, seed, traits, interactions, total_interactions, fitness, fitness_at, fitness_now, born_at)`);
  const stage = db.prepare('INSERT INTO temp.staging VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const lines: { root: number; generation: number }[] = [];
  agents.forEach((a, i) => {
    const parentId = 'id' in a.parent! ? a.parent.id : firstId + (a.parent as { index: number }).index;
    const parent = 'id' in a.parent! ? { root: lineOf.get(parentId)!.root_id, generation: lineOf.get(parentId)!.generation } : lines[(a.parent as { index: number }).index]!;
    lines.push({ root: parent.root, generation: parent.generation + 1 });
    const now = decayedFitness(a.fitness!, a.fitnessAt!, a.totalInteractions!);
    stage.run(firstId + i, a.uid, parentId, parent.root, parent.generation + 1, a.name, a.seed, JSON.stringify(a.traits), a.interactions, a.totalInteractions, a.fitness, a.fitnessAt, now, a.bornAt);
  });
  db.pragma('foreign_keys = OFF');
  const sqliteUs = timedAndRolledBack(() => {
    db.exec('DROP TRIGGER agent_counted');
    db.exec(`INSERT INTO agent (id, uid, parent_id, root_id, generation, origin, name, seed, traits, interactions, total_interactions, fitness, fitness_at, fitness_now, born_at, last_active_at)
      SELECT id, uid, parent_id, root_id, generation, 'divided', name, seed, traits, interactions, total_interactions, fitness, fitness_at, fitness_now, born_at, born_at FROM temp.staging ORDER BY id`);
    db.exec(`INSERT INTO division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at) SELECT parent_id, id, seed, 0, 'bench: SQLite alone', born_at FROM temp.staging ORDER BY id`);
  });
  db.pragma('foreign_keys = ON');
  db.exec('DROP TABLE temp.staging');
  return { rowUs, bulkUs, sqliteUs };
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
      bulk.add(nextId, tip, chain);
      tip = nextId++;
    }
    bulk.flush();
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
          if (!bulkCache) {
            db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
            bulkCache = true;
          }
          const childChain = Buffer.concat([chains[p]!, randomBytes(32)]);
          bulk.add(nextId, members[p]!, childChain);
          chains.push(childChain);
        }
        parentOf[nextId] = members[p]!;
        members.push(nextId++);
        generations.push(generations[p]! + 1);
        deepest = Math.max(deepest, generations[p]! + 1);
      }
      bulk.flush();
      log(`lineage ${r + 1}/${ROOTS}: ${fmt(size)} agents, ${deepest} generations, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    db.pragma(`cache_size = ${defaultCache}`);

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
    started = performance.now();
    expect(recomputeDescendantCounts(db), 'descendant counts insertAgents and divideAgent kept').toBe(0);
    log(`recomputeDescendantCounts found every count right in ${((performance.now() - started) / 1000).toFixed(1)} s`);

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
    const fileBytes = statSync(join(dir.path, 'lightseed.db')).size;
    log(`database file ${(fileBytes / 2 ** 20).toFixed(0)} MiB, ${fmt(Math.round(fileBytes / AGENTS))} bytes an agent`);
    const { ms: bulkMs, rows: bulkRows } = bulk.timed;
    const bulkUs = (bulkMs * 1000) / bulkRows;
    const plainUs = (refLoadMs * 1000) / AGENTS;

    console.log(
      `insert ${fmt(AGENTS)} agents: ours ${(loadMs / 1000).toFixed(1)} s (${fmt(bulkRows)} through insertAgents at ${fmt(Math.round(bulkRows / (bulkMs / 1000)))}/s, ` +
        `${fmt(DIVIDED)} divideAgent calls at ${fmt(Math.round(DIVIDED / (dividedMs / 1000)))}/s), ` +
        `reference ${(refLoadMs / 1000).toFixed(1)} s (plain parent-pointer rows, same batches), ratio ${(refLoadMs / loadMs).toFixed(3)}`,
    );
    console.log(
      `insertAgents alone: ours ${bulkUs.toFixed(1)} µs an agent, reference ${plainUs.toFixed(2)} µs a plain two-integer row, ratio ${(plainUs / bulkUs).toFixed(3)}`,
    );
    const wideUs = sameWidthRowsUs(db, firstRootId);
    console.log(
      `insertAgents against the same values as rows of a bare table (no index, constraint or trigger; bound one row at a time): ours ${bulkUs.toFixed(1)} µs, ` +
        `reference ${wideUs.toFixed(1)} µs, ratio ${(wideUs / bulkUs).toFixed(3)}`,
    );
    const rowByRow = againstRowByRow(db, firstRootId, random);
    console.log(
      `insertAgents against row-by-row INSERTs (the summary trigger per row, growDescendants per agent as an import did), ${fmt(ROW_BY_ROW)} agents in the first bushy lineage: ` +
        `ours ${rowByRow.bulkUs.toFixed(1)} µs an agent, reference ${rowByRow.rowUs.toFixed(1)} µs, ratio ${(rowByRow.rowUs / rowByRow.bulkUs).toFixed(2)}`,
    );
    console.log(
      `the floor: SQLite itself copying the same ${fmt(ROW_BY_ROW)} agents and their divisions from a staging table (no JavaScript per row, no trigger, ` +
        `foreign keys off, no sums or counts) takes ${rowByRow.sqliteUs.toFixed(1)} µs an agent, against ${plainUs.toFixed(2)} µs a plain two-integer row: ratio ${(plainUs / rowByRow.sqliteUs).toFixed(3)}`,
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
