// The database file's own health, outside the app's normal use: SQLite's integrity check and its
// online backup. Both open the file read-only and without migrating it, so they work on a file
// the app refuses to open (damaged, or from a newer LightSeed) and never change it.
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

export interface IntegrityReport {
  ok: boolean;
  /** SQLite's findings (PRAGMA integrity_check), at most `limit` of them; empty when ok. */
  problems: string[];
}

function openReadOnly(path: string, nativeBinding?: string): BetterSqlite3.Database {
  if (!existsSync(path)) throw new Error(`There is no database at ${path} yet: nothing to check or back up.`);
  return new BetterSqlite3(path, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
}

/** PRAGMA integrity_check on the file at `path`: every page, index and constraint SQLite can verify. */
export function checkIntegrity(path: string, limit = 100, nativeBinding?: string): IntegrityReport {
  const db = openReadOnly(path, nativeBinding);
  try {
    const rows = db.prepare(`PRAGMA integrity_check(${Math.max(1, Math.floor(limit))})`).pluck().all() as string[];
    const problems = rows.filter((row) => row !== 'ok');
    return { ok: problems.length === 0, problems };
  } finally {
    db.close();
  }
}

/**
 * A consistent copy of the database at `path` in `destination`, made with SQLite's online backup
 * API while other connections may go on writing. Refuses to overwrite a file.
 */
export async function backupDatabase(path: string, destination: string, onProgress?: (done: number, total: number) => void, nativeBinding?: string): Promise<{ pages: number }> {
  if (existsSync(destination)) throw new Error(`${destination} already exists: name a new file for the backup.`);
  const db = openReadOnly(path, nativeBinding);
  try {
    const result = await db.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        return 256; // pages per step
      },
    });
    return { pages: result.totalPages };
  } finally {
    db.close();
  }
}
