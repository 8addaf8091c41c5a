-- 0009: a division stays cheap 2,000 generations deep, and a family tree's statistics are read,
-- not recomputed, at a million agents.

-- Descendant counts leave the agent row. A division adds one to every ancestor's count; rewriting
-- 2,000 wide agent rows (seed, traits, memory vector) for it cost more than the rest of the
-- division together, and a narrow row costs a fifth of that. An agent without descendants has no row.
CREATE TABLE agent_descendants (
  id INTEGER PRIMARY KEY REFERENCES agent (id),
  count INTEGER NOT NULL CHECK (count >= 1)
) STRICT;
INSERT INTO agent_descendants (id, count) SELECT id, subtree_size - 1 FROM agent WHERE subtree_size > 1;
ALTER TABLE agent DROP COLUMN subtree_size;

-- The fitness decayed to the agent's own interaction count: the value every list and statistic
-- shows. It changes only when the row's fitness, fitness_at or total_interactions do, so a trigger
-- keeps it, through the app's decayed_fitness() (the formula lives in agents/fitness.std.ts only).
ALTER TABLE agent ADD COLUMN fitness_now REAL NOT NULL DEFAULT 0;
UPDATE agent SET fitness_now = decayed_fitness(fitness, fitness_at, total_interactions) WHERE fitness <> 0;

-- The lineage index also answers a generation's best fitness (one seek per generation).
DROP INDEX agent_lineage;
CREATE INDEX agent_lineage ON agent (root_id, generation, fitness_now);

-- Per lineage and generation: how many agents, and the sum of their fitness_now.
CREATE TABLE generation_summary (
  root_id INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  agents INTEGER NOT NULL CHECK (agents >= 0),
  fitness_sum REAL NOT NULL,
  PRIMARY KEY (root_id, generation)
) STRICT, WITHOUT ROWID;

-- Per lineage, generation and numeric trait: how many agents have it, the sum and the sum of squares.
CREATE TABLE generation_traits (
  root_id INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  trait TEXT NOT NULL,
  agents INTEGER NOT NULL CHECK (agents >= 0),
  value_sum REAL NOT NULL,
  square_sum REAL NOT NULL,
  PRIMARY KEY (root_id, generation, trait)
) STRICT, WITHOUT ROWID;

INSERT INTO generation_summary (root_id, generation, agents, fitness_sum)
  SELECT root_id, generation, count(*), total(fitness_now) FROM agent GROUP BY root_id, generation;
INSERT INTO generation_traits (root_id, generation, trait, agents, value_sum, square_sum)
  SELECT a.root_id, a.generation, t.key, count(*), total(t.value), total(t.value * t.value)
  FROM agent a, json_each(a.traits) t WHERE t.type IN ('real', 'integer') GROUP BY a.root_id, a.generation, t.key;

CREATE TRIGGER agent_fitness_now AFTER UPDATE OF fitness, fitness_at, total_interactions ON agent
BEGIN
  UPDATE agent SET fitness_now = decayed_fitness(NEW.fitness, NEW.fitness_at, NEW.total_interactions) WHERE id = NEW.id;
END;

-- A new agent is counted with the fitness_now it was inserted with (0 by default); its real
-- fitness_now is then set, which the update triggers below add.
CREATE TRIGGER agent_counted AFTER INSERT ON agent
BEGIN
  INSERT INTO generation_summary (root_id, generation, agents, fitness_sum) VALUES (NEW.root_id, NEW.generation, 1, NEW.fitness_now)
    ON CONFLICT (root_id, generation) DO UPDATE SET agents = agents + 1, fitness_sum = fitness_sum + excluded.fitness_sum;
  INSERT INTO generation_traits (root_id, generation, trait, agents, value_sum, square_sum)
    SELECT NEW.root_id, NEW.generation, key, 1, value, value * value FROM json_each(NEW.traits) WHERE type IN ('real', 'integer')
    ON CONFLICT (root_id, generation, trait) DO UPDATE SET agents = agents + 1, value_sum = value_sum + excluded.value_sum, square_sum = square_sum + excluded.square_sum;
  UPDATE agent SET fitness_now = decayed_fitness(NEW.fitness, NEW.fitness_at, NEW.total_interactions) WHERE id = NEW.id AND NEW.fitness <> 0;
