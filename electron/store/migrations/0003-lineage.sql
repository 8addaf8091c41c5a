-- 0003: agents and their lineage, conversations, feedback, divisions and memories.

-- Agents are never deleted: an archived agent stays in its family tree.
CREATE TABLE agent (
  id INTEGER PRIMARY KEY,
  -- A content address: SHA-256 of the seed chain, the same on every machine.
  uid TEXT NOT NULL UNIQUE CHECK (length(uid) = 64),
  parent_id INTEGER REFERENCES agent (id),
  -- The lineage root (itself for a root).
  root_id INTEGER NOT NULL REFERENCES agent (id) DEFERRABLE INITIALLY DEFERRED,
  generation INTEGER NOT NULL CHECK (generation >= 0),
  origin TEXT NOT NULL CHECK (origin IN ('born', 'divided', 'imported')),
  -- The Genesis record a root was born from; a seed gives birth once.
  genesis_id INTEGER REFERENCES genesis (id),
  name TEXT NOT NULL,
  -- This agent's link of the seed chain: the Genesis seed for a root, its mutation seed for a child.
  -- The whole chain (root's seed, then one per division) is read up the parent links, so a
  -- division stays cheap however deep the lineage.
  seed BLOB NOT NULL CHECK (length(seed) = 32),
  traits TEXT NOT NULL CHECK (json_valid(traits)),
  -- Interactions since the last division, and in all.
  interactions INTEGER NOT NULL DEFAULT 0 CHECK (interactions >= 0),
  total_interactions INTEGER NOT NULL DEFAULT 0 CHECK (total_interactions >= interactions),
  -- Exponentially decayed feedback (τ in interactions), valid as of total_interactions = fitness_at.
  fitness REAL NOT NULL DEFAULT 0,
  fitness_at INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'alive' CHECK (state IN ('alive', 'archived')),
  born_at INTEGER NOT NULL,
  archived_at INTEGER,
  -- Cached: this agent and all its descendants.
  subtree_size INTEGER NOT NULL DEFAULT 1 CHECK (subtree_size >= 1),
  -- Cached family-tree layout.
  layout_x REAL,
  layout_y REAL,
  CHECK ((parent_id IS NULL) = (generation = 0)),
  CHECK (origin <> 'born' OR (genesis_id IS NOT NULL AND parent_id IS NULL)),
  CHECK (origin <> 'divided' OR parent_id IS NOT NULL),
  CHECK ((state = 'archived') = (archived_at IS NOT NULL))
) STRICT;

-- Children in birth order, and the recursive CTEs' join in both directions.
CREATE INDEX agent_children ON agent (parent_id, born_at, id);
CREATE UNIQUE INDEX agent_genesis ON agent (genesis_id) WHERE genesis_id IS NOT NULL;
CREATE INDEX agent_lineage ON agent (root_id, generation);

-- Why and when an agent divided.
CREATE TABLE division (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER NOT NULL REFERENCES agent (id),
  child_id INTEGER NOT NULL UNIQUE REFERENCES agent (id),
  mutation_seed BLOB NOT NULL CHECK (length(mutation_seed) = 32),
  parent_interactions INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX division_parent ON division (parent_id);

CREATE TABLE conversation (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Messages form a tree: a regeneration or a council answer is a sibling branch.
CREATE TABLE message (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversation (id),
  parent_id INTEGER REFERENCES message (id),
  role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
  agent_id INTEGER REFERENCES agent (id),
  content TEXT NOT NULL,
  model TEXT,
  token_count INTEGER CHECK (token_count IS NULL OR token_count >= 0),
  tokens_per_second REAL,
  kind TEXT NOT NULL DEFAULT 'chat' CHECK (kind IN ('chat', 'regeneration', 'council')),
  created_at INTEGER NOT NULL,
  CHECK (role <> 'assistant' OR agent_id IS NOT NULL)
) STRICT;

CREATE INDEX message_tree ON message (conversation_id, parent_id, id);
CREATE INDEX message_agent ON message (agent_id);

-- Thumbs and council picks; fitness is their decayed sum.
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agent (id),
  message_id INTEGER REFERENCES message (id),
  kind TEXT NOT NULL CHECK (kind IN ('up', 'down', 'council-pick')),
  value REAL NOT NULL,
  -- The agent's total_interactions when it was given (the decay clock).
  at_interaction INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX feedback_agent ON feedback (agent_id, at_interaction);

-- An agent's memories: a query/response pair with a fitness; the embedding lives in memory_vec under the same rowid.
CREATE TABLE memory (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agent (id),
  query TEXT NOT NULL,
  response TEXT NOT NULL,
  fitness REAL NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  uses INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX memory_agent ON memory (agent_id, fitness, last_used_at);

-- Nearest-neighbour search over memory embeddings, partitioned by agent (sqlite-vec).
CREATE VIRTUAL TABLE memory_vec USING vec0 (
  agent_id INTEGER PARTITION KEY,
  embedding FLOAT[512] distance_metric=cosine
);
