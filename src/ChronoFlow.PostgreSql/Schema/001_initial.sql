-- ChronoFlow PostgreSQL job store, schema version 1.
-- The store runs this file as it ships (it is embedded in the assembly), with "chronoflow" below replaced by the
-- configured schema name (PostgreSqlJobStoreOptions.Schema, quoted), inside one transaction that first takes
-- pg_advisory_xact_lock for that schema and also records version 1 in schema_version, so nodes that start together
-- create it once and never see half of it.
--
-- Times the scheduler reports (scheduled, started, ended, next_occurrence, last_run, ...) are bigint UTC ticks:
-- 100-nanosecond intervals since 0001-01-01T00:00:00Z (DateTimeOffset.UtcTicks), which keeps a .NET DateTimeOffset
-- exactly; they come from each node's clock. Durations are bigint ticks too. The one exception is lease_until, a
-- timestamptz set from the database's clock (now() + the lease), so that leases do not depend on any node's clock.
-- Enums are their integer values: outcome is ChronoFlow.JobOutcome (0 Succeeded, 1 Failed, 2 TimedOut, 3 Cancelled,
-- 4 Abandoned), skipped is ChronoFlow.SkipReason (0 None, 1 Busy, 2 Misfired, 3 QueueFull, 4 LockHeld, 5 Shutdown,
-- 6 Coalesced, 7 StoreUnavailable).

-- One row per migration applied, so a node can tell a schema it knows from one written by a newer version.
CREATE TABLE "chronoflow".schema_version (
    version integer     NOT NULL PRIMARY KEY,
    applied timestamptz NOT NULL DEFAULT now()
);

-- The durable state of each job (ChronoFlow.JobState), written whole by the scheduler; the last writer wins.
CREATE TABLE "chronoflow".jobs (
    job_id          text    NOT NULL PRIMARY KEY,
    schedule        text    NOT NULL,
    next_occurrence bigint,
    paused          boolean NOT NULL DEFAULT false,
    run_count       bigint  NOT NULL DEFAULT 0,
    success_count   bigint  NOT NULL DEFAULT 0,
    failure_count   bigint  NOT NULL DEFAULT 0,
    timeout_count   bigint  NOT NULL DEFAULT 0,
    retry_count     bigint  NOT NULL DEFAULT 0,
    skip_count      bigint  NOT NULL DEFAULT 0,
    misfire_count   bigint  NOT NULL DEFAULT 0,
    rejected_count  bigint  NOT NULL DEFAULT 0,
    coalesced_count bigint  NOT NULL DEFAULT 0,
    abandoned_count bigint  NOT NULL DEFAULT 0,
    last_run        bigint,
    last_scheduled  bigint,
    last_duration   bigint, -- ticks
    last_outcome    integer,
    last_error      text
);

-- Run history (ChronoFlow.RunRecord): claimed runs, running or ended, and occurrences that did not start.
-- An identity is never handed out twice, even after retention deleted the newest rows, so a stale node can never
-- finish someone else's run by its id, and ids order a job's rows by when they were written.
CREATE TABLE "chronoflow".runs (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      text    NOT NULL,
    scheduled   bigint  NOT NULL,
    manual      boolean NOT NULL DEFAULT false,
    node        text    NOT NULL DEFAULT '',
    -- The process (StoreBatch.Owner) that claimed the run; only it may renew or finish the run.
    owner       text,
    started     bigint,
    ended       bigint,
    -- Set exactly while the run is running: when its lease ends unless renewed, by the database's clock. NULL once
    -- the run ended or was abandoned.
    lease_until timestamptz,
    outcome     integer,
    skipped     integer NOT NULL DEFAULT 0,
    count       bigint  NOT NULL DEFAULT 1 CHECK (count >= 0),
    attempt     integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    error       text,
    output      text,
    -- true while the row holds its scheduled occurrence (job_id, scheduled); NULL for triggered runs, for occurrences
    -- that did not start, and for the reruns of abandoned runs; an abandoned run keeps it (see 003_definitions.sql).
    unique_slot boolean CHECK (unique_slot),
    CHECK (lease_until IS NULL OR outcome IS NULL)
);

-- A scheduled occurrence is claimed at most once, by every node that shares the schema (INSERT ... ON CONFLICT).
CREATE UNIQUE INDEX runs_occurrence ON "chronoflow".runs (job_id, scheduled) WHERE unique_slot;

-- One job's history, newest first, a page at a time (keyset paging on id); also retention by count.
CREATE INDEX runs_job ON "chronoflow".runs (job_id, id DESC);

-- The sweep for expired leases reads only the running rows.
CREATE INDEX runs_lease ON "chronoflow".runs (lease_until) WHERE lease_until IS NOT NULL;

-- Retention by age.
CREATE INDEX runs_scheduled ON "chronoflow".runs (scheduled);
