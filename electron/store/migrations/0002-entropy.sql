-- 0002: the entropy bridge's records.

-- One SP 800-90B assessment per device identity and sample width; later harvests
-- credit at this min-entropy while the health tests watch (SP 800-90B §3.1.3).
CREATE TABLE device_assessment (
  device_id TEXT NOT NULL,
  bits_per_sample INTEGER NOT NULL CHECK (bits_per_sample BETWEEN 1 AND 8),
  min_entropy REAL NOT NULL CHECK (min_entropy >= 0 AND min_entropy <= bits_per_sample),
  samples INTEGER NOT NULL CHECK (samples > 0),
  provisional INTEGER NOT NULL CHECK (provisional IN (0, 1)),
  assessed_at INTEGER NOT NULL,
  detail TEXT NOT NULL CHECK (json_valid(detail)),
  -- The raw samples assessed, kept so a provisional estimate can be refined.
  capture BLOB NOT NULL,
  PRIMARY KEY (device_id, bits_per_sample)
) STRICT;

CREATE TABLE genesis (
  id INTEGER PRIMARY KEY,
  seed BLOB NOT NULL UNIQUE CHECK (length(seed) = 32),
  created_at INTEGER NOT NULL,
  source_uri TEXT NOT NULL,
  device_id TEXT NOT NULL,
  credited_bits REAL NOT NULL CHECK (credited_bits >= 512),
  record TEXT NOT NULL CHECK (json_valid(record)),
  raw_sha256 TEXT NOT NULL,
  -- The first MiB of the raw capture, for audit.
  raw_audit BLOB NOT NULL
) STRICT;

CREATE INDEX genesis_created ON genesis (created_at);

-- The entropy pool: health-tested samples with their credited min-entropy. They
-- survive an interrupted harvest and are conditioned into the next Genesis seed.
CREATE TABLE pool_contribution (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  source_uri TEXT NOT NULL,
  bits_per_sample INTEGER NOT NULL CHECK (bits_per_sample BETWEEN 1 AND 8),
  min_entropy REAL NOT NULL CHECK (min_entropy > 0),
  credited_bits REAL NOT NULL CHECK (credited_bits > 0),
  samples BLOB NOT NULL,
  -- The same samples are never credited twice (a replayed recording gives nothing new).
  samples_sha256 TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  genesis_id INTEGER REFERENCES genesis (id)
) STRICT;

CREATE INDEX pool_contribution_pending ON pool_contribution (id) WHERE genesis_id IS NULL;
