-- 0005: what an agent's life needs beyond its lineage.

-- The agent's 512-d memory vector (float32, little-endian): seeded at birth, moved by
-- every interaction, copied with N(0, σ_m²) noise at a division. NULL for agents
-- imported or generated without one (it is then derived from the seed on first use).
ALTER TABLE agent ADD COLUMN memory_vector BLOB CHECK (memory_vector IS NULL OR length(memory_vector) = 2048);

-- When the agent last answered or divided (ms); archival of unused agents reads it.
ALTER TABLE agent ADD COLUMN last_active_at INTEGER;
UPDATE agent SET last_active_at = born_at;

CREATE INDEX agent_idle ON agent (state, last_active_at);

-- The answer a memory was made from, so feedback on the answer reaches the memory.
ALTER TABLE memory ADD COLUMN message_id INTEGER REFERENCES message (id);
CREATE INDEX memory_message ON memory (message_id) WHERE message_id IS NOT NULL;

-- A child is a mutated copy: it starts with its parent's fitness at the division,
-- which then decays like any feedback (fitness_at = 0 is the child's first interaction).
ALTER TABLE agent ADD COLUMN inherited_fitness REAL NOT NULL DEFAULT 0;
