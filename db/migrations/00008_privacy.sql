-- +goose Up
-- redact_audit_subject removes the recorded values (before, after) from the current workspace's
-- audit entries about one subject, for a privacy erase. The audit log is append-only for the app
-- role; this reviewed SECURITY DEFINER function is the one way to change it. It runs as the
-- owner, whom FORCE binds to the policies too, so it reaches only the workspace of the
-- transaction's setting; it never takes the workspace from a parameter.
-- +goose StatementBegin
CREATE FUNCTION redact_audit_subject(p_subject text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ws uuid := NULLIF(current_setting('app.workspace_id', true), '')::uuid;
    n  integer;
BEGIN
    IF ws IS NULL OR p_subject = '' THEN
        RETURN 0;
    END IF;
    UPDATE audit_log SET before = NULL, after = NULL
    WHERE workspace_id = ws AND subject_id = p_subject AND (before IS NOT NULL OR after IS NOT NULL);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION redact_audit_subject;
