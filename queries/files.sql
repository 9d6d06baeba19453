-- name: CreateFile :one
INSERT INTO contact_files (workspace_id, contact_id, id, name, size_bytes, declared_type, uploaded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: ListFiles :many
SELECT * FROM contact_files
WHERE workspace_id = $1 AND contact_id = $2
ORDER BY id DESC
LIMIT 500;

-- name: GetFile :one
SELECT * FROM contact_files WHERE workspace_id = $1 AND contact_id = $2 AND id = $3;

-- name: GetFileByID :one
SELECT * FROM contact_files WHERE workspace_id = $1 AND id = $2;

-- name: FinishFile :one
-- Records the job's verdict; only a file still processing changes (a second run finds none).
UPDATE contact_files
SET status = $3, content_type = $4, sha256 = $5, reject_reason = $6, processed_at = now()
WHERE workspace_id = $1 AND id = $2 AND status = 'processing'
RETURNING *;

-- name: DeleteFile :exec
DELETE FROM contact_files WHERE workspace_id = $1 AND contact_id = $2 AND id = $3;

-- name: ContactFileIDs :many
SELECT id FROM contact_files WHERE workspace_id = $1 AND contact_id = $2;
