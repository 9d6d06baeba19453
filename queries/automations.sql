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