END;

-- Fitness changed within the same lineage and generation (every feedback and chat turn).
CREATE TRIGGER agent_fitness_summed AFTER UPDATE OF fitness_now ON agent
WHEN OLD.root_id = NEW.root_id AND OLD.generation = NEW.generation AND OLD.fitness_now IS NOT NEW.fitness_now
BEGIN
  UPDATE generation_summary SET fitness_sum = fitness_sum - OLD.fitness_now + NEW.fitness_now WHERE root_id = NEW.root_id AND generation = NEW.generation;
END;

-- An agent moved to another lineage or generation (a root gets its own id as root_id after its insert).
CREATE TRIGGER agent_moved AFTER UPDATE OF root_id, generation ON agent
WHEN OLD.root_id <> NEW.root_id OR OLD.generation <> NEW.generation
BEGIN
  UPDATE generation_summary SET agents = agents - 1, fitness_sum = fitness_sum - OLD.fitness_now WHERE root_id = OLD.root_id AND generation = OLD.generation;
  DELETE FROM generation_summary WHERE root_id = OLD.root_id AND generation = OLD.generation AND agents = 0;
  INSERT INTO generation_summary (root_id, generation, agents, fitness_sum) VALUES (NEW.root_id, NEW.generation, 1, NEW.fitness_now)
    ON CONFLICT (root_id, generation) DO UPDATE SET agents = agents + 1, fitness_sum = fitness_sum + excluded.fitness_sum;
END;

-- Traits moved with the agent, or rewritten.
CREATE TRIGGER agent_traits_moved AFTER UPDATE OF root_id, generation, traits ON agent
WHEN OLD.root_id <> NEW.root_id OR OLD.generation <> NEW.generation OR OLD.traits <> NEW.traits
BEGIN
  UPDATE generation_traits SET agents = agents - 1, value_sum = value_sum - old_trait.value, square_sum = square_sum - old_trait.value * old_trait.value
    FROM (SELECT key, value FROM json_each(OLD.traits) WHERE type IN ('real', 'integer')) AS old_trait
    WHERE root_id = OLD.root_id AND generation = OLD.generation AND trait = old_trait.key;
  DELETE FROM generation_traits WHERE root_id = OLD.root_id AND generation = OLD.generation AND agents = 0;
  INSERT INTO generation_traits (root_id, generation, trait, agents, value_sum, square_sum)
    SELECT NEW.root_id, NEW.generation, key, 1, value, value * value FROM json_each(NEW.traits) WHERE type IN ('real', 'integer')
    ON CONFLICT (root_id, generation, trait) DO UPDATE SET agents = agents + 1, value_sum = value_sum + excluded.value_sum, square_sum = square_sum + excluded.square_sum;
END;

-- Agents are never deleted by the app; a row removed by hand leaves the sums right.
CREATE TRIGGER agent_uncounted AFTER DELETE ON agent
BEGIN
  UPDATE generation_summary SET agents = agents - 1, fitness_sum = fitness_sum - OLD.fitness_now WHERE root_id = OLD.root_id AND generation = OLD.generation;
  DELETE FROM generation_summary WHERE root_id = OLD.root_id AND generation = OLD.generation AND agents = 0;
  UPDATE generation_traits SET agents = agents - 1, value_sum = value_sum - old_trait.value, square_sum = square_sum - old_trait.value * old_trait.value
    FROM (SELECT key, value FROM json_each(OLD.traits) WHERE type IN ('real', 'integer')) AS old_trait
    WHERE root_id = OLD.root_id AND generation = OLD.generation AND trait = old_trait.key;
  DELETE FROM generation_traits WHERE root_id = OLD.root_id AND generation = OLD.generation AND agents = 0;
END;
