-- 0001: mark the file as LightSeed's and keep user preferences.
-- application_id 0x4C534544 ('LSED') lets us refuse to touch a foreign SQLite file.
PRAGMA application_id = 1280525636;

CREATE TABLE setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT;
