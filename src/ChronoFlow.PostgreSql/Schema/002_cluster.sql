-- ChronoFlow PostgreSQL job store, schema version 2: what the nodes of a cluster tell each other.
-- Run like version 1: as it ships, with "chronoflow" replaced by the configured schema, in one transaction under the
-- schema's advisory lock, which also records version 2 in schema_version.

-- A pause or a resume (ChronoFlow.JobControl) sets jobs.paused and gives the row the next value of control_version;
-- every node reads the rows with a control_version greater than the last it saw, and applies them. A job state written
-- by the scheduler never changes paused once the row exists, so one node's counts cannot undo another's pause.
CREATE SEQUENCE "chronoflow".control_version;
ALTER TABLE "chronoflow".jobs ADD COLUMN control_version bigint NOT NULL DEFAULT 0;
CREATE INDEX jobs_control ON "chronoflow".jobs (control_version);

-- The node registry: one row per process (ChronoFlow.NodeInfo), written at each of its heartbeats, deleted a day after
-- its last. last_seen is the database's clock; started is the node's, in UTC ticks; interval is ticks.
CREATE TABLE "chronoflow".nodes (
    owner     text        NOT NULL PRIMARY KEY, -- the process's identity in the store (ChronoFlow.StoreBatch.Owner)
    node      text        NOT NULL,
    host      text        NOT NULL,
    pid       integer     NOT NULL,
    version   text        NOT NULL,
    started   bigint      NOT NULL,
    last_seen timestamptz NOT NULL,
    interval  bigint      NOT NULL,
    jobs      integer     NOT NULL,
    running   integer     NOT NULL,
    stopped   boolean     NOT NULL DEFAULT false
);
