-- +goose Up
-- The planner's statistics on contacts after a big write (an import's chunk), without waiting
-- for autovacuum.
--
-- Until contacts is analyzed, PostgreSQL has no statistics on its columns and takes
-- `workspace_id = $1 AND agent_id = $2` for a couple of rows. On a new deployment's first import
-- (or any agent that grew far past the last analyze) the id lookups of the import's next chunks
-- and of the new contacts' automations then walk the agent's contacts instead of probing by id:
-- measured on a fresh database, a 150,000-row import stood still at 20,000 rows for 60 to 110 s
-- (SetAutomatedOwners 5-6 s a batch, MatchImportRows 9 s, SkipUnchangedRows and the undo
-- snapshot 27-35 s), until autovacuum (a minute's nap) analyzed the table. The app role may not
-- ANALYZE a table it does not own, hence a definer function; it analyzes only when the table is
-- stale (the changes since the last analyze, plus the rows the caller has just written and may
-- not have reported yet, over 1,000 and a fifth of the table: autovacuum's own rule is a tenth,
-- so this acts only when autovacuum has not caught up), and gives up rather than queue behind a
-- VACUUM holding the table (lock_timeout 1 s). It reads and returns nothing about any workspace.
-- +goose StatementBegin
CREATE FUNCTION refresh_contact_statistics(p_just_written bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    stale boolean;
BEGIN
    SELECT s.n_mod_since_analyze + greatest(coalesce(p_just_written, 0), 0) > 1000 + 0.2 * greatest(c.reltuples, 0)
    INTO stale
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.relid = 'public.contacts'::regclass;
    IF NOT coalesce(stale, false) THEN
        RETURN false;
    END IF;
    PERFORM set_config('lock_timeout', '1s', true);
    ANALYZE public.contacts;
    RETURN true;
EXCEPTION WHEN lock_not_available THEN
    RETURN false;
END $$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION refresh_contact_statistics(bigint) TO PUBLIC;

-- +goose Down
DROP FUNCTION refresh_contact_statistics(bigint);
