-- +goose Up
-- Unique custom fields get a real unique index. contacts.custom is one jsonb column, so no index
-- on contacts can say "no two active contacts of an agent share a value of this field"; until
-- now the application checked it: a single writer under an advisory lock per value, an import
-- chunk or an undo set-based without one (a chunk's 20,000 locks would overflow the lock table).
-- A member and an import chunk writing the same value at the same moment could both commit,
-- and every single write scanned the agent's contacts to find a holder.
--
-- contact_unique_values holds one row per (active contact, unique field, value), kept by the
-- statement triggers below on contacts and custom_fields, so every path that writes contacts is
-- covered, whatever its shape. Its primary key is the constraint; the application's own checks
-- stay in front of it for their clear answers (which contact holds the value), and the key
-- catches what slips past them. A value is keyed by its SHA-256 (a text value may be 2,000
-- characters, past a btree entry's limit); lookups compare the contact's value itself too.
--
-- The triggers run as the writer (the app role), under the table's forced row-level security.
-- An agent without unique fields costs each contact statement one probe of custom_fields.
CREATE TABLE contact_unique_values (
    workspace_id uuid NOT NULL,
    agent_id     uuid NOT NULL,
    field_key    text NOT NULL,
    value_sha256 bytea NOT NULL,
    contact_id   uuid NOT NULL,
    CONSTRAINT contact_unique_values_taken PRIMARY KEY (workspace_id, agent_id, field_key, value_sha256)
);
CREATE INDEX contact_unique_values_contact ON contact_unique_values (workspace_id, contact_id);

ALTER TABLE contact_unique_values ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_unique_values FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contact_unique_values
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- The digest a value is keyed by. Values equal as jsonb get one digest: a number's text keeps
-- its scale (42.0 is not 42 as text), so numbers are digested without it.
-- +goose StatementBegin
CREATE FUNCTION unique_value_sha256(value jsonb) RETURNS bytea
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT sha256(convert_to(CASE WHEN jsonb_typeof(value) = 'number' THEN trim_scale(value::numeric)::text
                                  ELSE value::text END, 'UTF8'))
$$;
-- +goose StatementEnd

-- A contact's unique values: one row per unique, active field it has a (non-null) value in,
-- while the contact is active.
-- +goose StatementBegin
CREATE FUNCTION contact_unique_values_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM custom_fields WHERE is_unique AND archived_at IS NULL LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL; -- no unique field in this workspace: nothing to keep
    END IF;
    INSERT INTO contact_unique_values (workspace_id, agent_id, field_key, value_sha256, contact_id)
    SELECT n.workspace_id, n.agent_id, f.key, unique_value_sha256(n.custom -> f.key), n.id
    FROM new_rows n
    JOIN custom_fields f ON f.workspace_id = n.workspace_id AND f.agent_id = n.agent_id AND f.is_unique AND f.archived_at IS NULL
    WHERE n.status = 'active' AND n.custom -> f.key IS NOT NULL AND n.custom -> f.key <> 'null'::jsonb;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- An update changes only the values that changed: a contact that kept its value keeps its row
-- (a value that slipped in twice before this migration is left alone until it changes). The
-- rows a contact no longer holds go first, so a value moving between two contacts in one
-- statement is free again before it is taken.
-- +goose StatementBegin
CREATE FUNCTION contact_unique_values_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM custom_fields WHERE is_unique AND archived_at IS NULL LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    DELETE FROM contact_unique_values v
    USING new_rows n
    WHERE v.workspace_id = n.workspace_id AND v.contact_id = n.id
      AND (n.status <> 'active' OR unique_value_sha256(n.custom -> v.field_key) IS DISTINCT FROM v.value_sha256);
    INSERT INTO contact_unique_values (workspace_id, agent_id, field_key, value_sha256, contact_id)
    SELECT n.workspace_id, n.agent_id, f.key, unique_value_sha256(n.custom -> f.key), n.id
    FROM new_rows n
    JOIN custom_fields f ON f.workspace_id = n.workspace_id AND f.agent_id = n.agent_id AND f.is_unique AND f.archived_at IS NULL
    WHERE n.status = 'active' AND n.custom -> f.key IS NOT NULL AND n.custom -> f.key <> 'null'::jsonb
      AND NOT EXISTS (SELECT 1 FROM old_rows o
                      WHERE o.workspace_id = n.workspace_id AND o.id = n.id AND o.status = 'active'
                        AND o.custom -> f.key = n.custom -> f.key);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION contact_unique_values_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM contact_unique_values v
    USING old_rows o
    WHERE v.workspace_id = o.workspace_id AND v.contact_id = o.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER contact_unique_values_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_unique_values_inserted();
CREATE TRIGGER contact_unique_values_update AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_unique_values_updated();
CREATE TRIGGER contact_unique_values_delete AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contact_unique_values_deleted();

-- A field that becomes unique and active (made unique, or restored while unique) takes its
-- active contacts' values, and a duplicate among them fails the change (the application checks
-- first, to say which value); one that stops being either gives them up. Deleting a field first
-- removes its values from the contacts, which gives them up through the trigger above.
-- +goose StatementBegin
CREATE FUNCTION custom_field_unique_values() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    was boolean := TG_OP = 'UPDATE' AND OLD.is_unique AND OLD.archived_at IS NULL;
    now_unique boolean := TG_OP <> 'DELETE' AND NEW.is_unique AND NEW.archived_at IS NULL;
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM contact_unique_values
        WHERE workspace_id = OLD.workspace_id AND agent_id = OLD.agent_id AND field_key = OLD.key;
    ELSIF was AND NOT now_unique THEN
        DELETE FROM contact_unique_values
        WHERE workspace_id = NEW.workspace_id AND agent_id = NEW.agent_id AND field_key = NEW.key;
    ELSIF now_unique AND NOT was THEN
        INSERT INTO contact_unique_values (workspace_id, agent_id, field_key, value_sha256, contact_id)
        SELECT c.workspace_id, c.agent_id, NEW.key, unique_value_sha256(c.custom -> NEW.key), c.id
        FROM contacts c
        WHERE c.workspace_id = NEW.workspace_id AND c.agent_id = NEW.agent_id AND c.status = 'active'
          AND c.custom -> NEW.key IS NOT NULL AND c.custom -> NEW.key <> 'null'::jsonb;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER custom_field_unique_values AFTER INSERT OR UPDATE OF is_unique, archived_at OR DELETE ON custom_fields
    FOR EACH ROW EXECUTE FUNCTION custom_field_unique_values();

-- The values held now. FORCE binds the owner too, so it is lifted for this transaction; a value
-- two active contacts already share (written before this migration, the race above) keeps its
-- first holder's row, and the other contact's stays unrecorded until its value changes.
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE custom_fields NO FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_unique_values NO FORCE ROW LEVEL SECURITY;
INSERT INTO contact_unique_values (workspace_id, agent_id, field_key, value_sha256, contact_id)
SELECT c.workspace_id, c.agent_id, f.key, unique_value_sha256(c.custom -> f.key), c.id
FROM contacts c
JOIN custom_fields f ON f.workspace_id = c.workspace_id AND f.agent_id = c.agent_id AND f.is_unique AND f.archived_at IS NULL
WHERE c.status = 'active' AND c.custom -> f.key IS NOT NULL AND c.custom -> f.key <> 'null'::jsonb
ORDER BY c.id
ON CONFLICT DO NOTHING;
ALTER TABLE contact_unique_values FORCE ROW LEVEL SECURITY;
ALTER TABLE custom_fields FORCE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;

-- +goose Down
DROP TRIGGER custom_field_unique_values ON custom_fields;
DROP FUNCTION custom_field_unique_values();
DROP TRIGGER contact_unique_values_delete ON contacts;
DROP TRIGGER contact_unique_values_update ON contacts;
DROP TRIGGER contact_unique_values_insert ON contacts;
DROP FUNCTION contact_unique_values_deleted();
DROP FUNCTION contact_unique_values_updated();
DROP FUNCTION contact_unique_values_inserted();
DROP FUNCTION unique_value_sha256(jsonb);
DROP TABLE contact_unique_values;
