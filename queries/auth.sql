-- Users and sessions are platform tables (see db/migrations/00001_foundation.sql).

-- name: CreateUser :one
INSERT INTO users (id, email, email_normalized, name, password_hash)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (email_normalized) DO NOTHING
RETURNING *;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE email_normalized = $1;

-- name: CreateSession :exec
INSERT INTO sessions (token_hash, user_id, current_workspace_id, ip, user_agent, expires_at)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: Authenticate :many
-- A request's sign-in in one statement, through tenant.SessionRead (whose settings, made from
-- the same token, open the member door for the session's user and enter their chosen
-- workspace): the user, one row per membership (oldest first; none: one row of NULLs), and
-- whether the agent is the entered workspace's and granted to the user. Rows of the other
-- workspaces say false: their agents are not visible in the entered one.
SELECT u.id AS user_id, u.email, u.name, s.current_workspace_id,
       w.id AS workspace_id, w.name AS workspace_name, m.role,
       EXISTS (SELECT 1 FROM agents a WHERE a.workspace_id = w.id AND a.id = @agent_id)::bool AS agent_exists,
       EXISTS (SELECT 1 FROM agent_grants g
               WHERE g.workspace_id = w.id AND g.agent_id = @agent_id AND g.user_id = u.id)::bool AS granted
FROM sessions s
JOIN users u ON u.id = s.user_id
LEFT JOIN memberships m ON m.user_id = u.id
LEFT JOIN workspaces w ON w.id = m.workspace_id
WHERE s.token_hash = @token_hash AND s.expires_at > now()
ORDER BY m.created_at, w.id;

-- name: SetSessionWorkspace :exec
UPDATE sessions SET current_workspace_id = $2 WHERE token_hash = $1;

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token_hash = $1;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expires_at <= now();
