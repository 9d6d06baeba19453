-- name: CreateAgentKey :one
INSERT INTO agent_keys (workspace_id, agent_id, id, name, token_hash, hint, created_by)
VALUES (@workspace_id, @agent_id, @id, @name, @token_hash, @hint, @created_by)
RETURNING *;

-- name: ListAgentKeys :many
SELECT k.*, COALESCE(u.name, '') AS created_by_name
FROM agent_keys k LEFT JOIN users u ON u.id = k.created_by
WHERE k.workspace_id = @workspace_id AND k.agent_id = @agent_id
ORDER BY k.id DESC
LIMIT 200;

-- name: RevokeAgentKey :one
UPDATE agent_keys SET revoked_at = COALESCE(revoked_at, now())
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id
RETURNING *;

-- name: AgentKeyByHash :one
-- The public door: a key's hash, looked up in the workspace the key names.
SELECT id, agent_id, scope, revoked_at FROM agent_keys
WHERE workspace_id = @workspace_id AND token_hash = @token_hash;

-- name: CreateConversation :one
-- Without a contact_id, a returning visitor is who they were last time: the contact of their
-- latest linked conversation with the agent, while it is an active contact of the agent (one
-- probe of conversations_visitor_contact).
INSERT INTO conversations (workspace_id, agent_id, id, visitor_id, contact_id, title)
VALUES (@workspace_id, @agent_id, @id, @visitor_id,
        COALESCE(sqlc.narg(contact_id)::uuid,
                 (SELECT c.id
                  FROM (SELECT cv.contact_id FROM conversations cv
                        WHERE cv.workspace_id = @workspace_id AND cv.agent_id = @agent_id AND cv.visitor_id = @visitor_id
                          AND cv.contact_id IS NOT NULL
                        ORDER BY cv.id DESC LIMIT 1) latest
                  JOIN contacts c ON c.workspace_id = @workspace_id AND c.id = latest.contact_id
                  WHERE c.agent_id = @agent_id AND c.status = 'active')),
        @title)
RETURNING *;

-- name: GetConversation :one
SELECT * FROM conversations WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id;

-- name: LockConversationForSave :one
-- What save needs before it writes, in one round trip: the conversation (locked, so two saves
-- of one conversation run one after the other), the workspace's phone country and the
-- conversation's latest visitor message (the nil uuid when it has none).
SELECT sqlc.embed(c), w.default_country,
       COALESCE((SELECT m.id FROM conversation_messages m
                 WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id AND m.role = 'visitor'
                 ORDER BY m.seq DESC LIMIT 1), '00000000-0000-0000-0000-000000000000'::uuid)::uuid AS latest_visitor_message
FROM conversations c JOIN workspaces w ON w.id = c.workspace_id
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = @id
FOR UPDATE OF c;

-- name: SetConversationTitle :one
UPDATE conversations SET title = @title
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id
RETURNING *;

-- name: EndConversation :one
UPDATE conversations SET ended_at = COALESCE(ended_at, now())
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id
RETURNING *;

-- name: LinkVisitorConversations :exec
-- The visitor is identified: their anonymous conversations with the agent, this one and earlier
-- ones, become the contact's.
UPDATE conversations SET contact_id = @contact_id::uuid
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND visitor_id = @visitor_id AND contact_id IS NULL;

-- name: AppendMessage :one
-- One round trip for the usual append: the conversation's counter gives the message its place
-- (the row lock orders concurrent appends), unless the conversation is unknown, ended, or the
-- message is older than the last one; then nothing is written and no row comes back. Without a
-- sent_at the message takes the transaction's time, never earlier than the last message's, so
-- concurrent appends cannot fall out of order.
WITH c AS (
    UPDATE conversations
    SET message_count = message_count + 1,
        last_message_at = COALESCE(sqlc.narg(sent_at)::timestamptz, GREATEST(now(), last_message_at))
    WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @conversation_id
      AND ended_at IS NULL
      AND (sqlc.narg(sent_at)::timestamptz IS NULL OR last_message_at IS NULL OR last_message_at <= sqlc.narg(sent_at)::timestamptz)
    RETURNING message_count, last_message_at
)
INSERT INTO conversation_messages (workspace_id, conversation_id, id, seq, client_message_id, role, content, sent_at)
SELECT @workspace_id, @conversation_id, @id, c.message_count, @client_message_id, @role, @content, c.last_message_at FROM c
RETURNING *;

