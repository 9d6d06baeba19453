-- name: CreateField :one
INSERT INTO custom_fields (workspace_id, agent_id, id, key, label, type, help_text, required, is_unique,
                           default_value, options, position, ai_policy, ai_hint)
VALUES (@workspace_id, @agent_id, @id, @key, @label, @type, @help_text, @required, @is_unique,
        @default_value, @options, @position, @ai_policy, @ai_hint)
RETURNING *;

-- name: ListFields :many
-- The agent's fields in display order; archived ones only when asked.
SELECT * FROM custom_fields
WHERE workspace_id = @workspace_id AND agent_id = @agent_id
  AND (@include_archived::bool OR archived_at IS NULL)
ORDER BY position, id;

-- name: GetField :one
SELECT * FROM custom_fields WHERE workspace_id = $1 AND agent_id = $2 AND id = $3;

-- name: GetFieldForUpdate :one
SELECT * FROM custom_fields WHERE workspace_id = $1 AND agent_id = $2 AND id = $3 FOR UPDATE;

-- name: LockAgentFields :one
-- Serializes the writes that count or order an agent's fields (create, reorder). NO KEY UPDATE
-- does not block contacts inserted for the agent meanwhile (their foreign key takes KEY SHARE).
SELECT id FROM agents WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE;

-- name: FieldKeys :many
SELECT key FROM custom_fields WHERE workspace_id = $1 AND agent_id = $2;

-- name: CountFields :one
SELECT count(*) FROM custom_fields WHERE workspace_id = $1 AND agent_id = $2;

-- name: NextFieldPosition :one
SELECT (COALESCE(max(position), 0) + 1)::integer FROM custom_fields WHERE workspace_id = $1 AND agent_id = $2;

-- name: UpdateField :one
UPDATE custom_fields
SET label = @label, help_text = @help_text, required = @required, is_unique = @is_unique,
    default_value = @default_value, options = @options, ai_policy = @ai_policy, ai_hint = @ai_hint,
    updated_at = now(), version = version + 1
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id
RETURNING *;

-- name: SetFieldArchivedAt :one
UPDATE custom_fields SET archived_at = sqlc.narg(archived_at), updated_at = now(), version = version + 1
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id
RETURNING *;

-- name: SetFieldPositions :exec
-- Positions follow the order of @ids (1, 2, ...).
UPDATE custom_fields f SET position = o.position
FROM unnest(@ids::uuid[]) WITH ORDINALITY AS o (id, position)
WHERE f.workspace_id = @workspace_id AND f.agent_id = @agent_id AND f.id = o.id;

-- name: DeleteField :exec
DELETE FROM custom_fields WHERE workspace_id = $1 AND agent_id = $2 AND id = $3;

-- name: RemoveFieldValues :many
-- Deleting a field deletes its values: the key leaves every contact of the agent holding it.
-- Returns each changed contact with the value it held, for its history.
WITH held AS (
    SELECT o.id, o.custom -> @key::text AS value FROM contacts o
    WHERE o.workspace_id = @workspace_id AND o.agent_id = @agent_id AND o.custom ? @key::text
    FOR UPDATE
)
UPDATE contacts c SET custom = c.custom - @key::text, version = c.version + 1, updated_at = now()
FROM held h
WHERE c.workspace_id = @workspace_id AND c.id = h.id
RETURNING c.id, h.value::jsonb AS old_value;

-- name: LockFieldValue :exec
-- Serializes writers of one value of a unique field until commit, so the second of two writers
-- of a value finds the first as its holder and is told who it is (contact_unique_values' key
-- would refuse it anyway, without saying).
SELECT pg_advisory_xact_lock(hashtextextended(@lock_key::text, 0));

-- name: FindFieldValueHolder :one
-- Another active contact of the agent that holds this value in the field: a probe of
-- contact_unique_values' key (00025), checked against the contact's value itself.
SELECT c.id, c.name FROM contact_unique_values v
JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
WHERE v.workspace_id = @workspace_id AND v.agent_id = @agent_id AND v.field_key = @key::text
  AND v.value_sha256 = unique_value_sha256(@value::jsonb) AND v.contact_id <> @exclude_id
  AND c.status = 'active' AND c.custom -> @key::text = @value::jsonb;

-- name: FindSharedFieldValue :one
-- A value of the field that several active contacts of the agent share (before making it unique).
SELECT (custom -> @key::text)::text AS value, count(*) AS contacts
FROM contacts
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND status = 'active' AND custom ? @key::text
GROUP BY custom -> @key::text
HAVING count(*) > 1
LIMIT 1;
