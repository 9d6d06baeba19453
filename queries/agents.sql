-- name: CreateAgent :one
INSERT INTO agents (workspace_id, id, name, visibility, access_mode)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: GetAgent :one
SELECT * FROM agents WHERE workspace_id = $1 AND id = $2;

-- name: GetAgentForUpdate :one
SELECT * FROM agents WHERE workspace_id = $1 AND id = $2 FOR UPDATE;

-- name: ListAgents :many
-- Keyset pagination on the time-ordered id.
SELECT * FROM agents
WHERE workspace_id = @workspace_id AND id > @after
ORDER BY id
LIMIT @max_rows;

-- name: UpdateAgent :one
UPDATE agents
SET name = $3, visibility = $4, access_mode = $5, updated_at = now()
WHERE workspace_id = $1 AND id = $2
RETURNING *;
