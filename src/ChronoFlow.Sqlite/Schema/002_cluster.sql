-- ChronoFlow SQLite job store, schema version 2: what processes sharing one file tell each other.
-- Run like version 1: as it ships, inside the BEGIN IMMEDIATE transaction that records version 2 in schema_version.

-- A pause or a resume (ChronoFlow.JobControl) sets jobs.paused and gives the row the next control_version; every
-- process reads the rows with a control_version greater than the last it saw, and applies them. A job state written
-- by the scheduler never changes paused once the row exists, so one process's counts cannot undo another's pause.
ALTER TABLE jobs ADD COLUMN control_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_control ON jobs (control_version);

-- The node registry: one row per process (ChronoFlow.NodeInfo), written at each of its heartbeats, deleted a day
-- after its last. Times are UTC ticks by the process's clock; interval is ticks.
CREATE TABLE nodes (
    owner     TEXT    NOT NULL PRIMARY KEY, -- the process's identity in the store (ChronoFlow.StoreBatch.Owner)
    node      TEXT    NOT NULL,
    host      TEXT    NOT NULL,
    pid       INTEGER NOT NULL,
    version   TEXT    NOT NULL,
    started   INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    interval  INTEGER NOT NULL,
    jobs      INTEGER NOT NULL,
    running   INTEGER NOT NULL,
    stopped   INTEGER NOT NULL DEFAULT 0 CHECK (stopped IN (0, 1))
);
