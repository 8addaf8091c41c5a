-- 0004: the model registry. Models are GGUF files the user added (validated first).
CREATE TABLE model (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  architecture TEXT NOT NULL,
  parameter_count INTEGER NOT NULL,
  -- Tensor type name → count, e.g. {"TQ2_0": 210, "Q8_0": 1, "F32": 61}.
  types TEXT NOT NULL CHECK (json_valid(types)),
  context_length INTEGER NOT NULL,
  chat_template TEXT,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  size INTEGER NOT NULL,
  warnings TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings)),
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  added_at INTEGER NOT NULL
) STRICT;

-- At most one default model.
CREATE UNIQUE INDEX model_default ON model (is_default) WHERE is_default = 1;
