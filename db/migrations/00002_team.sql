-- +goose Up
-- The team: invitations by email and the agents a `user` member may work in.

-- invitations: a single-use link, valid until expires_at. The link carries the workspace id and
-- a random secret; only the secret's SHA-256 is stored. At most one open (not accepted, not
-- revoked) invitation per email and workspace: resend renews it instead of stacking links.
CREATE TABLE invitations (
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id               uuid NOT NULL,
    email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    email_normalized text NOT NULL,
    role             text NOT NULL CHECK (role IN ('admin', 'user')),
    token_hash       bytea NOT NULL,
    invited_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    accepted_at      timestamptz,
    accepted_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at       timestamptz,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, token_hash)
);
CREATE UNIQUE INDEX invitations_one_open ON invitations (workspace_id, email_normalized)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- agent_grants: the agents a member with role `user` works in. Owners and admins work in every
-- agent and need no rows. Removing the member or the agent removes the grant.
CREATE TABLE agent_grants (
    workspace_id uuid NOT NULL,
    agent_id     uuid NOT NULL,
    user_id      uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, agent_id, user_id),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, user_id) REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX agent_grants_user ON agent_grants (workspace_id, user_id);

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
ALTER TABLE agent_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invitations
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
CREATE POLICY tenant ON agent_grants
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

CREATE INDEX audit_log_workspace_actor ON audit_log (workspace_id, actor_user_id, created_at DESC);

-- +goose Down
DROP INDEX audit_log_workspace_actor;
DROP TABLE agent_grants;
DROP TABLE invitations;
