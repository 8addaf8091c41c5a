-- 0015: family trees across machines. When an agent that came from a peer (or a descendant of
-- one) divides here, the child's signed bundle goes to that peer, so its family tree shows the
-- child and where it lives; kept here until that peer has been told.
CREATE TABLE swarm_lineage_out (
  agent_id INTEGER NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
  peer TEXT NOT NULL CHECK (length(peer) = 64),
  -- Where the child lives: this installation, or the peer it was placed on.
  home TEXT NOT NULL CHECK (length(home) = 64),
  sent_at INTEGER,
  PRIMARY KEY (agent_id, peer)
);
