// User preferences as JSON values in the `setting` table.
import { DEFAULT_SETTINGS, Settings } from '../settings/settings.std';
import type { ReadableDB, WritableDB } from './sql.node';

export function readSettings(db: ReadableDB): Settings {
  const rows = db.prepare<unknown[], { key: string; value: string }>('SELECT key, value FROM setting').all();
  const stored: Record<string, unknown> = {};
  for (const row of rows) {
    if (Object.hasOwn(DEFAULT_SETTINGS, row.key)) stored[row.key] = JSON.parse(row.value);
  }
  // A value an older or newer app wrote that no longer parses falls back to its default, key by key.
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(stored)) {
    const candidate = { ...merged, [key]: value };
    if (Settings.safeParse(candidate).success) merged[key] = value;
  }
  return Settings.parse(merged);
}

export function writeSettings(db: WritableDB, change: Partial<Settings>, now = Date.now()): Settings {
  const upsert = db.prepare(
    'INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  );
  db.transaction(() => {
    for (const [key, value] of Object.entries(change)) {
      if (value !== undefined) upsert.run(key, JSON.stringify(value), now);
    }
  })();
  return readSettings(db);
}
