-- +goose Up
-- Custom fields: typed fields an agent defines for its contacts. A contact keeps its values in
-- contacts.custom, a JSON object keyed by the field's key (stable, immutable after creation),
-- validated and normalized by internal/fields on every write path. Values of select fields are
-- option ids, so renaming an option never touches stored values.

CREATE TABLE custom_fields (
    workspace_id  uuid NOT NULL,
    agent_id      uuid NOT NULL,
    id            uuid NOT NULL,
    key           text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    label         text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    type          text NOT NULL CHECK (type IN ('text', 'long_text', 'number', 'date', 'datetime', 'checkbox',
                                                'single_select', 'multi_select', 'email', 'phone', 'url')),
    help_text     text NOT NULL DEFAULT '' CHECK (length(help_text) <= 500),
    required      boolean NOT NULL DEFAULT false,
    -- "unique" is a reserved word; the API calls it unique.
    is_unique     boolean NOT NULL DEFAULT false,
    -- the normalized value new contacts get when none is given (NULL: none)
    default_value jsonb,
    -- select options, in display order: [{"id": uuid, "label": text, "retired": bool}]. Options are
    -- never removed, only retired, so every stored option id keeps resolving.
    options       jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(options) = 'array'),
    position      integer NOT NULL,
    ai_policy     text NOT NULL DEFAULT 'off' CHECK (ai_policy IN ('off', 'fill_empty', 'overwrite')),
    ai_hint       text NOT NULL DEFAULT '' CHECK (length(ai_hint) <= 500),
    archived_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, agent_id, key),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX custom_fields_agent ON custom_fields (workspace_id, agent_id, position);

ALTER TABLE custom_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_fields FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON custom_fields
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- The values. Adding a column with a constant default rewrites nothing.
ALTER TABLE contacts ADD COLUMN custom jsonb NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(custom) = 'object');

-- +goose Down
ALTER TABLE contacts DROP COLUMN custom;
DROP TABLE custom_fields;
