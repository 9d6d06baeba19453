-- name: ImportHousekeeping :many
-- What import housekeeping (the tidy_imports job) must act on, across workspaces: through the
-- reviewed definer function (db/migrations/00022_import_housekeeping.sql), which answers ids
-- only. Called with no workspace set (tenant.PlatformTx); every action then goes through that
-- workspace's tenant.Tx. file_retention NULL: files are kept (no purge_file rows).
SELECT h.workspace_id::uuid AS workspace_id, h.import_id::uuid AS import_id, h.action::text AS action
FROM import_housekeeping(sqlc.narg(file_retention)::interval, @max_rows::int) h;

-- name: ExpireImportFiles :many
-- The imports among ids whose file is past the retention and still stored: ended imports whose
-- run ended longer ago than the retention, and uploads never started that long after their
-- upload (cancelled now: without its file an import cannot start). Marked as an erase marks
-- them (file_erased_at; their error report answers 409), and their files purged by a
-- purge_import_files job inserted in the same transaction. Checked again here, in the
-- workspace: the definer function's list is a snapshot, and an import may have moved since (an
-- undo under way keeps its file until it ends; an upload may have started).
UPDATE imports
SET file_erased_at = now(), updated_at = now(),
    status = CASE WHEN status = 'uploaded' THEN 'cancelled' ELSE status END,
    finished_at = COALESCE(finished_at, now()),
    error = CASE WHEN status = 'uploaded'
        THEN @never_started::text ELSE error END
WHERE workspace_id = @workspace_id AND id = ANY(@ids::uuid[]) AND file_erased_at IS NULL
  AND ((status IN ('finished', 'cancelled', 'failed', 'undone') AND finished_at < now() - @retention::interval)
    OR (status = 'uploaded' AND created_at < now() - @retention::interval))
RETURNING id;
