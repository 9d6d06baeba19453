-- +goose Up
-- Cheaper writes to contact_search, the search copy of contacts (00006), which every contact
-- update rewrote in full.
--
-- 1. The update trigger leaves a copy alone when none of its columns changed (a note, a custom
--    value, a version bump): before, each such update wrote a new version of the copy and, when
--    that version could not stay on its page, some thirty trigram entries with it.
-- 2. Room on every page (fillfactor 70): the columns an owner, stage or source change touches
--    are in none of contact_search's indexes, so with room on the page those updates are
--    heap-only (HOT) and the trigram index is not touched at all. The copy is narrow, so the
--    space costs little. Pages written before this migration fill up as they are; new ones keep
--    the room.

ALTER TABLE contact_search SET (fillfactor = 70);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_search_updated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE contact_search s
    SET agent_id = n.agent_id, status = n.status, stage_id = n.stage_id, primary_owner_id = n.primary_owner_id,
        secondary_owner_id = n.secondary_owner_id, source = n.source, search_text = n.search_text
    FROM new_rows n
    WHERE s.workspace_id = n.workspace_id AND s.contact_id = n.id
      AND (s.agent_id, s.status, s.stage_id, s.primary_owner_id, s.secondary_owner_id, s.source, s.search_text)
          IS DISTINCT FROM (n.agent_id, n.status, n.stage_id, n.primary_owner_id, n.secondary_owner_id, n.source, n.search_text);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_search_updated() RETURNS trigger
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
ALTER TABLE contact_search RESET (fillfactor);