-- name: AppendMessages :many
-- Several appends of one agent, to distinct conversations, in one statement (the group commit
-- of chat.batcher): each message not stored yet (by client id) whose conversation is the
-- agent's and live takes its conversation's next seq and the server's time, never earlier than
-- the conversation's last message. Messages that come back were stored; the others are
-- appended one by one, which tells why not (a retry, unknown, ended).
WITH input AS (
    SELECT unnest(@ids::uuid[]) AS id, unnest(@conversation_ids::uuid[]) AS conversation_id,
           unnest(@client_message_ids::text[]) AS client_message_id, unnest(@roles::text[]) AS role,
           unnest(@contents::text[]) AS content
), fresh AS (
    -- A lateral probe per message, so each is one lookup in the client-id index: as NOT EXISTS
    -- the planner read every message of the workspace (71 ms for 20 appends among 20,000).
    SELECT i.* FROM input i
    LEFT JOIN LATERAL (SELECT 1 AS stored FROM conversation_messages m
                       WHERE m.workspace_id = @workspace_id AND m.conversation_id = i.conversation_id
                         AND m.client_message_id = i.client_message_id
                       LIMIT 1) e ON true
    WHERE e.stored IS NULL
), c AS (
    UPDATE conversations cv
    SET message_count = cv.message_count + 1, last_message_at = GREATEST(now(), cv.last_message_at)
    FROM fresh f
    WHERE cv.workspace_id = @workspace_id AND cv.agent_id = @agent_id AND cv.id = f.conversation_id AND cv.ended_at IS NULL
    RETURNING cv.id, cv.message_count, cv.last_message_at
)
INSERT INTO conversation_messages (workspace_id, conversation_id, id, seq, client_message_id, role, content, sent_at)
SELECT @workspace_id, f.conversation_id, f.id, c.message_count, f.client_message_id, f.role, f.content, c.last_message_at
FROM fresh f JOIN c ON c.id = f.conversation_id
RETURNING *;

-- name: MessageByClientID :one
SELECT * FROM conversation_messages
WHERE workspace_id = @workspace_id AND conversation_id = @conversation_id AND client_message_id = @client_message_id;

-- name: ListMessages :many
SELECT * FROM conversation_messages
WHERE workspace_id = @workspace_id AND conversation_id = @conversation_id AND seq > @after_seq
ORDER BY seq
LIMIT @max_rows;

-- name: ListConversationGroups :many
-- The agent's conversations grouped by person: a contact, or an anonymous visitor. Newest
-- activity first, then by person_key (unique per person), so the pair orders every person and
-- a page continues after the pair (before, before_key) of the previous page's last person
-- (keyset paging: people tied on last_activity across a page boundary are neither lost nor
-- repeated). pattern (a LIKE pattern on the lower-cased name) keeps contacts whose name matches.
SELECT cv.contact_id,
       (CASE WHEN cv.contact_id IS NULL THEN 'v:' || cv.visitor_id ELSE 'c:' || cv.contact_id::text END)::text AS person_key,
       (CASE WHEN cv.contact_id IS NULL THEN cv.visitor_id ELSE '' END)::text AS visitor_key,
       COALESCE(max(c.name), '')::text AS contact_name,
       COALESCE(max(c.email), '')::text AS contact_email,
       COALESCE(max(c.phone), '')::text AS contact_phone,
       max(COALESCE(cv.last_message_at, cv.started_at))::timestamptz AS last_activity,
       count(*)::int AS conversation_count,
       bool_or(cv.ended_at IS NULL)::bool AS live
FROM conversations cv
LEFT JOIN contacts c ON c.workspace_id = cv.workspace_id AND c.id = cv.contact_id
WHERE cv.workspace_id = @workspace_id AND cv.agent_id = @agent_id
  AND (sqlc.narg(pattern)::text IS NULL OR lower(c.name) LIKE sqlc.narg(pattern)::text)
GROUP BY cv.contact_id, (CASE WHEN cv.contact_id IS NULL THEN cv.visitor_id ELSE '' END),
         (CASE WHEN cv.contact_id IS NULL THEN 'v:' || cv.visitor_id ELSE 'c:' || cv.contact_id::text END)
