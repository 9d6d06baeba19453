-- +goose Up
-- An agent belongs to one workspace, and the planner should know it.
--
-- Without this, PostgreSQL takes `workspace_id = $1 AND agent_id = $2` for two independent
-- conditions and multiplies their selectivities. For a generic plan (the plan a prepared
-- statement keeps after five runs, which knows no values) that comes to a couple of rows, on a
-- table where one agent may hold a million contacts. The planner then prefers walking the
-- agent's rows over a lookup by id or by a unique key: measured in the bench database (1,000
-- workspaces, agents of 100,000 and 1,000,000 contacts), the chat save's duplicate lookup went
-- through an agent's 106,000 contacts (550 ms a candidate instead of 0.02 ms), and the automation
-- job's UPDATE and contact lock by id did the same (over a second a batch). Functional-dependency
-- statistics tell the planner that agent_id determines workspace_id, so the pair is estimated
-- as selective as agent_id alone, for generic and custom plans alike.
CREATE STATISTICS contacts_agent_workspace (dependencies) ON workspace_id, agent_id FROM contacts;
CREATE STATISTICS conversations_agent_workspace (dependencies) ON workspace_id, agent_id FROM conversations;
ANALYZE contacts, conversations;

-- +goose Down
DROP STATISTICS conversations_agent_workspace;
DROP STATISTICS contacts_agent_workspace;
