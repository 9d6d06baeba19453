-- +goose Up
-- The foundation schema. Conventions every later migration follows (checked by
-- internal/tenant's catalog test):
--   * a tenant table carries workspace_id uuid NOT NULL, ENABLE and FORCE ROW LEVEL SECURITY,
--     a policy on NULLIF(current_setting('app.workspace_id', true), '')::uuid (the setting reads
--     '' rather than NULL on a pooled connection that has used it once), and an index, primary
--     key, unique constraint and foreign key to another tenant table that lead with workspace_id;
--   * ids are UUIDv7 made by the application, so primary-key indexes stay append-mostly;
--   * platform tables (global identities, sessions) carry no workspace_id and say why here.

-- users: global identities. A person signs in once and may belong to several workspaces, so a
-- user row belongs to no workspace. Platform table, reviewed: the app reaches it only through
-- internal/auth (sign-up, sign-in, session lookup); member lists join it inside a workspace
-- transaction that the memberships policy already narrows.
CREATE TABLE users (
    id               uuid PRIMARY KEY,
    email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    email_normalized text NOT NULL UNIQUE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    password_hash    text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- sessions: member sign-in sessions. Platform table, reviewed: a session belongs to a user, not a
-- workspace (the user switches between workspaces inside one session). Only the SHA-256 of the
-- cookie token is stored, so a leaked table cannot be replayed as cookies.
CREATE TABLE sessions (
    token_hash           bytea PRIMARY KEY,
    user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    current_workspace_id uuid,
    ip                   inet,
    user_agent           text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now(),
    expires_at           timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- workspaces: the tenant itself. Its id is the workspace_id of every tenant row, so it is under
-- RLS on id.
CREATE TABLE workspaces (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 3 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'user')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
-- Exactly one owner per workspace (at most one here; sign-up and transfer keep it at one).
CREATE UNIQUE INDEX memberships_one_owner ON memberships (workspace_id) WHERE role = 'owner';
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE agents (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    visibility   text NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public')),
    access_mode  text NOT NULL DEFAULT 'free' CHECK (access_mode IN ('free', 'restricted', 'paid')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);

-- audit_log: every write, by whom, from where, with the values before and after. Append-only for
-- the app role (see the grants in internal/migrate).
CREATE TABLE audit_log (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            uuid NOT NULL,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action        text NOT NULL,
    resource      text NOT NULL,
    resource_id   text NOT NULL DEFAULT '',
    outcome       text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    ip            inet,
    request_id    text NOT NULL DEFAULT '',
    before        jsonb,
    after         jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX audit_log_workspace_created ON audit_log (workspace_id, created_at DESC);

-- Row-level security. The tenant context is transaction-local (set by internal/tenant); no
-- context means no rows.
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant ON workspaces
    USING (id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
CREATE POLICY tenant ON memberships
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
CREATE POLICY tenant ON agents
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
CREATE POLICY tenant ON audit_log
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- The member door, reviewed: signing in and switching workspaces need the signed-in user's own
-- memberships across workspaces, and those workspaces' names. internal/tenant sets app.user_id
-- only after authenticating the user (tenant.UserTx), and these policies are SELECT-only: the
-- door reads one person's own memberships and nothing else of any workspace.
CREATE POLICY member_self ON memberships FOR SELECT
    USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid);
CREATE POLICY member_self ON workspaces FOR SELECT
    USING (id IN (SELECT m.workspace_id FROM memberships m
                  WHERE m.user_id = NULLIF(current_setting('app.user_id', true), '')::uuid));

-- +goose Down
DROP TABLE audit_log;
DROP TABLE agents;
DROP TABLE memberships;
DROP TABLE workspaces;
DROP TABLE sessions;
DROP TABLE users;
