-- The authentication transaction's statements that also set its tenant context (see
-- tenant.SignInTx). Each sets a transaction-local setting as a side effect of the row it
-- returns, so opening a door costs no round trip of its own; the setting takes effect for the
-- transaction's later statements.

-- name: OpenSession :one
-- A live session and its user; the same statement opens the member door (app.user_id) for
-- that user: the session row is what proves who they are.
SELECT s.token_hash, s.current_workspace_id, s.expires_at, u.id AS user_id, u.email, u.name,
       set_config('app.user_id', u.id::text, true) AS member_door
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = @token_hash AND s.expires_at > now();

-- name: EnterMemberships :many
-- The member's workspaces through the member door (oldest membership first), entering one of
-- them (app.workspace_id): preferred when they are still a member there, else the first. Every
-- row is the member's own (m.user_id), whichever policy shows it, before or after the setting.
WITH mine AS (
    SELECT w.id, w.name, m.role, m.created_at
    FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
    WHERE m.user_id = @user_id
), entered AS (
    SELECT set_config('app.workspace_id', mine.id::text, true) AS workspace_id FROM mine
    ORDER BY (mine.id = sqlc.narg(preferred)::uuid) IS TRUE DESC, mine.created_at, mine.id
    LIMIT 1
)
SELECT mine.id, mine.name, mine.role, (SELECT e.workspace_id FROM entered e)::text AS entered
FROM mine
ORDER BY mine.created_at, mine.id;
