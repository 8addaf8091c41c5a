-- 0006: what each registered model is beyond its architecture: 1-bit or not (with its bits per
-- weight and main weight type), its feed-forward activation, what LightSeed converted it from,
-- and the file's modification time, checked with its size before every load.
ALTER TABLE model ADD COLUMN one_bit INTEGER NOT NULL DEFAULT 1 CHECK (one_bit IN (0, 1));
ALTER TABLE model ADD COLUMN bits_per_weight REAL;
ALTER TABLE model ADD COLUMN weight_type TEXT;
ALTER TABLE model ADD COLUMN activation TEXT;
ALTER TABLE model ADD COLUMN expert_count INTEGER NOT NULL DEFAULT 0;
-- The file the user added when LightSeed wrote a runnable copy of it (bitnet.cpp's I2_S), and what was done.
ALTER TABLE model ADD COLUMN converted_from TEXT;
ALTER TABLE model ADD COLUMN conversion TEXT;
-- NULL for models registered before this migration: their next load hashes the file once.
ALTER TABLE model ADD COLUMN mtime_ms REAL;
