-- 0008: how fast llama.cpp decoded a model at each thread count when it first loaded on this
-- machine, and on which machine and llama.cpp build: the engine's default thread count comes
-- from it instead of a rule of thumb. JSON {"machine", "build", "threads" (the count chosen), "speeds": [{"threads", "tokensPerSecond"}]}.
ALTER TABLE model ADD COLUMN thread_speeds TEXT CHECK (thread_speeds IS NULL OR json_valid(thread_speeds));
