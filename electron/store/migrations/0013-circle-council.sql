-- 0013: councils across a circle. The asker keeps each answer a peer's agent gives (beside the
-- local council's answers, under the same question); the agent's home keeps which peer asked
-- which of its agents, so that the asker's verdict (the pick) reaches that agent once.
CREATE TABLE circle_answer (
  id INTEGER PRIMARY KEY,
  -- The user message the council answers.
  question_id INTEGER NOT NULL REFERENCES message (id) ON DELETE CASCADE,
  ask_key TEXT NOT NULL UNIQUE CHECK (length(ask_key) = 32),
  peer TEXT NOT NULL CHECK (length(peer) = 64),
  agent_uid TEXT NOT NULL CHECK (length(agent_uid) = 64),
  agent_name TEXT NOT NULL,
  fitness REAL NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('asked', 'answered', 'failed')),
  content TEXT,
  reason TEXT,
  -- +1 for the pick, −1/(k−1) for each other member; set once.
  verdict REAL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((state = 'answered') = (content IS NOT NULL))
);
CREATE INDEX circle_answer_question ON circle_answer (question_id);

CREATE TABLE circle_asked (
  ask_key TEXT PRIMARY KEY CHECK (length(ask_key) = 32),
  peer TEXT NOT NULL CHECK (length(peer) = 64),
  agent_id INTEGER NOT NULL REFERENCES agent (id),
  -- The answer given here (in the conversation of that peer's questions); NULL until given.
  message_id INTEGER REFERENCES message (id),
  verdict REAL,
  created_at INTEGER NOT NULL
);
