-- +goose Up
-- An import whose job was cancelled through River (an operator's JobCancel, outside the app)
-- was reported as if its worker had been lost. import_housekeeping() now tells the two apart:
-- 'cancel_run' / 'cancel_undo' when the job is there and cancelled, 'fail_run' / 'fail_undo'
-- as before otherwise. The signature, the bounds and the privileges are unchanged (CREATE OR
-- REPLACE keeps the grants of 00023).

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
    (SELECT i.workspace_id, i.id,
            -- cancel_*: the job was cancelled through River (an operator); fail_*: it is gone or
            -- ended without the worker's last word (the worker was lost).
            CASE WHEN EXISTS (
                     SELECT 1 FROM river.river_job j
                     WHERE j.args @> jsonb_build_object('import_id', i.id)
                       AND j.args ->> 'workspace_id' = i.workspace_id::text
                       AND j.kind = CASE WHEN i.status = 'undoing' THEN 'undo_import' ELSE 'run_import' END
                       AND j.state = 'cancelled')
                 THEN 'cancel_' ELSE 'fail_' END
            || CASE WHEN i.status = 'undoing' THEN 'undo' ELSE 'run' END
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

-- +goose Down
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
