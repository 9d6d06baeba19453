-- +goose Up
-- The contact list's sort orders and custom-field filters (internal/contacts/list.go).
--
-- Every sort pages by keyset: (sort key, id) compared with a row comparison. Text, timestamp and
-- uuid comparisons are leakproof, so for the app role under RLS these conditions drive the
-- indexes below like the policy's own workspace_id = ... does; lower() is not leakproof (nor is
-- COALESCE), which is why the name's sort key is a stored column rather than an expression
-- index.

-- Name A-Z is case-insensitive: the key is kept by PostgreSQL, so no write path (imports'
-- INSERT ... SELECT included) has to remember it.
ALTER TABLE contacts ADD COLUMN name_sort text GENERATED ALWAYS AS (lower(name)) STORED;

CREATE INDEX contacts_agent_name ON contacts (workspace_id, agent_id, status, name_sort, id);
CREATE INDEX contacts_agent_updated ON contacts (workspace_id, agent_id, status, updated_at, id);
-- Stage order walks the agent's stages and reads each stage's newest contacts, then those
-- without a stage (stage_id IS NULL, which a btree serves too). Not an expression index on
-- COALESCE(stage_id, ...): PostgreSQL counts COALESCE as possibly leaky, so under RLS it would
-- be a filter after the policy, not an index condition (measured: 840 ms for a first page at
-- 100,000 contacts).
CREATE INDEX contacts_agent_stage_sort ON contacts (workspace_id, agent_id, stage_id, status, id);
-- It starts with the columns of contacts_stage, which it replaces (one index less to keep on
-- every write).
DROP INDEX contacts_stage;

-- contact_custom_matches reports whether a contact's custom values pass every filter in filters,
-- a JSON array built by internal/contacts from a checked list query (keys and types resolved
-- against the agent's field definitions, values normalized):
--   {"key": k, "op": "contains"|"equals", "text": lower-cased text}
--   {"key": k, "op": "number", "lo": n|null, "hi": n|null}               inclusive
--   {"key": k, "op": "date", "after": "YYYY-MM-DD"|null, "before": ...}   inclusive days
--   {"key": k, "op": "datetime", "after": instant|null, "before": ...}    after <= v < before
--   {"key": k, "op": "checkbox", "checked": bool}                         a missing value is unchecked
--   {"key": k, "op": "any", "ids": [option ids]}                          single: is one of; multi: holds any
-- jsonb operators are not leakproof, so this runs after the RLS policy, on the rows the list's
-- index scan yields; no index serves it for the app role (see ARCHITECTURE, "Custom fields").
-- +goose StatementBegin
CREATE FUNCTION contact_custom_matches(custom jsonb, filters jsonb) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT NOT EXISTS (
    SELECT 1
    FROM jsonb_to_recordset(filters) AS f(key text, op text, text text, lo float8, hi float8,
                                          after text, before text, checked boolean, ids text[])
    WHERE NOT COALESCE(CASE f.op
        WHEN 'contains' THEN strpos(lower(custom->>f.key), f.text) > 0
        WHEN 'equals' THEN lower(custom->>f.key) = f.text
        WHEN 'number' THEN
            (CASE WHEN jsonb_typeof(custom->f.key) = 'number' THEN (custom->f.key)::float8 END)
                BETWEEN COALESCE(f.lo, '-Infinity'::float8) AND COALESCE(f.hi, 'Infinity'::float8)
        WHEN 'date' THEN
            (custom->>f.key) BETWEEN COALESCE(f.after, '0000-01-01') AND COALESCE(f.before, '9999-12-31')
        WHEN 'datetime' THEN
            (CASE WHEN jsonb_typeof(custom->f.key) = 'string' THEN (custom->>f.key)::timestamptz END)
                >= COALESCE(f.after::timestamptz, '-infinity'::timestamptz)
            AND (CASE WHEN jsonb_typeof(custom->f.key) = 'string' THEN (custom->>f.key)::timestamptz END)
                < COALESCE(f.before::timestamptz, 'infinity'::timestamptz)
        WHEN 'checkbox' THEN COALESCE(custom->f.key = 'true'::jsonb, false) = f.checked
        WHEN 'any' THEN jsonb_exists_any(custom->f.key, f.ids)
    END, false))
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION contact_custom_matches;
CREATE INDEX contacts_stage ON contacts (workspace_id, agent_id, stage_id);
DROP INDEX contacts_agent_stage_sort;
DROP INDEX contacts_agent_updated;
DROP INDEX contacts_agent_name;
ALTER TABLE contacts DROP COLUMN name_sort;
