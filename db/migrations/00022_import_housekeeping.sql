-- +goose Up
-- Import housekeeping (the periodic tidy_imports job, internal/imports/housekeeping.go) needs
-- two lists that cross workspaces:
--
--   1. Abandoned imports: queued, running or undoing, but their River job (run_import or
--      undo_import) is no longer live. A worker killed during the job's last attempt is
--      discarded by River's rescuer without our worker being called, so FailImport/FailUndo
--      never ran and the import would stay active forever.
--   2. Import files past their retention (GUESTLIST_IMPORT_FILE_RETENTION): the stored file of
--      an ended import holds people's rows; it goes once the run ended longer ago than that.
--
-- The app role is under forced RLS and sees one workspace per transaction, so it cannot find
-- them. import_housekeeping() is the reviewed door, like search_contacts(): SECURITY DEFINER,
-- it returns nothing but (workspace_id, import_id, action) and changes nothing. The job then
-- acts in each workspace through tenant.Tx, where FailImport, FailUndo and the file marking
-- check the import again under its own lock and snapshot.
--
-- The owner, who runs the function, is bound by FORCE like everyone (no BYPASSRLS), so it
-- needs a way past the tenant policy: the housekeeping policy below. It is SELECT only, for the
-- owner role only (the role running this migration; for the app role it does not exist,
-- whatever the app role sets), and only while app.housekeeping is 'on', which this function
-- sets, and unsets before it returns (an error rolls the setting back with the statement). So
-- the owner's other uses (data migrations, the other definer functions) still see no import
-- without a workspace. The setting is a gate like app.workspace_id itself, not a secret: any
-- session could set it, and then an owner-owned definer function that reads imports would
-- see every workspace. None but this one reads imports; a new one must not, or must clear the
-- setting first. RLS guards against code that forgets a filter; no code but this function
-- sets it. (A SET clause on the function would scope it better, but PostgreSQL 15 lets only a
-- superuser put a custom setting in one.) 00023 takes EXECUTE from PUBLIC and bounds the
-- arguments.
CREATE POLICY housekeeping ON imports FOR SELECT TO CURRENT_USER
    USING (current_setting('app.housekeeping', true) = 'on');

-- The sweep runs every few minutes over every workspace: each list has a partial index so that
-- it reads only its candidates, never the whole table. Neither index names a column a
-- checkpoint (AdvanceImport) changes, so those updates stay heap-only.
-- Active imports: a handful at any time.
CREATE INDEX imports_active ON imports (status) WHERE status IN ('queued', 'running', 'undoing');
-- Ended imports whose file is still stored (about the retention's worth of imports), in the
-- order they expire (measured: 7 ms to list 1,000 of 5,000 expired among 200,000 imports).
CREATE INDEX imports_file_kept ON imports (finished_at)
    WHERE file_erased_at IS NULL AND status IN ('finished', 'cancelled', 'failed', 'undone');

-- import_housekeeping lists, across workspaces:
--   'fail_run'   a queued or running import with no live run_import job;
--   'fail_undo'  an undoing import with no live undo_import job;
--   'purge_file' an ended import (finished, cancelled, failed, undone) whose run ended (its
--                finished_at) longer ago than p_file_retention and whose file is still stored;
--                none when p_file_retention is NULL (files kept until an erase).
-- At most p_limit of each, oldest first; the job takes the rest on its next sweep.
--
-- A job is live unless completed, cancelled or discarded (or deleted by River's cleaner, which
-- removes finalized jobs after a while): available, scheduled (a snoozed time slice), running,
-- retryable and pending are live, and so is any state a later River adds. An import and its
-- job commit in one transaction (upload or start; undo), and the import's end commits before
-- its job completes (the worker returns after the chunk that ends it), so one snapshot never
-- shows an active import beside a finished job of a healthy run. River's tables are in the
-- river schema (internal/migrate.RiverSchema); the owner owns them. The job's args carry the
-- workspace and the import (jobs.RunImportArgs, jobs.UndoImportArgs): a job is found by its
-- import id through River's GIN index on args (measured beside 100,000 other jobs: 0.1 ms for
-- six active imports), and its workspace checked on the row.
--
-- EXECUTE: as for the other definer functions, PostgreSQL's default grant to PUBLIC; the
-- answer is ids only, and acting on them takes the tenant door. VOLATILE because it sets the
-- gate; the list is one statement (RETURN QUERY), so it is read on one snapshot.
-- +goose StatementBegin
CREATE FUNCTION import_housekeeping(p_file_retention interval, p_limit integer)
RETURNS TABLE (workspace_id uuid, import_id uuid, action text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM set_config('app.housekeeping', 'on', true);
    RETURN QUERY
    (SELECT i.workspace_id, i.id, CASE WHEN i.status = 'undoing' THEN 'fail_undo' ELSE 'fail_run' END
     FROM imports i
     WHERE i.status IN ('queued', 'running', 'undoing')
       AND NOT EXISTS (
           SELECT 1 FROM river.river_job j
           WHERE j.args @> jsonb_build_object('import_id', i.id)
             AND j.args ->> 'workspace_id' = i.workspace_id::text
             AND j.kind = CASE WHEN i.status = 'undoing' THEN 'undo_import' ELSE 'run_import' END
             AND j.state NOT IN ('completed', 'cancelled', 'discarded'))
     ORDER BY i.updated_at
     LIMIT p_limit)
    UNION ALL
    (SELECT i.workspace_id, i.id, 'purge_file'
     FROM imports i
     WHERE p_file_retention IS NOT NULL
       AND i.file_erased_at IS NULL
       AND i.status IN ('finished', 'cancelled', 'failed', 'undone')
       AND i.finished_at < now() - p_file_retention
     ORDER BY i.finished_at
     LIMIT p_limit);
    PERFORM set_config('app.housekeeping', '', true);
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION import_housekeeping;
DROP INDEX imports_file_kept;
DROP INDEX imports_active;
DROP POLICY housekeeping ON imports;
