-- 0011: who vouched for an imported agent. A bundle is signed by the Ed25519 key of the
-- installation that exported it; the agents it brings keep that key (64 hex digits). NULL for
-- agents born or divided here, and for agents from unsigned (version 1) bundles.
ALTER TABLE agent ADD COLUMN signer TEXT CHECK (signer IS NULL OR (length(signer) = 64 AND signer NOT GLOB '*[^0-9a-f]*'));
