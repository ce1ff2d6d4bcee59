-- ChronoFlow PostgreSQL job store, schema version 4: fewer index entries written per run.
-- Run like version 1: as it ships, with "chronoflow" replaced by the configured schema, in one transaction under the
-- schema's advisory lock, which also records version 4 in schema_version. Nothing in the data changes.

-- Every run rewrites its job's row (its state). With half of each page left free, the new version of the row fits on
-- the row's own page, so PostgreSQL updates it in place of an index change (a heap-only tuple) as no indexed column
-- changes. Pages written from now on keep the room; a VACUUM FULL of jobs gives it to the old ones too.
ALTER TABLE "chronoflow".jobs SET (fillfactor = 50);

-- Retention by age is the only reader of runs by scheduled. Rows are written in about the order of their scheduled
-- time, so a BRIN index (one summary per range of pages) finds the old ones as well, and costs almost nothing per row
-- written, where the b-tree took an entry for every version of every row.
DROP INDEX "chronoflow".runs_scheduled;
CREATE INDEX runs_scheduled ON "chronoflow".runs USING brin (scheduled);
