-- name: ListViews :many
-- The shared views and the member's own, by name.
SELECT * FROM saved_views
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND (user_id IS NULL OR user_id = @user_id)
ORDER BY user_id NULLS FIRST, lower(name), id;

-- name: CountViews :one
SELECT count(*) FROM saved_views
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND user_id IS NOT DISTINCT FROM sqlc.narg(user_id);

-- name: CreateView :one
INSERT INTO saved_views (workspace_id, agent_id, id, user_id, name, query)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: GetViewForUpdate :one
SELECT * FROM saved_views WHERE workspace_id = $1 AND agent_id = $2 AND id = $3 FOR UPDATE;

-- name: UpdateView :one
UPDATE saved_views SET name = $4, user_id = $5, query = $6, updated_at = now()
WHERE workspace_id = $1 AND agent_id = $2 AND id = $3
RETURNING *;

-- name: DeleteView :exec
DELETE FROM saved_views WHERE workspace_id = $1 AND agent_id = $2 AND id = $3;
