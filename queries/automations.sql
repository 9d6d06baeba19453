-- name: StartingStage :one
-- The stage a new contact of the agent created by @source starts in: the stage of the rule in
-- effect (chat's when the method follows chat, which form, import and api do until changed),
-- or else the agent's first stage.
WITH own AS (
    SELECT COALESCE(
        (SELECT r.same_as_chat FROM automation_rules r
         WHERE r.workspace_id = @workspace_id AND r.agent_id = @agent_id AND r.source = @source::text),
        @source::text IN ('form', 'import', 'api')) AS follows_chat
), rule AS (
    SELECT r.stage_id FROM automation_rules r, own
    WHERE r.workspace_id = @workspace_id AND r.agent_id = @agent_id
      AND r.source = CASE WHEN own.follows_chat THEN 'chat' ELSE @source::text END
)
SELECT s.id FROM stages s
WHERE s.workspace_id = @workspace_id AND s.agent_id = @agent_id
ORDER BY (s.id = (SELECT stage_id FROM rule)) IS TRUE DESC, s.position, s.id
LIMIT 1;

-- name: ListAutomationRules :many
SELECT * FROM automation_rules WHERE workspace_id = @workspace_id AND agent_id = @agent_id ORDER BY source;

-- name: LockAutomationRules :many
-- The job's lock: rotations step under it, so concurrent jobs of one agent take turns in order.
SELECT * FROM automation_rules WHERE workspace_id = @workspace_id AND agent_id = @agent_id ORDER BY source FOR UPDATE;

-- name: ListAutomationPools :many
SELECT * FROM automation_pool WHERE workspace_id = @workspace_id AND agent_id = @agent_id ORDER BY source, slot, position;

-- name: UpsertAutomationRule :exec
INSERT INTO automation_rules (workspace_id, agent_id, source, same_as_chat, primary_strategy, primary_member_id,
                              secondary_strategy, secondary_member_id, stage_id, notify)
VALUES (@workspace_id, @agent_id, @source, @same_as_chat, @primary_strategy, @primary_member_id,
        @secondary_strategy, @secondary_member_id, @stage_id, @notify)
ON CONFLICT (workspace_id, agent_id, source) DO UPDATE
SET same_as_chat = EXCLUDED.same_as_chat, primary_strategy = EXCLUDED.primary_strategy,
    primary_member_id = EXCLUDED.primary_member_id, secondary_strategy = EXCLUDED.secondary_strategy,
    secondary_member_id = EXCLUDED.secondary_member_id, stage_id = EXCLUDED.stage_id, notify = EXCLUDED.notify,
    updated_at = now();

-- name: ClearAutomationPool :exec
DELETE FROM automation_pool WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND source = @source;

-- name: SetAutomationPool :exec
-- Positions follow the order of @user_ids (1, 2, ...).
INSERT INTO automation_pool (workspace_id, agent_id, source, slot, user_id, position)
SELECT @workspace_id, @agent_id, @source, @slot, u.id, u.position
FROM unnest(@user_ids::uuid[]) WITH ORDINALITY AS u (id, position);

-- name: SetAutomationTurns :exec
UPDATE automation_rules SET primary_turn = @primary_turn, secondary_turn = @secondary_turn,
    primary_picks = @primary_picks, secondary_picks = @secondary_picks
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND source = @source;

-- name: AgentMembers :many
-- The members who may own the agent's contacts (owners and admins work in every agent, users in
-- those granted to them), with the role for the workspace owner.
SELECT m.user_id, m.role, u.name, u.email
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = @workspace_id
  AND (m.role IN ('owner', 'admin') OR EXISTS (
        SELECT 1 FROM agent_grants g
        WHERE g.workspace_id = m.workspace_id AND g.agent_id = @agent_id AND g.user_id = m.user_id))
ORDER BY u.name, m.user_id;

-- name: ActiveContactLoads :many
-- How many active contacts of the agent each member owns, as primary and as secondary owner.
SELECT u.id::uuid AS user_id,
       (SELECT count(*) FROM contacts c WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id
          AND c.status = 'active' AND c.primary_owner_id = u.id) AS as_primary,
       (SELECT count(*) FROM contacts c WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id
          AND c.status = 'active' AND c.secondary_owner_id = u.id) AS as_secondary
FROM unnest(@user_ids::uuid[]) AS u (id);

-- name: LockContactsToAutomate :many
-- The job's contacts that have not been automated yet, locked in id order (no deadlocks between
-- jobs); the others were done by an earlier run of the job.
SELECT c.id, c.source, c.created_by, c.primary_owner_id, c.secondary_owner_id, c.name, c.email, c.phone
FROM contacts c
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = ANY(@ids::uuid[]) AND c.automated_at IS NULL
ORDER BY c.id
FOR UPDATE;

-- name: SetAutomatedOwners :exec
-- Fills the owners of automated contacts and marks them done. The nil uuid means nobody was
-- chosen: the contact keeps what it has (uuid arrays cannot hold NULL from Go). The two ids are
-- equal only when both are nil (a secondary is never the primary): then nothing changed.
UPDATE contacts c
SET primary_owner_id = COALESCE(c.primary_owner_id, NULLIF(a.primary_id, '00000000-0000-0000-0000-000000000000'::uuid)),
    secondary_owner_id = COALESCE(c.secondary_owner_id, NULLIF(a.secondary_id, '00000000-0000-0000-0000-000000000000'::uuid)),
    automated_at = now(),
    updated_at = CASE WHEN a.primary_id = a.secondary_id THEN c.updated_at ELSE now() END,
    version = CASE WHEN a.primary_id = a.secondary_id THEN c.version ELSE c.version + 1 END
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@primary_ids::uuid[]) AS primary_id,
             unnest(@secondary_ids::uuid[]) AS secondary_id) a
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = a.id;

-- name: PendingAutomations :many
-- The agent's contacts whose automation has not run yet (their jobs are still waiting), in the
-- order the jobs take them (id order), at most @max_rows: Simulate steps the rotations and loads
-- through them before the contacts it simulates.
SELECT c.id, c.source, c.created_by, c.primary_owner_id, c.secondary_owner_id
FROM contacts c
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.automated_at IS NULL
ORDER BY c.id
LIMIT @max_rows;
