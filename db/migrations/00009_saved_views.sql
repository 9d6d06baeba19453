-- +goose Up
-- saved_views: named states of an agent's contact list (filters and columns). A personal view
-- belongs to a member (user_id) and goes with their membership; a shared one (user_id NULL) is
-- the team's.
CREATE TABLE saved_views (
    workspace_id uuid NOT NULL,
    agent_id     uuid NOT NULL,
    id           uuid NOT NULL,
    user_id      uuid,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    query        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(query) = 'object'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, user_id) REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
-- Names are unique per owner (the team counts as one owner) and agent.
CREATE UNIQUE INDEX saved_views_name ON saved_views
    (workspace_id, agent_id, COALESCE(user_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_views FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON saved_views
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- +goose Down
DROP TABLE saved_views;
