-- name: ListMembers :many
SELECT m.user_id, u.name, u.email, m.role, m.created_at,
       COALESCE(ARRAY(SELECT g.agent_id FROM agent_grants g
                      WHERE g.workspace_id = m.workspace_id AND g.user_id = m.user_id
                      ORDER BY g.agent_id), '{}')::uuid[] AS agent_ids
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = $1
ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, m.created_at, m.user_id;

-- name: GetMemberForUpdate :one
SELECT m.user_id, u.name, u.email, m.role, m.created_at,
       COALESCE(ARRAY(SELECT g.agent_id FROM agent_grants g
                      WHERE g.workspace_id = m.workspace_id AND g.user_id = m.user_id
                      ORDER BY g.agent_id), '{}')::uuid[] AS agent_ids
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = $1 AND m.user_id = $2
FOR UPDATE OF m;

-- name: SetMemberRole :exec
UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2;

-- name: DeleteMember :exec
DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2;

-- name: DeleteMemberGrants :exec
DELETE FROM agent_grants WHERE workspace_id = $1 AND user_id = $2;

-- name: GrantAgents :exec
INSERT INTO agent_grants (workspace_id, agent_id, user_id)
SELECT @workspace_id, a.id, @user_id FROM agents a
WHERE a.workspace_id = @workspace_id AND a.id = ANY(@agent_ids::uuid[]);

-- name: CountAgents :one
SELECT count(*) FROM agents WHERE workspace_id = $1 AND id = ANY(@agent_ids::uuid[]);

-- name: ListGrantedAgents :many
SELECT a.* FROM agents a
JOIN agent_grants g ON g.workspace_id = a.workspace_id AND g.agent_id = a.id
WHERE a.workspace_id = @workspace_id AND g.user_id = @user_id AND a.id > @after
ORDER BY a.id
LIMIT @max_rows;

-- name: UpdateWorkspace :one
UPDATE workspaces SET name = $2, default_country = $3, updated_at = now() WHERE id = $1 RETURNING *;

-- name: DeleteWorkspace :execrows
DELETE FROM workspaces WHERE id = $1;

-- name: CreateInvitation :one
INSERT INTO invitations (workspace_id, id, email, email_normalized, role, token_hash, invited_by, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING *;

-- name: ListInvitations :many
SELECT sqlc.embed(i), COALESCE(u.name, '') AS invited_by_name
FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
WHERE i.workspace_id = $1
ORDER BY i.created_at DESC, i.id DESC
LIMIT 500;

-- name: GetInvitationForUpdate :one
SELECT sqlc.embed(i), COALESCE(u.name, '') AS invited_by_name
FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
WHERE i.workspace_id = $1 AND i.id = $2
FOR UPDATE OF i;

-- name: GetInvitationByToken :one
SELECT sqlc.embed(i), w.name AS workspace_name
FROM invitations i JOIN workspaces w ON w.id = i.workspace_id
WHERE i.workspace_id = $1 AND i.token_hash = $2
FOR UPDATE OF i;

-- name: RenewInvitation :exec
UPDATE invitations SET token_hash = $3, expires_at = $4 WHERE workspace_id = $1 AND id = $2;

-- name: RevokeInvitation :exec
UPDATE invitations SET revoked_at = now() WHERE workspace_id = $1 AND id = $2;

-- name: MarkInvitationAccepted :exec
UPDATE invitations SET accepted_at = now(), accepted_by = $3 WHERE workspace_id = $1 AND id = $2;

-- name: IsMemberByEmail :one
SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
               WHERE m.workspace_id = $1 AND u.email_normalized = $2);
