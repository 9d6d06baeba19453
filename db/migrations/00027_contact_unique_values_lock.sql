-- +goose Up
-- From a review of 00025 (contact_unique_values):
--
-- 1. A field change and a contact write at the same moment could leave the table wrong for
--    good (write skew): a writer's trigger that read custom_fields before a field became
--    unique recorded nothing, and the field's backfill did not see the writer's uncommitted
--    rows; a stale row then refused its value to everyone. Now the two take one advisory lock
--    per workspace: every contact statement's trigger shared, a field change that moves values
--    (made unique or not, archived or restored while unique, deleted while unique) exclusive,
--    each before it reads. plpgsql takes a new snapshot per statement, so what follows the lock
--    sees what the other side committed. The exclusive side tries for 10 s without queueing
--    (see unique_values_lock): while an import or an undo writes, the field change answers "try
--    again" instead of holding the workspace's contact writes behind it. A field's delete
--    takes no lock (see custom_field_unique_values). A session without a workspace (the owner, in a
--    migration) takes no lock, as its triggers skip; such a migration lifts FORCE on contacts,
--    custom_fields and contact_unique_values together, as 00025 does.
-- 2. unique_value_sha256 is no longer STRICT (its body is NULL for NULL anyway), so it can be
--    inlined into the statements that call it per row.

-- The exclusive side does not queue for the lock: a queued exclusive request holds back every
-- new shared one, so one field change waiting on a long import would stall all the workspace's
-- contact writes behind it. It tries every 20 ms for 10 s instead, then gives up with
-- lock_not_available (55P03), which the application answers as "try again".
-- +goose StatementBegin
CREATE FUNCTION unique_values_lock(p_workspace uuid, p_exclusive boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    k bigint := hashtextextended('contact_unique_values:' || p_workspace::text, 0);
    deadline timestamptz := clock_timestamp() + interval '10 seconds';
BEGIN
    IF k IS NULL THEN
        RETURN;
    ELSIF NOT p_exclusive THEN
        PERFORM pg_advisory_xact_lock_shared(k);
        RETURN;
    END IF;
    WHILE NOT pg_try_advisory_xact_lock(k) LOOP
        IF clock_timestamp() > deadline THEN
            RAISE EXCEPTION 'contacts of this workspace are being written; try the field change again'
                USING ERRCODE = 'lock_not_available';
        END IF;
        PERFORM pg_sleep(0.02);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION unique_value_sha256(value jsonb) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(convert_to(CASE WHEN jsonb_typeof(value) = 'number' THEN trim_scale(value::numeric)::text
                                  ELSE value::text END, 'UTF8'))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_unique_values_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM unique_values_lock(NULLIF(current_setting('app.workspace_id', true), '')::uuid, false);
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_unique_values_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM unique_values_lock(NULLIF(current_setting('app.workspace_id', true), '')::uuid, false);
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
CREATE OR REPLACE FUNCTION contact_unique_values_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM unique_values_lock(NULLIF(current_setting('app.workspace_id', true), '')::uuid, false);
    DELETE FROM contact_unique_values v
    USING old_rows o
    WHERE v.workspace_id = o.workspace_id AND v.contact_id = o.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION custom_field_unique_values() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    was boolean := TG_OP <> 'INSERT' AND OLD.is_unique AND OLD.archived_at IS NULL;
    now_unique boolean := TG_OP <> 'DELETE' AND NEW.is_unique AND NEW.archived_at IS NULL;
    ws uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.workspace_id ELSE NEW.workspace_id END;
BEGIN
    IF was = now_unique THEN
        RETURN NULL; -- unique and active before and after, or neither: no value moves
    END IF;
    -- Wait (at most 10 s) for the workspace's contact writes in flight, and hold new ones back
    -- until this change commits. Not for a delete: a field's delete removes its values from
    -- the contacts (row locks order it with their writers), and a workspace's delete takes
    -- everything; holding the lock while waiting for contact row locks would deadlock with a
    -- writer that holds a row and waits for the lock. The other changes touch no contact row.
    IF TG_OP <> 'DELETE' THEN
        PERFORM unique_values_lock(ws, true);
    END IF;
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION unique_value_sha256(value jsonb) RETURNS bytea
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT sha256(convert_to(CASE WHEN jsonb_typeof(value) = 'number' THEN trim_scale(value::numeric)::text
                                  ELSE value::text END, 'UTF8'))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_unique_values_inserted() RETURNS trigger
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_unique_values_updated() RETURNS trigger
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
CREATE OR REPLACE FUNCTION contact_unique_values_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM contact_unique_values v
    USING old_rows o
    WHERE v.workspace_id = o.workspace_id AND v.contact_id = o.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION custom_field_unique_values() RETURNS trigger
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

DROP FUNCTION unique_values_lock(uuid, boolean);
