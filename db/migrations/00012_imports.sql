-- +goose Up
-- CSV imports of contacts (internal/imports). The file's bytes live in blob storage under
-- <workspace_id>/imports/<id>; an imports row describes the file (as detected on upload), the
-- mapping and mode chosen, and the run's progress. The run_import job works the file in chunks:
-- each chunk's contacts, its rows' outcomes (import_issues), its undo snapshots
-- (import_changes) and the checkpoint (rows_done) commit in one transaction, so a worker killed
-- mid-import resumes exactly where the last chunk ended.
CREATE TABLE imports (
    workspace_id     uuid NOT NULL,
    agent_id         uuid NOT NULL,
    id               uuid NOT NULL,
    -- the uploader's file name, sanitized; never used as a storage key
    file_name        text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    size_bytes       bigint NOT NULL CHECK (size_bytes >= 0),
    -- SHA-256 of the bytes as uploaded: a second upload of the same file is flagged
    checksum         text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    encoding         text NOT NULL CHECK (encoding IN ('utf-8', 'utf-16le', 'utf-16be', 'windows-1252')),
    delimiter        text NOT NULL CHECK (delimiter IN (',', ';', E'\t', '|')),
    -- false when the first row is already data (it holds an email address); the columns are
    -- then named Column 1, Column 2, ...
    has_header       boolean NOT NULL DEFAULT true,
    -- the column names (the header row's cells), as a JSON array of strings
    headers          jsonb NOT NULL CHECK (jsonb_typeof(headers) = 'array'),
    total_rows       integer NOT NULL CHECK (total_rows >= 0),
    mode             text NOT NULL DEFAULT 'create_and_update'
        CHECK (mode IN ('create_only', 'create_and_update', 'update_only')),
    -- one target per column, in column order: name, first_name, last_name, email, phone, stage,
    -- owner, external_id, custom:<key> or ignore
    mapping          jsonb NOT NULL CHECK (jsonb_typeof(mapping) = 'array'),
    status           text NOT NULL DEFAULT 'uploaded'
        CHECK (status IN ('uploaded', 'queued', 'running', 'finished', 'cancelled', 'failed', 'undoing', 'undone')),
    cancel_requested boolean NOT NULL DEFAULT false,
    -- the checkpoint: data rows whose outcome has committed (they are never read again)
    rows_done        integer NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
    created_count    integer NOT NULL DEFAULT 0,
    updated_count    integer NOT NULL DEFAULT 0,
    skipped_count    integer NOT NULL DEFAULT 0,
    rejected_count   integer NOT NULL DEFAULT 0,
    -- why the run failed (status failed), in words for the member
    error            text CHECK (length(error) <= 1000),
    -- after an undo: the updated contacts that were changed since the import and kept as they are
    undo_kept        jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(undo_kept) = 'array'),
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    undone_at        timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX imports_agent ON imports (workspace_id, agent_id, id DESC);
CREATE INDEX imports_checksum ON imports (workspace_id, agent_id, checksum);

-- import_templates: the mapping last used for a set of headers, per agent, offered again when
-- a file with the same headers arrives. header_key is the SHA-256 of the normalized headers.
CREATE TABLE import_templates (
    workspace_id uuid NOT NULL,
    agent_id     uuid NOT NULL,
    header_key   text NOT NULL CHECK (header_key ~ '^[0-9a-f]{64}$'),
    mode         text NOT NULL,
    mapping      jsonb NOT NULL CHECK (jsonb_typeof(mapping) = 'array'),
    updated_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, agent_id, header_key),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE
);

-- import_issues: the rows a run rejected (the error report) or skipped, with the reason. The
-- report re-reads the stored file for the rows' original cells, so only numbers are kept here.
CREATE TABLE import_issues (
    workspace_id uuid NOT NULL,
    import_id    uuid NOT NULL,
    -- the data row's number in the file, 1 for the first row after the header
    row_number   integer NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('reject', 'skip')),
    reason       text NOT NULL CHECK (length(reason) <= 500),
    PRIMARY KEY (workspace_id, import_id, row_number),
    FOREIGN KEY (workspace_id, import_id) REFERENCES imports (workspace_id, id) ON DELETE CASCADE
);

-- import_changes: what undo needs, one row per contact the run touched. A created contact is
-- deleted by undo; an updated one gets `before` back, unless its version moved past
-- version_after (changed since the import), in which case it is kept and listed.
CREATE TABLE import_changes (
    workspace_id  uuid NOT NULL,
    import_id     uuid NOT NULL,
    contact_id    uuid NOT NULL,
    created       boolean NOT NULL,
    -- an updated contact's writable fields before the import (NULL for a created one)
    before        jsonb,
    version_after integer NOT NULL,
    PRIMARY KEY (workspace_id, import_id, contact_id),
    CHECK (created = (before IS NULL)),
    FOREIGN KEY (workspace_id, import_id) REFERENCES imports (workspace_id, id) ON DELETE CASCADE
);

ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON imports
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
ALTER TABLE import_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_templates
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
ALTER TABLE import_issues ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_issues FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_issues
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);
ALTER TABLE import_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_changes
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- import_stage: the staging table a chunk is COPYed into (COPY into a table under row-level
-- security is refused). It exists only as a temporary table of the run's transaction
-- (queries/imports.sql CreateImportStage makes it, ON COMMIT DROP); declared here too so that
-- sqlc knows its columns. Created here as a temporary table, it leaves nothing in the schema.
CREATE TEMP TABLE import_stage (
    row_number       integer NOT NULL,
    name             text,
    email            text,
    email_normalized text,
    phone            text,
    external_id      text,
    stage_id         uuid,
    owner_id         uuid,
    custom           jsonb NOT NULL,
    -- what the parser found wrong with the row (NULL: nothing)
    problem          text,
    match_id         uuid,
    outcome          text,
    reason           text,
    new_id           uuid
) ON COMMIT DROP;

-- +goose Down
DROP TABLE import_changes;
DROP TABLE import_issues;
DROP TABLE import_templates;
DROP TABLE imports;
