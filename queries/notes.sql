-- name: CreateNote :one
INSERT INTO contact_notes (workspace_id, contact_id, id, author_id, body_html)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: ListNotes :many
SELECT sqlc.embed(n), COALESCE(u.name, '') AS author_name
FROM contact_notes n LEFT JOIN users u ON u.id = n.author_id
WHERE n.workspace_id = $1 AND n.contact_id = $2
ORDER BY n.id DESC
LIMIT 500;

-- name: GetNoteForUpdate :one
SELECT * FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2 AND id = $3 FOR UPDATE;

-- name: UpdateNote :one
UPDATE contact_notes SET body_html = $4, updated_at = now()
WHERE workspace_id = $1 AND contact_id = $2 AND id = $3
RETURNING *;

-- name: DeleteNote :exec
DELETE FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2 AND id = $3;
