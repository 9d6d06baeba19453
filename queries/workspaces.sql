-- name: CreateWorkspace :one
INSERT INTO workspaces (id, name) VALUES ($1, $2) RETURNING *;

-- name: GetWorkspace :one
SELECT * FROM workspaces WHERE id = $1;

-- name: CreateMembership :one
INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3) RETURNING *;

-- name: GetMembershipRole :one
SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2;

-- name: ListUserMemberships :many
-- Runs through tenant.UserTx: the member_self policies show one user's own memberships.
SELECT w.id, w.name, m.role
FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
WHERE m.user_id = $1
ORDER BY m.created_at, w.id;
