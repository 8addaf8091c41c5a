// Each numbered migration, applied to a real file: what it creates and that the
// queries it was made for use its indexes (SQLite's EXPLAIN QUERY PLAN); then the
// statements the store really runs, recorded over a workload and planned as written.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { migrate, migrations } from '../../electron/store/migrations.node';
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { makeTempDir } from '../helpers/temp-dir';
import { expectStatsAsRecomputed } from '../helpers/recomputed-stats';
import { decayedFitness } from '../../electron/agents/fitness.std';
import { insertGenesis } from '../helpers/genesis';
import { fullScans, queryPlan, recordingConnection } from '../helpers/statement-recorder';
import { aliveAgents, getMemoryVector, inheritMemories, rateMemoryOf, setMemoryVector, touchAgent } from '../../electron/store/agent-state.node';
import { addMessage, createConversation, getMessage, replies, thread } from '../../electron/store/conversations.node';
import { genesisSeed, getGenesis, listAssessments, listGenesis, pendingPoolBits, sqliteHarvestStore } from '../../electron/store/entropy.node';
import { addFeedback, countInteraction, feedbackEvents, fitnessFromEvents } from '../../electron/store/feedback.node';
import { ancestors, archiveAgent, birthAgent, children, countAgents, descendantIds, divideAgent, findAgent, getAgent, lineageAgents, listAgents, livingAgentNamed, seedChainOf } from '../../electron/store/lineage.node';
import { newick, phylogenyCsv } from '../../electron/store/lineage-export.node';
import { cladeSizes, generationStats } from '../../electron/store/lineage-stats.node';
import { lineageColumns } from '../../electron/store/lineage-tree.node';
import { addMemory, evictMemories, listMemories, markMemoriesUsed, memoryCount, nearestMemories, MEMORY_DIMENSIONS } from '../../electron/store/memories.node';
import { readSettings, writeSettings } from '../../electron/store/settings.node';
import { writable } from '../../electron/store/sql.node';

let dir: ReturnType<typeof makeTempDir>;
let db: Database;

beforeAll(async () => {
  dir = makeTempDir();
  db = await Database.open({ path: join(dir.path, 'lightseed.db') });
});
afterAll(() => {
  db.dispose();
  dir.remove();
});

