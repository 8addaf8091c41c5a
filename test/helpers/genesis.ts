import { createHash, randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

/** A Genesis row as the harvest stores it, with a random seed, for tests that need agents. */
export function insertGenesis(db: BetterSqlite3.Database, at = Date.now()): number {
  const seed = randomBytes(32);
  return Number(
    db
      .prepare(
        `INSERT INTO genesis (seed, created_at, source_uri, device_id, credited_bits, record, raw_sha256, raw_audit)
         VALUES (?, ?, 'jitter:', 'jitter:test', 600, '{}', ?, ?)`,
      )
      .run(seed, at, createHash('sha256').update(seed).digest('hex'), Buffer.alloc(16)).lastInsertRowid,
  );
}
