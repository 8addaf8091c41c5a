-- 0007: a living agent's name names one agent, so `lightseed agent "Ada II"` and every list mean
-- one agent. Earlier versions gave two children of one parent the same name: the later ones
-- (by id) are renamed "NAME #ID" here, which stays unique because ids are. Archived agents keep
-- their names (a family tree may hold many "Ada II" that lived one after another).
UPDATE agent SET name = name || ' #' || id
WHERE state = 'alive' AND EXISTS (SELECT 1 FROM agent AS earlier WHERE earlier.state = 'alive' AND earlier.name = agent.name AND earlier.id < agent.id);

CREATE UNIQUE INDEX agent_living_name ON agent (name) WHERE state = 'alive';
