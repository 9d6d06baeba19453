-- +goose Up
-- Contact search that stays fast for the app role under row-level security.
--
-- Why a separate table: search matches fragments (LIKE '%ada@%'), and LIKE is not leakproof, so
-- PostgreSQL will not use an index for it ahead of an RLS policy: for the app role a trigram
-- index on contacts is never used (measured in the design brief: 11 ms as superuser, 1.1 s as
-- the app role on 1M contacts). contact_search is a copy of what search and the list filters
-- need, kept by the triggers below. It has RLS enabled but NOT forced, so its owner passes, and
-- the app role has no privilege on it at all (internal/migrate revokes them): the only way in is
-- search_contacts(), a reviewed SECURITY DEFINER function that takes the workspace from the
-- transaction's setting, never from a parameter. internal/tenant's catalog test checks both
-- facts (not forced only here, and no app privileges).
CREATE TABLE contact_search (
    workspace_id       uuid NOT NULL,
    agent_id           uuid NOT NULL,
    contact_id         uuid NOT NULL,
    status             text NOT NULL,
    stage_id           uuid,
    primary_owner_id   uuid,
    secondary_owner_id uuid,
    source             text NOT NULL,
    search_text        text NOT NULL,
    -- No foreign key: the triggers below copy exactly the rows written to contacts, and delete
    -- with them. A key would re-check every copied row (one lookup each, planned on stale
    -- statistics during a bulk load), for nothing.
    PRIMARY KEY (workspace_id, contact_id)
);
-- The newest contacts of an agent first: frequent fragments fill a page from here.
CREATE INDEX contact_search_recent ON contact_search (workspace_id, agent_id, status, contact_id DESC);
-- Rare fragments: trigrams. Not with workspace_id and agent_id in the index (btree_gin): every
-- search would then walk the workspace's whole posting list (a million entries for a big
-- agent); matches of other workspaces are few and filtered after.
CREATE INDEX contact_search_text ON contact_search USING gin (search_text gin_trgm_ops);

ALTER TABLE contact_search ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contact_search
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- Existing contacts: FORCE binds the owner too, so lift it on contacts for this transaction.
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
INSERT INTO contact_search
SELECT workspace_id, agent_id, id, status, stage_id, primary_owner_id, secondary_owner_id, source, search_text FROM contacts;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;

-- The plain list (no search): newest first within an agent and status.
DROP INDEX contacts_agent;
CREATE INDEX contacts_agent ON contacts (workspace_id, agent_id, status, id DESC);

-- +goose StatementBegin
CREATE FUNCTION contact_search_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO contact_search
    SELECT n.workspace_id, n.agent_id, n.id, n.status, n.stage_id, n.primary_owner_id, n.secondary_owner_id, n.source, n.search_text
    FROM new_rows n;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION contact_search_updated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE contact_search s
    SET agent_id = n.agent_id, status = n.status, stage_id = n.stage_id, primary_owner_id = n.primary_owner_id,
        secondary_owner_id = n.secondary_owner_id, source = n.source, search_text = n.search_text
    FROM new_rows n
    WHERE s.workspace_id = n.workspace_id AND s.contact_id = n.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION contact_search_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM contact_search s USING old_rows o
    WHERE s.workspace_id = o.workspace_id AND s.contact_id = o.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Statement-level triggers with transition tables: a bulk insert (an import) updates the copy
-- with one statement, not one per row. They fire for deletes that cascade from an agent or a
-- workspace too.
CREATE TRIGGER contact_search_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_search_inserted();
CREATE TRIGGER contact_search_update AFTER UPDATE ON contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_search_updated();
CREATE TRIGGER contact_search_delete AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_search_deleted();

-- search_contacts returns the ids of the current workspace's contacts of an agent whose search
-- text matches the LIKE pattern (the caller escapes it), newest first, below p_before, at most
-- p_limit, with the list's other filters (NULL: any).
-- +goose StatementBegin
CREATE FUNCTION search_contacts(p_agent uuid, p_pattern text, p_status text, p_stage uuid, p_owner uuid,
                                p_source text, p_before uuid, p_limit integer)