function plan(sql: string, ...params: unknown[]): string {
  return (db.connection.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

describe('migrations, one by one', () => {
  it('apply in order on an empty file, each bumping user_version', () => {
    const raw = new BetterSqlite3(join(dir.path, 'stepwise.db'));
    sqliteVec.load(raw);
    for (const migration of migrations) {
      expect(migrate(raw, [...migrations].filter((m) => m.version <= migration.version))).toEqual({ from: migration.version - 1, to: migration.version });
    }
    raw.close();
  });

  it('0001 settings: a keyed lookup', () => {
    expect(plan("SELECT value FROM setting WHERE key = 'theme'")).toMatch(/USING INDEX sqlite_autoindex_setting_1|PRIMARY KEY/);
  });

  it('0002 entropy: stored estimates by device, the pending pool by its partial index, records by time', () => {
    expect(plan('SELECT * FROM device_assessment WHERE device_id = ? AND bits_per_sample = ?', 'x', 8)).toMatch(/INDEX sqlite_autoindex_device_assessment_1/);
    expect(plan('SELECT * FROM pool_contribution WHERE genesis_id IS NULL ORDER BY id')).toMatch(/INDEX pool_contribution_pending/);
    expect(plan('SELECT id FROM genesis ORDER BY created_at DESC LIMIT 10')).toMatch(/INDEX genesis_created/);
  });

  it('0003 lineage: children, lineages, feedback, memories and message trees use their indexes', () => {
    expect(plan('SELECT id FROM agent WHERE parent_id = ? ORDER BY born_at, id', 1)).toMatch(/INDEX agent_children/);
    expect(plan('SELECT id FROM agent WHERE root_id = ? ORDER BY generation', 1)).toMatch(/INDEX agent_lineage/);
    expect(plan('SELECT id FROM agent WHERE genesis_id = ?', 1)).toMatch(/INDEX agent_genesis/);
    expect(plan('SELECT value, at_interaction FROM feedback WHERE agent_id = ? ORDER BY id', 1)).toMatch(/INDEX feedback_agent/);
    expect(plan('SELECT id FROM memory WHERE agent_id = ? ORDER BY fitness', 1)).toMatch(/INDEX memory_agent/);
    expect(plan('SELECT * FROM message WHERE conversation_id = ? AND parent_id IS ? ORDER BY id', 1, null)).toMatch(/INDEX message_tree/);
    expect(plan('SELECT child_id FROM division WHERE parent_id = ?', 1)).toMatch(/INDEX division_parent/);
  });

  it('0005 agent life: idle agents by state and time, memories by their answer', () => {
    expect(plan("SELECT id FROM agent WHERE state = 'alive' AND last_active_at < ?", 1)).toMatch(/INDEX agent_idle/);
    expect(plan('SELECT id FROM memory WHERE message_id = ?', 1)).toMatch(/INDEX memory_message/);
  });

  it('0007 living names: a name finds its living agent by the partial unique index, and the migration renames earlier duplicates', () => {
    expect(plan("SELECT id FROM agent WHERE name = ? AND state = 'alive'", 'Ada')).toMatch(/INDEX agent_living_name/);
    const raw = new BetterSqlite3(join(dir.path, 'names.db'));
    sqliteVec.load(raw);
    migrate(raw, migrations.filter((m) => m.version < 7));
    raw.exec("INSERT INTO genesis (id, seed, created_at, source_uri, device_id, credited_bits, record, raw_sha256, raw_audit) VALUES (1, zeroblob(32), 0, 'jitter:', 'cpu', 512, '{}', '', x'')");
    const insert = raw.prepare(
      "INSERT INTO agent (id, uid, parent_id, root_id, generation, origin, genesis_id, name, seed, traits, born_at, state, archived_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, zeroblob(32), '{}', 0, ?, ?)",
    );
    insert.run(1, '1'.repeat(64), null, 0, 'born', 1, 'Ada', 'alive', null);
    insert.run(2, '2'.repeat(64), 1, 1, 'divided', null, 'Ada II', 'alive', null);
    insert.run(3, '3'.repeat(64), 1, 1, 'divided', null, 'Ada II', 'alive', null);
    insert.run(4, '4'.repeat(64), 1, 1, 'divided', null, 'Ada II', 'archived', 1);
    migrate(raw, migrations);
    expect(raw.prepare('SELECT name FROM agent ORDER BY id').pluck().all()).toEqual(['Ada', 'Ada II', 'Ada II #3', 'Ada II']);
    expect(() => insert.run(5, '5'.repeat(64), 1, 1, 'divided', null, 'Ada II', 'alive', null)).toThrow(/UNIQUE/);
    raw.close();
  });

  it('0009 lineage summaries: descendant counts leave the agent row, fitness_now and the per-generation sums are filled as a recomputation gives them', () => {
    expect(plan('SELECT max(fitness_now) FROM agent WHERE root_id = ? AND generation = ?', 1, 1)).toMatch(/COVERING INDEX agent_lineage/);
    const raw = new BetterSqlite3(join(dir.path, 'summaries.db'));
    sqliteVec.load(raw);
    migrate(raw, migrations.filter((m) => m.version < 9));
    raw.exec("INSERT INTO genesis (id, seed, created_at, source_uri, device_id, credited_bits, record, raw_sha256, raw_audit) VALUES (1, zeroblob(32), 0, 'jitter:', 'cpu', 512, '{}', '', x'')");
    const insert = raw.prepare(
      `INSERT INTO agent (id, uid, parent_id, root_id, generation, origin, genesis_id, name, seed, traits, born_at, subtree_size, fitness, fitness_at, interactions, total_interactions)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?, zeroblob(32), ?, 0, ?, ?, ?, ?, ?)`,
    );
    insert.run(1, '1'.repeat(64), null, 0, 'born', 1, 'Ada', '{"t":1}', 4, 2.5, 10, 0, 400);
    insert.run(2, '2'.repeat(64), 1, 1, 'divided', null, 'Ada II', '{"t":2,"r":4}', 2, -1, 0, 0, 30);
    insert.run(3, '3'.repeat(64), 1, 1, 'divided', null, 'Ada III', '{"t":5}', 1, 0, 0, 0, 0);
    insert.run(4, '4'.repeat(64), 2, 2, 'divided', null, 'Ada IV', '{}', 1, 1, 5, 0, 5);
    migrate(raw, migrations);
    expect(raw.prepare('SELECT id, count FROM agent_descendants ORDER BY id').raw().all()).toEqual([
      [1, 3],
      [2, 1],
    ]);
    expect(raw.prepare('SELECT fitness_now FROM agent ORDER BY id').pluck().all()).toEqual([decayedFitness(2.5, 10, 400), decayedFitness(-1, 0, 30), 0, 1]);
    expectStatsAsRecomputed(writable(raw), null);
    expect(generationStats(writable(raw), 1).map((g) => [g.generation, g.count, g.traits['t']?.mean])).toEqual([
      [0, 1, 1],
      [1, 2, 3.5],
      [2, 1, undefined],
    ]);
    raw.close();
  });
});

/** Statements that read a whole table on purpose, and why. */
const INTENDED_SCANS: { sql: RegExp; why: string }[] = [
  { sql: /FROM generation_(summary|traits) s\s+GROUP BY s\.generation/, why: 'statistics of all lineages read every kept sum: one row per lineage and generation (and trait), not per agent' },
  { sql: /^SELECT key, value FROM setting$/, why: 'all settings are read at once (a few dozen rows)' },
  { sql: /FROM device_assessment ORDER BY assessed_at DESC$/, why: 'every stored estimate is listed (one per device)' },
  { sql: /FROM genesis ORDER BY id DESC LIMIT \?$/, why: 'the newest records: the rowid walked backwards, stopped after LIMIT' },
  { sql: /FROM agent WHERE \(@state IS NULL OR state = @state\) ORDER BY id LIMIT @limit OFFSET @offset$/, why: 'a page of the list: the rowid walked in order, stopped after LIMIT (an index on state would sort every match)' },
  { sql: /FROM agent\s+ORDER BY generation, id LIMIT @limit$/, why: 'the tree of every lineage reads every agent' },
];

describe('the statements the store runs', () => {
  it('use an index or a key, apart from the full scans listed with their reason', () => {
    const raw = db0();
    const recorded = recordingConnection(raw);
    const db = writable(recorded.connection);
    const statements = recorded.statements;
    const vector = (seed: number) => Float32Array.from({ length: MEMORY_DIMENSIONS }, (_, i) => Math.sin(seed * 31 + i));
    // Agents: births, a division, feedback, archival, and every read the services use.
    const ada = birthAgent(db, { genesisId: insertGenesis(raw), name: 'Ada', traits: { 'voice.rank': 4 }, bornAt: 1, memoryVector: vector(1) });
    const bea = birthAgent(db, { genesisId: insertGenesis(raw), name: 'Bea', traits: { 'voice.rank': 4 }, bornAt: 2 });
    countInteraction(db, ada.id);
    addFeedback(db, { agentId: ada.id, kind: 'up', createdAt: 3 });
    const child = divideAgent(db, { parentId: ada.id, name: 'Ada II', mutationSeed: new Uint8Array(32).fill(5), traits: { 'voice.rank': 4 }, reason: 'test', bornAt: 4, memoryVector: vector(2) });
    for (const read of [getAgent(db, child.id), findAgent(db, 'Ada II'), findAgent(db, `#${child.id}`), livingAgentNamed(db, 'Ada')]) expect(read).toBeDefined();
    listAgents(db, { state: 'alive', limit: 10, offset: 0 });
    listAgents(db, { limit: 10, offset: 0 });
    countAgents(db, 'alive');
    countAgents(db);
    seedChainOf(db, child.id);
    ancestors(db, child.id);
    children(db, ada.id);
    lineageAgents(db, ada.id);
    descendantIds(db, ada.id);
    feedbackEvents(db, ada.id);
    fitnessFromEvents(db, ada.id);
    touchAgent(db, bea.id, 5);
    getMemoryVector(db, ada.id);
    setMemoryVector(db, bea.id, vector(3));
    aliveAgents(db);
    archiveAgent(db, bea.id, 6);
    // Conversations and memories.
    const conversation = createConversation(db, 'hello', 7);
    const question = addMessage(db, { conversationId: conversation, parentId: null, role: 'user', content: 'hi', createdAt: 7 });
    const answer = addMessage(db, { conversationId: conversation, parentId: question.id, role: 'assistant', agentId: ada.id, content: 'hello', kind: 'chat', createdAt: 8 });
    getMessage(db, answer.id);
    thread(db, answer.id);
    replies(db, conversation, question.id);
    replies(db, conversation, null);
    const memory = addMemory(db, { agentId: ada.id, query: 'hi', response: 'hello', embedding: vector(4), createdAt: 8, messageId: answer.id });
    nearestMemories(db, ada.id, vector(4), 4);
    markMemoriesUsed(db, [memory], 9);
    rateMemoryOf(db, answer.id, 1);
    memoryCount(db, ada.id);
    listMemories(db, ada.id);
    inheritMemories(db, ada.id, child.id, 5);
    evictMemories(db, ada.id, 1);
    // The family tree's views.
    lineageColumns(db, { rootId: ada.id, trait: 'voice.rank' });
    lineageColumns(db, {});
    generationStats(db, ada.id);
    generationStats(db, null);
    cladeSizes(db, ada.id);
    newick(db, ada.id);
    phylogenyCsv(db, ada.id);
    // The entropy pool and Genesis records.
    const harvest = sqliteHarvestStore(db);
    harvest.getAssessment('jitter:test', 8);
    harvest.getCalibrationCapture('jitter:test', 8);
    harvest.pendingContributions();
    listAssessments(db);
    listGenesis(db, 10);
    getGenesis(db, 1);
    genesisSeed(db, 1);
    pendingPoolBits(db);
    // Settings.
    writeSettings(db, readSettings(db));

    const seen = new Map<string, string[]>();
    for (const statement of statements) {
      if (/^\s*(INSERT|CREATE|PRAGMA|BEGIN|COMMIT|SAVEPOINT|RELEASE)/i.test(statement.sql) || seen.has(statement.sql)) continue;
      try {
        seen.set(statement.sql, fullScans(statement.sql, queryPlan(raw, statement)));
      } catch (error) {
        throw new Error(`Could not plan ${statement.sql}: ${(error as Error).message}`);
      }
    }
    expect(seen.size).toBeGreaterThan(40);
    const unexpected = [...seen].filter(([sql, scans]) => scans.length > 0 && !INTENDED_SCANS.some((intended) => intended.sql.test(sql))).map(([sql, scans]) => `${scans.join('; ')}  ←  ${sql.replace(/\s+/g, ' ')}`);
    expect(unexpected).toEqual([]);
    // Every listed scan is still one the code runs: the list does not outlive the statements.
    expect(INTENDED_SCANS.filter((intended) => ![...seen.keys()].some((sql) => intended.sql.test(sql))).map((i) => i.why)).toEqual([]);
  });
});

/** The suite's database, unrecorded: helpers' own statements and the plans go through it. */
function db0(): BetterSqlite3.Database {
  return db.connection;
}
