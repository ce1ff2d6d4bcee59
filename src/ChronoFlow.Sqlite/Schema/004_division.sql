-- ChronoFlow SQLite job store, schema version 4: what a process vouches for when the processes divide the jobs.
-- Run like version 1: as it ships, inside the BEGIN IMMEDIATE transaction that records version 4 in schema_version.

-- Processes with the same recurring jobs (job_set, a hash of their ids) divide them between those of them that run
-- (peers, a hash of their identities), and each claims its share on time. A process's heartbeat vouches that every
-- occurrence of its share due from claimed_from through claimed_through (UTC ticks) is claimed; the others then forget
-- those occurrences instead of claiming them late. NULL: it vouches for none.
ALTER TABLE nodes ADD COLUMN job_set INTEGER NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN peers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN claimed_from INTEGER;
ALTER TABLE nodes ADD COLUMN claimed_through INTEGER;