RETURNS TABLE (contact_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
-- Custom plans: the optional filters fold away for each call's actual arguments.
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    ws     uuid := NULLIF(current_setting('app.workspace_id', true), '')::uuid;
    found  integer;
    window_size constant integer := 5000;
    floor_id uuid;
    reach    integer;
    more     integer;
BEGIN
    IF ws IS NULL OR p_limit < 1 THEN
        RETURN;
    END IF;
    -- Phase 1: the newest window_size contacts (by the ordered index). A frequent fragment fills
    -- the page here without touching the trigram index.
    RETURN QUERY
    SELECT w.contact_id FROM (
        SELECT s.contact_id, s.search_text FROM contact_search s
        WHERE s.workspace_id = ws AND s.agent_id = p_agent AND s.status = p_status
          AND (p_before IS NULL OR s.contact_id < p_before)
          AND (p_stage IS NULL OR s.stage_id = p_stage)
          AND (p_owner IS NULL OR s.primary_owner_id = p_owner OR s.secondary_owner_id = p_owner)
          AND (p_source IS NULL OR s.source = p_source)
        ORDER BY s.contact_id DESC LIMIT window_size) w
    WHERE w.search_text LIKE p_pattern
    ORDER BY w.contact_id DESC LIMIT p_limit;
    GET DIAGNOSTICS found = ROW_COUNT;
    IF found >= p_limit THEN
        RETURN;
    END IF;
    -- The window's last row; none means the window held every candidate.
    SELECT s.contact_id INTO floor_id FROM contact_search s
    WHERE s.workspace_id = ws AND s.agent_id = p_agent AND s.status = p_status
      AND (p_before IS NULL OR s.contact_id < p_before)
      AND (p_stage IS NULL OR s.stage_id = p_stage)
      AND (p_owner IS NULL OR s.primary_owner_id = p_owner OR s.secondary_owner_id = p_owner)
      AND (p_source IS NULL OR s.source = p_source)
    ORDER BY s.contact_id DESC OFFSET window_size - 1 LIMIT 1;
    IF floor_id IS NULL THEN
        RETURN;
    END IF;
    IF found >= 5 THEN
        -- Phase 2a: the fragment is common enough that reading on in order fills the page
        -- sooner than the trigram index would visit its (many) matches. The window seen
        -- predicts how far: (rows still wanted) / (density), with room to spare.
        reach := least(250000, ceil((p_limit - found) * window_size * 2.0 / found)::integer);
        RETURN QUERY
        SELECT w.contact_id FROM (
            SELECT s.contact_id, s.search_text FROM contact_search s
            WHERE s.workspace_id = ws AND s.agent_id = p_agent AND s.status = p_status
              AND s.contact_id < floor_id
              AND (p_stage IS NULL OR s.stage_id = p_stage)
              AND (p_owner IS NULL OR s.primary_owner_id = p_owner OR s.secondary_owner_id = p_owner)
              AND (p_source IS NULL OR s.source = p_source)
            ORDER BY s.contact_id DESC
            LIMIT reach) w
        WHERE w.search_text LIKE p_pattern
        ORDER BY w.contact_id DESC LIMIT p_limit - found;
        GET DIAGNOSTICS more = ROW_COUNT;
        found := found + more;
        IF found >= p_limit THEN
            RETURN;
        END IF;
        -- Rarely the prediction falls short: the index takes over below what was read, so the
        -- page is complete (a short page would end the caller's pagination early).
        SELECT s.contact_id INTO floor_id FROM contact_search s
        WHERE s.workspace_id = ws AND s.agent_id = p_agent AND s.status = p_status
          AND s.contact_id < floor_id
          AND (p_stage IS NULL OR s.stage_id = p_stage)
          AND (p_owner IS NULL OR s.primary_owner_id = p_owner OR s.secondary_owner_id = p_owner)
          AND (p_source IS NULL OR s.source = p_source)
        ORDER BY s.contact_id DESC OFFSET reach - 1 LIMIT 1;
        IF floor_id IS NULL THEN
            RETURN;
        END IF;
    END IF;
    -- Phase 2b: a rare fragment: below the window, through the trigram index. The OFFSET 0
    -- fence keeps the planner from trading the index for an ordered scan that would filter
    -- millions of rows.
    RETURN QUERY EXECUTE
        'SELECT m.contact_id FROM (
             SELECT s.contact_id FROM contact_search s
             WHERE s.workspace_id = $1 AND s.agent_id = $2 AND s.search_text LIKE $3 AND s.status = $4
               AND s.contact_id < $5
               AND ($6::uuid IS NULL OR s.stage_id = $6)
               AND ($7::uuid IS NULL OR s.primary_owner_id = $7 OR s.secondary_owner_id = $7)
               AND ($8::text IS NULL OR s.source = $8)
             OFFSET 0) m
         ORDER BY m.contact_id DESC LIMIT $9'
        USING ws, p_agent, p_pattern, p_status, floor_id, p_stage, p_owner, p_source, p_limit - found;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX contacts_agent;
CREATE INDEX contacts_agent ON contacts (workspace_id, agent_id, id);
DROP FUNCTION search_contacts;
DROP TRIGGER contact_search_delete ON contacts;
DROP TRIGGER contact_search_update ON contacts;
DROP TRIGGER contact_search_insert ON contacts;
DROP FUNCTION contact_search_deleted;
DROP FUNCTION contact_search_updated;
DROP FUNCTION contact_search_inserted;
DROP TABLE contact_search;
