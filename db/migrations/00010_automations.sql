-- +goose Up
-- automation_rules: how an agent's new contacts get their owners and starting stage, one row per
-- creation method (the contact's source). No row means the default: for chat and manual, the
-- workspace owner as primary owner, no secondary, the first stage; for form, import and api,
-- the same as chat. A row for form, import or api with same_as_chat follows chat's row too
-- (and its rotation).
CREATE TABLE automation_rules (
    workspace_id        uuid NOT NULL,
    agent_id            uuid NOT NULL,
    source              text NOT NULL CHECK (source IN ('chat', 'form', 'manual', 'import', 'api')),
    same_as_chat        boolean NOT NULL DEFAULT false CHECK (NOT same_as_chat OR source IN ('form', 'import', 'api')),
    primary_strategy    text NOT NULL DEFAULT 'workspace_owner'
        CHECK (primary_strategy IN ('creator', 'workspace_owner', 'member', 'round_robin', 'least_loaded', 'none')),
    primary_member_id   uuid,
    secondary_strategy  text NOT NULL DEFAULT 'none'
        CHECK (secondary_strategy IN ('creator', 'workspace_owner', 'member', 'round_robin', 'least_loaded', 'none')),
    secondary_member_id uuid,
    -- NULL: the agent's first stage at the time of creation
    stage_id            uuid,
    -- email the assigned owner(s) about the new contact
    notify              boolean NOT NULL DEFAULT false,
    -- round-robin state: how many picks each rotation has made; the next pick is
    -- pool[turn mod size]. Written in the job's transaction, under this row's lock.
    primary_turn        bigint NOT NULL DEFAULT 0,
    secondary_turn      bigint NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, agent_id, source),
    CHECK (source = 'manual' OR (primary_strategy <> 'creator' AND secondary_strategy <> 'creator')),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, stage_id) REFERENCES stages (workspace_id, id) ON DELETE SET NULL (stage_id),
    FOREIGN KEY (workspace_id, primary_member_id) REFERENCES memberships (workspace_id, user_id) ON DELETE SET NULL (primary_member_id),
    FOREIGN KEY (workspace_id, secondary_member_id) REFERENCES memberships (workspace_id, user_id) ON DELETE SET NULL (secondary_member_id)
);

-- automation_pool: the ordered members a round robin or least-loaded strategy picks from. A
-- member removed from the workspace leaves every pool (the cascade).
CREATE TABLE automation_pool (
    workspace_id uuid NOT NULL,
    agent_id     uuid NOT NULL,
    source       text NOT NULL,
    slot         text NOT NULL CHECK (slot IN ('primary', 'secondary')),
    user_id      uuid NOT NULL,
    position     integer NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, source, slot, user_id),
    FOREIGN KEY (workspace_id, agent_id, source) REFERENCES automation_rules (workspace_id, agent_id, source) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, user_id) REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX automation_pool_member ON automation_pool (workspace_id, user_id);

ALTER TABLE automation_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE automation_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON automation_rules
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
ALTER TABLE automation_pool ENABLE ROW LEVEL SECURITY;
ALTER TABLE automation_pool FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON automation_pool
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- automated_at: when the contact's automation ran. NULL while its job is pending; the job acts
-- only on contacts still NULL, so a second run changes nothing. Contacts older than automations
-- stay NULL and never get a job.
ALTER TABLE contacts ADD COLUMN automated_at timestamptz;

-- +goose Down
ALTER TABLE contacts DROP COLUMN automated_at;
DROP TABLE automation_pool;
DROP TABLE automation_rules;
