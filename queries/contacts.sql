-- name: CreateContact :one
INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, phone, stage_id,
                      primary_owner_id, secondary_owner_id, source, external_id, created_by, search_text, custom)
VALUES (@workspace_id, @agent_id, @id, @name, @email, @email_normalized, @phone, @stage_id,
        @primary_owner_id, @secondary_owner_id, @source, @external_id, @created_by, @search_text, @custom)
RETURNING id;

-- name: GetContact :one
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = $1 AND c.agent_id = $2 AND c.id = $3;

-- name: LockContact :one
SELECT version, status FROM contacts WHERE workspace_id = $1 AND agent_id = $2 AND id = $3 FOR UPDATE;

-- name: UpdateContact :exec
UPDATE contacts
SET name = @name, email = @email, email_normalized = @email_normalized, phone = @phone,
    stage_id = @stage_id, primary_owner_id = @primary_owner_id, secondary_owner_id = @secondary_owner_id,
    external_id = @external_id, status = @status, search_text = @search_text, custom = @custom,
    updated_at = now(), version = version + 1
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id;

-- name: DeleteContact :exec
DELETE FROM contacts WHERE workspace_id = $1 AND agent_id = $2 AND id = $3;

-- name: FindDuplicateContact :one
-- The active contact of the agent that already holds this email, phone or external id.
SELECT id, name,
       CASE WHEN email_normalized = sqlc.narg(email_normalized) THEN 'email'
            WHEN phone = sqlc.narg(phone) THEN 'phone'
            ELSE 'external_id' END::text AS field
FROM contacts
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND status = 'active' AND id <> @exclude_id
  AND (email_normalized = sqlc.narg(email_normalized) OR phone = sqlc.narg(phone) OR external_id = sqlc.narg(external_id))
LIMIT 1;

-- name: SimilarContacts :many
-- Contacts that look like the details being typed: same email or phone, or a similar name.
SELECT id, name, email, phone, status,
       COALESCE(email_normalized = sqlc.narg(email_normalized), false)::bool AS same_email,
       COALESCE(phone = sqlc.narg(phone), false)::bool AS same_phone,
       similarity(lower(name), lower(@name::text))::float8 AS name_similarity
FROM contacts
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id <> @exclude_id
  AND (email_normalized = sqlc.narg(email_normalized) OR phone = sqlc.narg(phone)
       OR (@name::text <> '' AND name <> '' AND similarity(lower(name), lower(@name::text)) >= 0.5))
ORDER BY (email_normalized = sqlc.narg(email_normalized)) DESC NULLS LAST, (phone = sqlc.narg(phone)) DESC NULLS LAST,
         similarity(lower(name), lower(@name::text)) DESC
LIMIT 5;

-- name: AgentAccess :one
-- Whether the agent exists in the workspace, and whether a member with role user was granted it.
SELECT EXISTS (SELECT 1 FROM agents a WHERE a.workspace_id = @workspace_id AND a.id = @agent_id)::bool AS agent_exists,
       EXISTS (SELECT 1 FROM agent_grants g
               WHERE g.workspace_id = @workspace_id AND g.agent_id = @agent_id AND g.user_id = @user_id)::bool AS granted;

-- name: SearchContactIDs :many
-- Through the reviewed definer function (see db/migrations/00006_contact_search.sql).
SELECT contact_id::uuid FROM search_contacts(@agent_id, @pattern, @status, sqlc.narg(stage_id), sqlc.narg(owner_id),
                                       sqlc.narg(source), sqlc.narg(before_id), @max_rows);

-- name: ContactsByIDs :many
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = ANY(@ids::uuid[])
ORDER BY c.id DESC;

-- name: MemberWorksInAgent :one
-- Whether a member may own contacts of the agent: owners and admins work in every agent, users
-- in those granted to them.
SELECT EXISTS (
    SELECT 1 FROM memberships m
    WHERE m.workspace_id = @workspace_id AND m.user_id = @user_id
      AND (m.role IN ('owner', 'admin') OR EXISTS (
            SELECT 1 FROM agent_grants g
            WHERE g.workspace_id = m.workspace_id AND g.agent_id = @agent_id AND g.user_id = m.user_id)));

-- name: CountOwnedContacts :one
SELECT count(*) FROM contacts
WHERE workspace_id = $1 AND status = 'active' AND (primary_owner_id = $2 OR secondary_owner_id = $2);

-- name: GetWorkspaceCountry :one
SELECT default_country FROM workspaces WHERE id = $1;

-- name: MoveNotes :exec
UPDATE contact_notes SET contact_id = @to_contact WHERE workspace_id = @workspace_id AND contact_id = @from_contact;

-- name: MoveFiles :exec
UPDATE contact_files SET contact_id = @to_contact WHERE workspace_id = @workspace_id AND contact_id = @from_contact;

-- name: CreateContacts :many
-- Many new contacts of one agent and source in one statement (contacts.CreateManyTx): the
-- search copy's trigger runs once for all of them. Optional text columns come as '' and
-- optional ids as the nil uuid for none.
INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, phone, stage_id,
                      primary_owner_id, secondary_owner_id, source, external_id, created_by, search_text, custom)
