-- 0010: character cards. A card gives an agent its intent (persona, greeting, example dialogue,
-- world info) on top of its Genesis seed; the agent's children speak with their ancestor's card
-- until one of them gets its own.
CREATE TABLE agent_card (
  agent_id INTEGER PRIMARY KEY REFERENCES agent (id),
  -- The spec the card came in; its data is kept in V3's shape, every unknown key included.
  spec TEXT NOT NULL CHECK (spec IN ('chara_card_v1', 'chara_card_v2', 'chara_card_v3')),
  data TEXT NOT NULL CHECK (json_valid(data) AND json_type(data, '$.name') = 'text'),
  -- The file it was read from (its name only), and the PNG when it came as one (its portrait).
  source TEXT NOT NULL,
  portrait BLOB,
  added_at INTEGER NOT NULL
) STRICT;
