-- ChronoFlow PostgreSQL job store, schema version 5: what a node vouches for when the nodes divide the jobs.
-- Run like version 1: as it ships, with "chronoflow" replaced by the configured schema, in one transaction under the
-- schema's advisory lock, which also records version 5 in schema_version. Rows written before keep the defaults.

-- Nodes with the same recurring jobs (job_set, a hash of their ids) divide them between those of them that run
-- (peers, a hash of their identities), and each claims its share on time. A node's heartbeat vouches that every
-- occurrence of its share due from claimed_from through claimed_through (UTC ticks, the scheduler's clock) is
-- claimed; the others then forget those occurrences instead of claiming them late. NULL: it vouches for none.
ALTER TABLE "chronoflow".nodes
    ADD COLUMN job_set         bigint NOT NULL DEFAULT 0,
    ADD COLUMN peers           bigint NOT NULL DEFAULT 0,
    ADD COLUMN claimed_from    bigint,
    ADD COLUMN claimed_through bigint;
