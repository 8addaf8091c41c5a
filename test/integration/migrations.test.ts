// Each numbered migration, applied to a real file: what it creates and that the
// queries it was made for use its indexes (SQLite's EXPLAIN QUERY PLAN).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/store/database.node';
import { migrate, migrations } from '../../electron/store/migrations.node';
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { makeTempDir } from '../helpers/temp-dir';

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
    expect(plan('SELECT value, at_interaction FROM feedback WHERE agent_id = ? ORDER BY at_interaction', 1)).toMatch(/INDEX feedback_agent/);
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
});
