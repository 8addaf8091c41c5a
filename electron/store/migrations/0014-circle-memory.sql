-- 0014: the circle's shared memory. Each installation appends the answers its person liked to a
-- Hypercore of its own (signed with its identity key, replicated to its peers); what a peer's log
-- holds is indexed here for recall beside an agent's own memories. circle_log says how far each
-- peer's log was read; shared_memory what this installation published, per answer.
CREATE TABLE circle_memory (
  id INTEGER PRIMARY KEY,
  peer TEXT NOT NULL CHECK (length(peer) = 64),
  -- The writer's id for the memory: a later record with the same id updates its fitness.
  record_id TEXT NOT NULL,
  agent_uid TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  query TEXT NOT NULL,
  response TEXT NOT NULL,
  fitness REAL NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  uses INTEGER NOT NULL DEFAULT 0,
  UNIQUE (peer, record_id)
) STRICT;
CREATE INDEX circle_memory_keep ON circle_memory (fitness, updated_at);

-- The question's embedding, computed here from its text (never taken from the writer).
CREATE VIRTUAL TABLE circle_memory_vec USING vec0 (
  embedding FLOAT[512] distance_metric=cosine
);

CREATE TABLE circle_log (
  peer TEXT PRIMARY KEY CHECK (length(peer) = 64),
  core_key TEXT NOT NULL CHECK (length(core_key) = 64),
  read_to INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE shared_memory (
  message_id INTEGER PRIMARY KEY REFERENCES message (id) ON DELETE CASCADE,
  record_id TEXT NOT NULL UNIQUE,
  shared_at INTEGER NOT NULL
) STRICT;
