-- name: InsertAuditEntry :exec
INSERT INTO audit_log (workspace_id, id, actor_user_id, action, resource, resource_id, outcome,
                       ip, request_id, before, after)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: ListAuditEntries :many
SELECT * FROM audit_log
WHERE workspace_id = @workspace_id
ORDER BY created_at DESC, id DESC
LIMIT @max_rows;
