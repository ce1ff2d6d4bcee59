-- ChronoFlow SQLite job store, schema version 1.
-- The store runs this file as it ships (it is embedded in the assembly), inside the BEGIN IMMEDIATE transaction that
-- also records version 1 in schema_version, so two processes that open a new file together create it once.
--
-- Times are INTEGER UTC ticks: 100-nanosecond intervals since 0001-01-01T00:00:00Z (DateTimeOffset.UtcTicks), which
-- keeps a .NET DateTimeOffset exactly. Durations are INTEGER ticks too. Enums are their INTEGER values:
-- outcome is ChronoFlow.JobOutcome (0 Succeeded, 1 Failed, 2 TimedOut, 3 Cancelled, 4 Abandoned),
-- skipped is ChronoFlow.SkipReason (0 None, 1 Busy, 2 Misfired, 3 QueueFull, 4 LockHeld, 5 Shutdown, 6 Coalesced).

-- One row per migration applied, so a process can tell a file it knows from one written by a newer version.
CREATE TABLE schema_version (
    version INTEGER NOT NULL PRIMARY KEY,
    applied INTEGER NOT NULL -- UTC ticks
);

-- The durable state of each job (ChronoFlow.JobState), written whole by the scheduler.
CREATE TABLE jobs (
    job_id           TEXT    NOT NULL PRIMARY KEY,
    schedule         TEXT    NOT NULL,
    next_occurrence  INTEGER,
    paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    run_count        INTEGER NOT NULL DEFAULT 0,
    success_count    INTEGER NOT NULL DEFAULT 0,
    failure_count    INTEGER NOT NULL DEFAULT 0,
    timeout_count    INTEGER NOT NULL DEFAULT 0,
    retry_count      INTEGER NOT NULL DEFAULT 0,
    skip_count       INTEGER NOT NULL DEFAULT 0,
    misfire_count    INTEGER NOT NULL DEFAULT 0,
    rejected_count   INTEGER NOT NULL DEFAULT 0,
    coalesced_count  INTEGER NOT NULL DEFAULT 0,
    abandoned_count  INTEGER NOT NULL DEFAULT 0,
    last_run         INTEGER,
    last_scheduled   INTEGER,
    last_duration    INTEGER, -- ticks
    last_outcome     INTEGER,
    last_error       TEXT
);

-- Run history (ChronoFlow.RunRecord): claimed runs, running or ended, and occurrences that did not start.
-- AUTOINCREMENT: an id is never handed out twice, even after retention deleted the newest rows, so a stale process
-- can never finish someone else's run by its id, and ids order the rows by when they were written.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      TEXT    NOT NULL,
    scheduled   INTEGER NOT NULL,
    manual      INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
    node        TEXT    NOT NULL DEFAULT '',
    -- The process (StoreBatch.Owner) that claimed the run; only it may renew or finish the run.
    owner       TEXT,
    started     INTEGER,
    ended       INTEGER,
    -- Set exactly while the run is running: when its lease ends unless renewed. NULL once it ended or was abandoned.
    lease_until INTEGER,
    outcome     INTEGER,
    skipped     INTEGER NOT NULL DEFAULT 0,
    count       INTEGER NOT NULL DEFAULT 1 CHECK (count >= 0),
    attempt     INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    error       TEXT,
    output      TEXT,
    -- 1 while the row holds its scheduled occurrence (job_id, scheduled); NULL for triggered runs, for occurrences
    -- that did not start, and for the reruns of abandoned runs; an abandoned run keeps it (see 003_definitions.sql).
    unique_slot INTEGER CHECK (unique_slot IS NULL OR unique_slot = 1),
    CHECK (lease_until IS NULL OR outcome IS NULL)
);

-- A scheduled occurrence is claimed at most once, by every process that shares the file.
CREATE UNIQUE INDEX runs_occurrence ON runs (job_id, scheduled) WHERE unique_slot = 1;

-- One job's history, newest first, a page at a time (keyset paging on id); also retention by count.
CREATE INDEX runs_job ON runs (job_id, id);

-- The sweep for expired leases reads only the running rows.
CREATE INDEX runs_lease ON runs (lease_until) WHERE lease_until IS NOT NULL;

-- Retention by age.
CREATE INDEX runs_scheduled ON runs (scheduled);
