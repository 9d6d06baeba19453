-- name: CreateStage :one
INSERT INTO stages (workspace_id, agent_id, id, name, position)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: ListStages :many
SELECT s.*, (SELECT count(*) FROM contacts c
             WHERE c.workspace_id = s.workspace_id AND c.stage_id = s.id AND c.status = 'active') AS contact_count
FROM stages s
WHERE s.workspace_id = $1 AND s.agent_id = $2
ORDER BY s.position, s.id;

-- name: GetStageForUpdate :one
SELECT * FROM stages WHERE workspace_id = $1 AND agent_id = $2 AND id = $3 FOR UPDATE;

-- name: LockStageShared :one
-- A contact write checks its stage is the agent's and keeps it from being removed until commit;
-- a shared lock, so that concurrent writes into one stage do not queue behind each other.
SELECT id FROM stages WHERE workspace_id = $1 AND agent_id = $2 AND id = $3 FOR SHARE;

-- name: RenameStage :one
UPDATE stages SET name = $4 WHERE workspace_id = $1 AND agent_id = $2 AND id = $3 RETURNING *;

-- name: SetStagePositions :exec
-- Positions follow the order of @ids (1, 2, ...).
UPDATE stages s SET position = o.position
FROM unnest(@ids::uuid[]) WITH ORDINALITY AS o (id, position)
WHERE s.workspace_id = @workspace_id AND s.agent_id = @agent_id AND s.id = o.id;

-- name: NextStagePosition :one
SELECT COALESCE(max(position), 0) + 1 FROM stages WHERE workspace_id = $1 AND agent_id = $2;

-- name: CountStages :one
SELECT count(*) FROM stages WHERE workspace_id = $1 AND agent_id = $2;

-- name: MoveStageContacts :many
-- The contacts moved, for their history (one audit entry each).
UPDATE contacts SET stage_id = @to_stage, updated_at = now(), version = version + 1
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND stage_id = @from_stage
RETURNING id;

-- name: DeleteStage :exec
DELETE FROM stages WHERE workspace_id = $1 AND agent_id = $2 AND id = $3;

-- name: StageOfAgent :one
SELECT EXISTS (SELECT 1 FROM stages WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id)::bool;

-- name: StageName :one
SELECT name FROM stages WHERE workspace_id = @workspace_id AND id = @id;
