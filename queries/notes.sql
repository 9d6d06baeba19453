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
-- The note as changed, with its author's name (the author, not the editor: an admin may edit).
UPDATE contact_notes n SET body_html = $4, updated_at = now()
WHERE n.workspace_id = $1 AND n.contact_id = $2 AND n.id = $3
RETURNING n.*, COALESCE((SELECT u.name FROM users u WHERE u.id = n.author_id), '')::text AS author_name;

-- name: DeleteNote :exec
DELETE FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2 AND id = $3;

-- name: NotesPage :many
-- A contact's notes, newest first, below before_id (NULL: from the newest), uncapped for the
-- privacy export, which reads them page after page.
SELECT sqlc.embed(n), COALESCE(u.name, '') AS author_name
FROM contact_notes n LEFT JOIN users u ON u.id = n.author_id
WHERE n.workspace_id = @workspace_id AND n.contact_id = @contact_id
  AND (sqlc.narg(before_id)::uuid IS NULL OR n.id < sqlc.narg(before_id))
ORDER BY n.id DESC
LIMIT @max_rows;