SELECT @workspace_id, @agent_id, r.id, r.name, NULLIF(r.email, ''), NULLIF(r.email_normalized, ''), NULLIF(r.phone, ''),
       NULLIF(r.stage_id, '00000000-0000-0000-0000-000000000000'::uuid),
       NULLIF(r.primary_owner_id, '00000000-0000-0000-0000-000000000000'::uuid),
       NULLIF(r.secondary_owner_id, '00000000-0000-0000-0000-000000000000'::uuid),
       @source, NULLIF(r.external_id, ''), sqlc.narg(created_by)::uuid, r.search_text, r.custom
-- (arrays of one length unnested side by side in the select list pair up element by element)
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@names::text[]) AS name, unnest(@emails::text[]) AS email,
             unnest(@emails_normalized::text[]) AS email_normalized, unnest(@phones::text[]) AS phone,
             unnest(@stage_ids::uuid[]) AS stage_id, unnest(@primary_owner_ids::uuid[]) AS primary_owner_id,
             unnest(@secondary_owner_ids::uuid[]) AS secondary_owner_id, unnest(@external_ids::text[]) AS external_id,
             unnest(@search_texts::text[]) AS search_text, unnest(@customs::jsonb[]) AS custom) r
RETURNING *;

-- name: FindDuplicateContacts :many
-- FindDuplicateContact for many candidates at once: for each candidate (its number in
-- @candidates) the active contact of the agent already holding its email, phone or external id
-- ('' for none given). Candidates without a holder have no row.
SELECT i.idx::int AS candidate, d.id, d.name, d.field
FROM (SELECT unnest(@candidates::int[]) AS idx, unnest(@emails_normalized::text[]) AS email_normalized,
             unnest(@phones::text[]) AS phone, unnest(@external_ids::text[]) AS external_id) i
CROSS JOIN LATERAL (
    SELECT c.id, c.name,
           CASE WHEN c.email_normalized = i.email_normalized THEN 'email'
                WHEN c.phone = i.phone THEN 'phone'
                ELSE 'external_id' END::text AS field
    FROM contacts c
    WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.status = 'active'
      AND (c.email_normalized = NULLIF(i.email_normalized, '') OR c.phone = NULLIF(i.phone, '')
           OR c.external_id = NULLIF(i.external_id, ''))
    LIMIT 1) d
ORDER BY i.idx;

-- name: LockStagesShared :many
-- LockStageShared for the stages of many contact writes: those of the agent, locked FOR SHARE.
SELECT id, name FROM stages WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = ANY(@ids::uuid[])
ORDER BY id FOR SHARE;

-- Privacy: erase and export.

-- name: DeleteImportChanges :many
-- An erase removes the contacts' undo snapshots (import_changes.before holds their values):
-- undo then has nothing to restore for them, as it would for a deleted contact. It says which
-- imports had written them.
DELETE FROM import_changes WHERE workspace_id = @workspace_id AND contact_id = ANY(@contact_ids::uuid[])
RETURNING import_id;

-- name: MarkImportFilesErased :many
-- The ended imports among ids whose stored file still exists: marked, and their files purged
-- by a job inserted in the same transaction. An import still under way keeps its file.
UPDATE imports SET file_erased_at = now(), updated_at = now()
WHERE workspace_id = @workspace_id AND id = ANY(@ids::uuid[]) AND file_erased_at IS NULL
    AND status IN ('finished', 'cancelled', 'failed', 'undone')
RETURNING id;

-- name: ExportFiles :many
-- A contact's files, newest first, below before_id (NULL: from the newest).
SELECT * FROM contact_files
WHERE workspace_id = @workspace_id AND contact_id = @contact_id
  AND (sqlc.narg(before_id)::uuid IS NULL OR id < sqlc.narg(before_id))
ORDER BY id DESC
LIMIT @max_rows;

-- name: ExportConversations :many
-- A contact's chat conversations, oldest first, after after_id (NULL: from the oldest).
SELECT * FROM conversations
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND contact_id = @contact_id
  AND (sqlc.narg(after_id)::uuid IS NULL OR id > sqlc.narg(after_id))
ORDER BY id
LIMIT @max_rows;

-- name: ExportMessages :many
-- The messages of some conversations in conversation and sequence order, after the message
-- (after_conversation, after_seq): the unique (workspace, conversation, seq) index walks them.
SELECT * FROM conversation_messages
WHERE workspace_id = @workspace_id AND conversation_id = ANY(@conversation_ids::uuid[])
  AND (conversation_id, seq) > (@after_conversation::uuid, @after_seq::int)
ORDER BY conversation_id, seq
LIMIT @max_rows;

-- name: ExportFieldSources :many
-- Where the chat agent captured the contact's values (one row per field at most).
SELECT * FROM contact_field_sources
WHERE workspace_id = @workspace_id AND contact_id = @contact_id
ORDER BY field;
