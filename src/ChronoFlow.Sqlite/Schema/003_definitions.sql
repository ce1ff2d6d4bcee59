-- ChronoFlow SQLite job store, schema version 3: removals and jobs defined as data, shared by every process.
-- Run like version 1: as it ships, inside the BEGIN IMMEDIATE transaction that records version 3 in schema_version.

-- A removal (ChronoFlow.JobControlKind.Remove) sets removed and clears definition; a definition
-- (ChronoFlow.JobControlKind.Define) clears removed and sets definition: the text of the job (a job file's JSON), or
-- NULL for a job the application defines in code. Both take the next control_version, like a pause, so every process
-- applies them at its next sync. A job state written by the scheduler never changes either column.
ALTER TABLE jobs ADD COLUMN removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1));
ALTER TABLE jobs ADD COLUMN definition TEXT;

-- From this version on, an abandoned run keeps runs.unique_slot, so that its occurrence is never claimed again by a
-- process whose cursor lags behind it; the one process the sweep returned it to runs it again, when its job asks,
-- with a claim that takes no slot (ChronoFlow.RunClaim.Recovery). Nothing in the tables changes for that.