HAVING (sqlc.narg(before)::timestamptz IS NULL
        OR (max(COALESCE(cv.last_message_at, cv.started_at)),
            (CASE WHEN cv.contact_id IS NULL THEN 'v:' || cv.visitor_id ELSE 'c:' || cv.contact_id::text END))
           < (sqlc.narg(before)::timestamptz, @before_key::text))
ORDER BY last_activity DESC, person_key DESC
LIMIT @max_rows;

-- name: ListGroupConversations :many
SELECT * FROM conversations
WHERE workspace_id = @workspace_id AND agent_id = @agent_id
  AND (contact_id = ANY(@contact_ids::uuid[]) OR (contact_id IS NULL AND visitor_id = ANY(@visitor_ids::text[])))
ORDER BY id DESC
LIMIT 1000;

-- name: ListContactConversations :many
SELECT * FROM conversations
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND contact_id = @contact_id::uuid
ORDER BY id DESC
LIMIT 200;

-- name: MoveConversations :exec
UPDATE conversations SET contact_id = @to_contact::uuid WHERE workspace_id = @workspace_id AND contact_id = @from_contact::uuid;

-- name: CaptureSources :exec
-- After a save, in one statement: the visitor's anonymous conversations with the agent (this one
-- and earlier ones) become the contact's, and each field written records where it came from.
WITH linked AS (
    UPDATE conversations SET contact_id = @contact_id::uuid
    WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND visitor_id = @visitor_id AND contact_id IS NULL
)
INSERT INTO contact_field_sources (workspace_id, contact_id, field, conversation_id, message_id, value)
-- (two arrays of one length unnested side by side in the select list pair up element by element)
SELECT @workspace_id, @contact_id::uuid, unnest(@fields::text[]), @conversation_id, sqlc.narg(message_id)::uuid,
       unnest(@field_values::jsonb[])
ON CONFLICT (workspace_id, contact_id, field) DO UPDATE
SET conversation_id = EXCLUDED.conversation_id, message_id = EXCLUDED.message_id, value = EXCLUDED.value, captured_at = now();

-- name: ListFieldSources :many
SELECT s.field, s.conversation_id, s.message_id, s.value, s.captured_at, COALESCE(m.seq, 0)::int AS message_seq
FROM contact_field_sources s
LEFT JOIN conversation_messages m ON m.workspace_id = s.workspace_id AND m.id = s.message_id
WHERE s.workspace_id = @workspace_id AND s.contact_id = @contact_id
ORDER BY s.field;

-- name: LockConversationsForSave :many
-- LockConversationForSave for a batch of saves (chat's group commit): the conversations locked
-- in id order, so two batches never wait on each other in a circle.
SELECT sqlc.embed(c), w.default_country,
       COALESCE((SELECT m.id FROM conversation_messages m
                 WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id AND m.role = 'visitor'
                 ORDER BY m.seq DESC LIMIT 1), '00000000-0000-0000-0000-000000000000'::uuid)::uuid AS latest_visitor_message
FROM conversations c JOIN workspaces w ON w.id = c.workspace_id
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = ANY(@ids::uuid[])
ORDER BY c.id
FOR UPDATE OF c;

-- name: CaptureSourcesMany :exec
-- CaptureSources for a batch of saves, each of its own visitor and new contact: the visitors'
-- anonymous conversations become their contacts', and every field written records where it
-- came from (the field arrays are one element per field; the nil uuid is no message).
WITH linked AS (
    UPDATE conversations c SET contact_id = v.contact_id
    FROM (SELECT unnest(@visitor_ids::text[]) AS visitor_id, unnest(@contact_ids::uuid[]) AS contact_id) v
    WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.visitor_id = v.visitor_id AND c.contact_id IS NULL
)
INSERT INTO contact_field_sources (workspace_id, contact_id, field, conversation_id, message_id, value)
SELECT @workspace_id, s.contact_id, s.field, s.conversation_id,
       NULLIF(s.message_id, '00000000-0000-0000-0000-000000000000'::uuid), s.value
FROM (SELECT unnest(@field_contact_ids::uuid[]) AS contact_id, unnest(@fields::text[]) AS field,
             unnest(@field_conversation_ids::uuid[]) AS conversation_id, unnest(@field_message_ids::uuid[]) AS message_id,
             unnest(@field_values::jsonb[]) AS value) s
ON CONFLICT (workspace_id, contact_id, field) DO UPDATE
SET conversation_id = EXCLUDED.conversation_id, message_id = EXCLUDED.message_id, value = EXCLUDED.value, captured_at = now();
