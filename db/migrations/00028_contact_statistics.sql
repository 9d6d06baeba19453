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
-- ANALYZE a table it does not own, hence a definer function. It analyzes only when the table is
-- stale: the changes since the last analyze, plus the rows the caller has just written and may
-- not have reported yet (capped, so a caller cannot make every call stale), over 1,000 and a
-- fifth of the table (autovacuum's own rule is a tenth, so this acts only when autovacuum has not
-- caught up; the cap keeps a table of over half a million rows from being made stale by a
-- caller's word alone). SKIP_LOCKED: it never waits behind a VACUUM or another ANALYZE, and
-- changes no setting of the caller's transaction. It reads and returns nothing about any workspace. pg_catalog comes
-- first in its search_path and every name outside it is qualified, so no object created in
-- public can stand in for an operator it uses. Executed by the app role only (migrate grants
-- it, as for import_housekeeping).
-- +goose StatementBegin
CREATE FUNCTION refresh_contact_statistics(p_just_written bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    stale boolean;
BEGIN
    SELECT (s.n_mod_since_analyze + least(greatest(coalesce(p_just_written, 0), 0), 100000))::float8
               > 1000::float8 + 0.2::float8 * greatest(c.reltuples, 0)::float8
    INTO stale
    FROM pg_catalog.pg_stat_user_tables s JOIN pg_catalog.pg_class c ON c.oid = s.relid
    WHERE s.relid = 'public.contacts'::regclass;
    IF NOT coalesce(stale, false) THEN
        RETURN false;
    END IF;
    ANALYZE (SKIP_LOCKED) public.contacts;
    RETURN true;
END $$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION refresh_contact_statistics(bigint) FROM PUBLIC;

-- +goose Down
DROP FUNCTION refresh_contact_statistics(bigint);
