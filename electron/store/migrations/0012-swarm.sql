-- 0012: the swarm. One circle at a time (its secret topic and who invited us), the peers met in
-- it, and each division placed across it. A transfer's key is the child's uid: one division, one
-- key, so a retried or replayed offer is known for what it is.
CREATE TABLE swarm_circle (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  topic BLOB NOT NULL CHECK (length(topic) = 32),
  -- The installation that made the circle (this one's own key when it was made here).
  inviter TEXT NOT NULL CHECK (length(inviter) = 64),
  joined_at INTEGER NOT NULL,
  -- Agents this installation would host for its peers.
  capacity INTEGER NOT NULL DEFAULT 10 CHECK (capacity BETWEEN 0 AND 1000000),
  -- Whether a child of a division may be placed on a peer with room.
  place_children INTEGER NOT NULL DEFAULT 1 CHECK (place_children IN (0, 1))
);

CREATE TABLE swarm_peer (
  public_key TEXT PRIMARY KEY CHECK (length(public_key) = 64 AND public_key NOT GLOB '*[^0-9a-f]*'),
  name TEXT NOT NULL,
  capacity INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  -- Set when the user removed the peer: its key is refused at the handshake from then on.
  removed_at INTEGER
);

CREATE TABLE swarm_transfer (
  key TEXT PRIMARY KEY CHECK (length(key) = 64),
  direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
  peer TEXT NOT NULL CHECK (length(peer) = 64),
  -- out: the child here (archived once the peer holds it); in: the agent once born here.
  agent_id INTEGER REFERENCES agent (id) ON DELETE SET NULL,
  -- in: the signed bundle, kept from the offer until the sender commits or aborts.
  bundle TEXT,
  -- offered → ready → committed → born, or aborted (the child stays, or is born, at its sender).
  state TEXT NOT NULL CHECK (state IN ('offered', 'ready', 'committed', 'born', 'aborted')),
  reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX swarm_transfer_peer ON swarm_transfer (peer, state);
CREATE INDEX swarm_transfer_agent ON swarm_transfer (agent_id);

-- Agents whose home is another installation of the circle: a child placed on a peer, and the
-- ancestors that came with a child from a peer (copies of that peer's record). Neither lives
-- here (both are archived here); the family tree says where they live.
CREATE TABLE agent_home (
  agent_id INTEGER PRIMARY KEY REFERENCES agent (id) ON DELETE CASCADE,
  peer TEXT NOT NULL CHECK (length(peer) = 64)
);
