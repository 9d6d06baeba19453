-- +goose Up
-- The agent's CRM, first part: pipeline stages, contacts and notes.

-- Trigram similarity for "similar contacts" (pg_trgm is a trusted extension: the database owner
-- may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Phones are stored in E.164; numbers typed without a country code are read in this country.
ALTER TABLE workspaces ADD COLUMN default_country text NOT NULL DEFAULT 'US'
    CHECK (default_country ~ '^[A-Z]{2}$');

CREATE TABLE stages (
    workspace_id uuid NOT NULL,
    agent_id     uuid NOT NULL,
    id           uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    position     integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX stages_name ON stages (workspace_id, agent_id, lower(name));
CREATE INDEX stages_agent ON stages (workspace_id, agent_id, position);

-- contacts: a person in one agent's CRM. A contact needs an email or a phone. Among active
-- contacts of an agent, a normalized email, a phone and an external id each appear once.
CREATE TABLE contacts (
    workspace_id       uuid NOT NULL,
    agent_id           uuid NOT NULL,
    id                 uuid NOT NULL,
    name               text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    email              text CHECK (length(email) <= 254),
    email_normalized   text,
    phone              text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    stage_id           uuid,
    primary_owner_id   uuid,
    secondary_owner_id uuid,
    source             text NOT NULL CHECK (source IN ('chat', 'form', 'manual', 'import', 'api')),
    external_id        text CHECK (length(external_id) BETWEEN 1 AND 200),
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    -- what search matches: lower-cased name, email and phone digits (kept by the application)
    search_text        text NOT NULL DEFAULT '',
    PRIMARY KEY (workspace_id, id),
    CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CHECK (secondary_owner_id IS NULL OR secondary_owner_id <> primary_owner_id),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, stage_id) REFERENCES stages (workspace_id, id) ON DELETE SET NULL (stage_id),
    FOREIGN KEY (workspace_id, primary_owner_id) REFERENCES memberships (workspace_id, user_id) ON DELETE SET NULL (primary_owner_id),
    FOREIGN KEY (workspace_id, secondary_owner_id) REFERENCES memberships (workspace_id, user_id) ON DELETE SET NULL (secondary_owner_id)
);
CREATE UNIQUE INDEX contacts_email ON contacts (workspace_id, agent_id, email_normalized)
    WHERE status = 'active' AND email_normalized IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone ON contacts (workspace_id, agent_id, phone)
    WHERE status = 'active' AND phone IS NOT NULL;
CREATE UNIQUE INDEX contacts_external_id ON contacts (workspace_id, agent_id, external_id)
    WHERE status = 'active' AND external_id IS NOT NULL;
CREATE INDEX contacts_agent ON contacts (workspace_id, agent_id, id);
CREATE INDEX contacts_stage ON contacts (workspace_id, agent_id, stage_id);
CREATE INDEX contacts_primary_owner ON contacts (workspace_id, primary_owner_id);
CREATE INDEX contacts_secondary_owner ON contacts (workspace_id, secondary_owner_id);

-- contact_notes: rich text, sanitized on the server before it is stored.
CREATE TABLE contact_notes (
    workspace_id uuid NOT NULL,
    contact_id   uuid NOT NULL,
    id           uuid NOT NULL,
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    body_html    text NOT NULL CHECK (length(body_html) <= 100000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_notes_contact ON contact_notes (workspace_id, contact_id, id);

-- Every existing agent gets the default pipeline (new agents get it from the application).
-- A data migration runs as the owner, whom FORCE binds to the policies like everyone: lift it
-- on the tables involved for this transaction only (the migration is one transaction).
ALTER TABLE agents NO FORCE ROW LEVEL SECURITY;
INSERT INTO stages (workspace_id, agent_id, id, name, position)
SELECT a.workspace_id, a.id, gen_random_uuid(), s.name, s.position
FROM agents a CROSS JOIN (VALUES ('Lead', 1), ('Prospect', 2), ('Customer', 3), ('Old Customer', 4)) AS s (name, position);
ALTER TABLE agents FORCE ROW LEVEL SECURITY;

ALTER TABLE stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE stages FORCE ROW LEVEL SECURITY;
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON stages
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
CREATE POLICY tenant ON contacts
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
CREATE POLICY tenant ON contact_notes
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);


-- +goose Down
DROP TABLE contact_notes;
DROP TABLE contacts;
DROP TABLE stages;
ALTER TABLE workspaces DROP COLUMN default_country;
