-- +goose Up
-- File retention (00022) covered imports whose run ended. An upload never started kept its
-- file, and the people's rows in it, for ever. Now an import still waiting for its mapping
-- longer than GUESTLIST_IMPORT_FILE_RETENTION after its upload is cancelled and loses its file
-- the same way (queries/import_housekeeping.sql ExpireImportFiles): import_housekeeping() lists
-- it as 'purge_file' too. Uploads waiting are few at any time: a partial index finds them.
CREATE INDEX imports_uploaded ON imports (created_at) WHERE status = 'uploaded';

-- The function answers ids across workspaces: only the app role (migrate.grant gives it
-- EXECUTE) may call it, not every role, and its arguments are bounded as the job's are (a
-- retention of at least an hour, at most 10,000 of each kind), so a caller cannot list every
-- import there is at once.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION import_housekeeping(p_file_retention interval, p_limit integer)
RETURNS TABLE (workspace_id uuid, import_id uuid, action text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_file_retention < interval '1 hour' THEN
        RAISE EXCEPTION 'import_housekeeping: a retention under an hour (%)', p_file_retention;
    END IF;
    IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 THEN
        RAISE EXCEPTION 'import_housekeeping: a limit outside 1..10000 (%)', p_limit;
    END IF;
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
     LIMIT p_limit)
    UNION ALL
    (SELECT i.workspace_id, i.id, 'purge_file'
     FROM imports i
     WHERE p_file_retention IS NOT NULL
       AND i.status = 'uploaded'
       AND i.created_at < now() - p_file_retention
     ORDER BY i.created_at
     LIMIT p_limit);
    PERFORM set_config('app.housekeeping', '', true);
END $$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION import_housekeeping(interval, integer) FROM PUBLIC;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION import_housekeeping(p_file_retention interval, p_limit integer)
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
GRANT EXECUTE ON FUNCTION import_housekeeping(interval, integer) TO PUBLIC;
DROP INDEX imports_uploaded;
