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

-- name: GetSession :one
SELECT s.token_hash, s.current_workspace_id, s.expires_at,
       u.id AS user_id, u.email, u.name
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now();

-- name: SetSessionWorkspace :exec
UPDATE sessions SET current_workspace_id = $2 WHERE token_hash = $1;

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token_hash = $1;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expires_at <= now();
