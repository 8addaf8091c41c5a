import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DisposedError } from '../../native-bridge/resource/disposed-error.std';
import { APPLICATION_ID, Database } from '../../electron/store/database.node';
import { DatabaseFromFutureError, MigrationError, NotALightSeedDatabaseError } from '../../electron/store/errors.std';
import { LATEST_SCHEMA_VERSION, migrations, parseMigrationFiles } from '../../electron/store/migrations.node';
import { DEFAULT_SETTINGS } from '../../electron/settings/settings.std';
import { readSettings, writeSettings } from '../../electron/store/settings.node';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let file: string;
beforeEach(() => {
  dir = makeTempDir();
  file = join(dir.path, 'nested', 'lightseed.db');
});
afterEach(() => dir.remove());

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('opening the database', () => {
  it('creates the file and its folder, in WAL mode with foreign keys, at the latest schema', async () => {
    await using db = await Database.open({ path: file });
    expect(existsSync(file)).toBe(true);
    expect(db.journalMode).toBe('wal');
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(db.connection.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.connection.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
  });

  it('reopens an existing database without re-running migrations', async () => {
    (await Database.open({ path: file })).dispose();
    await using db = await Database.open({ path: file });
    writeSettings(db.connection, { theme: 'dark' });
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
  });

  it('refuses a database from a newer app and leaves it byte for byte', async () => {
    const path = join(dir.path, 'future.db');
    const raw = new BetterSqlite3(path);
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 7}`);
    raw.close();
    const before = sha256(path);
    const error = await Database.open({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseFromFutureError);
    expect((error as Error).message).toMatch(/schema version \d+, but this LightSeed understands versions up to \d+.*left untouched/);
    expect(sha256(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("refuses another application's SQLite file and leaves it untouched", async () => {
    const path = join(dir.path, 'other.db');
    const raw = new BetterSqlite3(path);
    raw.exec('CREATE TABLE contacts (name TEXT)');
    raw.close();
    const before = sha256(path);
    await expect(Database.open({ path })).rejects.toThrow(NotALightSeedDatabaseError);
    await expect(Database.open({ path })).rejects.toThrow(/another application/);
    expect(sha256(path)).toBe(before);
  });

  it('refuses a file that is not a database and leaves it untouched', async () => {
    const path = join(dir.path, 'notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200));
    const before = sha256(path);
    await expect(Database.open({ path })).rejects.toThrow(/is not an SQLite database.*left untouched/);
    expect(sha256(path)).toBe(before);
  });

  it('throws DisposedError when used after dispose, and dispose twice is harmless', async () => {
    const db = await Database.open({ path: file });
    db.dispose();
    db.dispose();
    expect(() => db.connection).toThrow(DisposedError);
  });
});

describe('migrations', () => {
  it('ship as contiguous numbered files', () => {
    expect(migrations.map((m) => m.version)).toEqual(Array.from({ length: migrations.length }, (_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
  });

  it('refuse gaps, repeats and badly named files', () => {
    expect(() => parseMigrationFiles({ './m/0001-a.sql': '', './m/0003-c.sql': '' })).toThrow(MigrationError);
    expect(() => parseMigrationFiles({ './m/0001-a.sql': '', './x/0001-b.sql': '' })).toThrow(/without gaps or repeats/);
    expect(() => parseMigrationFiles({ './m/first.sql': '' })).toThrow(/NNNN-name\.sql/);
  });

  it('roll back a failing migration entirely and keep the earlier ones', async () => {
    const list = parseMigrationFiles({
      './0001-first.sql': `PRAGMA application_id = ${APPLICATION_ID}; CREATE TABLE one (x INTEGER);`,
      './0002-broken.sql': 'CREATE TABLE two (x INTEGER); INSERT INTO nowhere VALUES (1);',
    });
    const error = await Database.open({ path: file, migrations: list }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/0002-broken failed and was rolled back; the database stays at version 1/);
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    const tables = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['one']);
    raw.close();
  });
});

describe('settings', () => {
  it('start at their defaults and persist changes across reopen', async () => {
    {
      await using db = await Database.open({ path: file });
      expect(readSettings(db.connection)).toEqual({ ...DEFAULT_SETTINGS, theme: 'system' });
      expect(writeSettings(db.connection, { theme: 'dark' })).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' });
    }
    await using db = await Database.open({ path: file });
    expect(readSettings(db.connection)).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' });
  });

  it('fall back to the default for a stored value this version does not understand', async () => {
    await using db = await Database.open({ path: file });
    db.connection.prepare("INSERT INTO setting (key, value, updated_at) VALUES ('theme', '\"sepia\"', 0)").run();
    expect(readSettings(db.connection)).toEqual({ ...DEFAULT_SETTINGS, theme: 'system' });
  });
});
