-- name: SearchAuditEntries :many
-- Filters are optional (NULL: any). Keyset pagination on the time-ordered id, newest first.
SELECT sqlc.embed(a), u.name AS actor_name, u.email AS actor_email
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
WHERE a.workspace_id = @workspace_id
  AND (sqlc.narg(actor_id)::uuid IS NULL OR a.actor_user_id = sqlc.narg(actor_id))
  AND (sqlc.narg(action)::text IS NULL OR a.action = sqlc.narg(action))
  AND (sqlc.narg(resource)::text IS NULL OR a.resource = sqlc.narg(resource))
  AND (sqlc.narg(from_time)::timestamptz IS NULL OR a.created_at >= sqlc.narg(from_time))
  AND (sqlc.narg(to_time)::timestamptz IS NULL OR a.created_at < sqlc.narg(to_time))
  AND (sqlc.narg(before_id)::uuid IS NULL OR a.id < sqlc.narg(before_id))
ORDER BY a.id DESC
LIMIT @max_rows;

-- name: SubjectHistory :many
-- The history of one object (a contact with its notes and files), newest first.
SELECT sqlc.embed(a), u.name AS actor_name, u.email AS actor_email
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
WHERE a.workspace_id = @workspace_id AND a.subject_id = @subject_id
ORDER BY a.id DESC
LIMIT @max_rows;

-- name: InsertAuditEntries :exec
-- Many entries in one statement, each with its own actor (one request's changes, or a batch
-- carrying many requests' changes: chat's group commit). The nil uuid is no user; '' is no ip.
INSERT INTO audit_log (workspace_id, id, actor_user_id, action, resource, resource_id, outcome,
                       ip, request_id, before, after, subject_id)
SELECT @workspace_id, e.id, NULLIF(e.actor_user_id, '00000000-0000-0000-0000-000000000000'::uuid), e.action, e.resource,
       e.resource_id, e.outcome, NULLIF(e.ip, '')::inet, e.request_id, e.before, e.after, e.subject_id
-- (arrays of one length unnested side by side in the select list pair up element by element)
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@actor_user_ids::uuid[]) AS actor_user_id, unnest(@actions::text[]) AS action,
             unnest(@resources::text[]) AS resource, unnest(@resource_ids::text[]) AS resource_id,
             unnest(@outcomes::text[]) AS outcome, unnest(@ips::text[]) AS ip, unnest(@request_ids::text[]) AS request_id,
             unnest(@befores::jsonb[]) AS before, unnest(@afters::jsonb[]) AS after, unnest(@subject_ids::text[]) AS subject_id) e;

-- name: ContactsMergedInto :many
-- The contacts merged into this one, directly or through earlier merges: each merge leaves a
-- merged_into entry (resource_id the merged contact, subject_id the survivor), and the merged
-- contact's older history stays filed under its own id. A privacy erase and export follow
-- them. (The explicit non-empty subject_id lets the partial subject index serve both steps.)
WITH RECURSIVE merged (id) AS (
    SELECT a.resource_id FROM audit_log a
    WHERE a.workspace_id = @workspace_id AND a.subject_id = @subject_id::text AND a.subject_id <> ''
      AND a.resource = 'contacts' AND a.action = 'merged_into'
    UNION
    SELECT a.resource_id FROM audit_log a JOIN merged m ON a.subject_id = m.id
    WHERE a.workspace_id = @workspace_id AND a.subject_id <> '' AND a.resource = 'contacts' AND a.action = 'merged_into'
)
SELECT id::text FROM merged;

-- name: RedactAuditSubjects :one
-- redact_audit_subject (db/migrations/00008_privacy.sql) for each subject; how many entries
-- lost their values.
SELECT COALESCE(sum(redact_audit_subject(s)), 0)::int FROM unnest(@subject_ids::text[]) AS s;

-- name: SubjectsHistoryPage :many
-- The history of several subjects (a contact and those merged into it), newest first, below
-- before_id (NULL: from the newest): the privacy export reads it all, page after page.
SELECT sqlc.embed(a), u.name AS actor_name, u.email AS actor_email
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
WHERE a.workspace_id = @workspace_id AND a.subject_id = ANY(@subject_ids::text[]) AND a.subject_id <> ''
  AND (sqlc.narg(before_id)::uuid IS NULL OR a.id < sqlc.narg(before_id))
ORDER BY a.id DESC
LIMIT @max_rows;
