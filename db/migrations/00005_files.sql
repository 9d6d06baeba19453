-- +goose Up
-- Files on a contact. The bytes live in blob storage (GUESTLIST_BLOB_URL) under the key
-- <workspace_id>/<id>, never under the uploader's file name; a row describes them. A file is
-- uploaded as processing; the process_file job sniffs its real type from the content, computes
-- its SHA-256 and marks it ready or rejected (executables and scripts, see docs/SECURITY.md).
-- Only a ready file can be downloaded.
CREATE TABLE contact_files (
    workspace_id  uuid NOT NULL,
    contact_id    uuid NOT NULL,
    id            uuid NOT NULL,
    -- the uploader's file name, sanitized (no path, no control or bidi characters)
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
    -- the Content-Type the client sent with the file: information only, never trusted
    declared_type text NOT NULL DEFAULT '' CHECK (length(declared_type) <= 255),
    -- the type sniffed from the content by the job; '' while processing
    content_type  text NOT NULL DEFAULT '' CHECK (length(content_type) <= 255),
    sha256        text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    status        text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'ready', 'rejected')),
    reject_reason text CHECK (length(reject_reason) <= 500),
    uploaded_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    processed_at  timestamptz,
    PRIMARY KEY (workspace_id, id),
    CHECK ((status = 'rejected') = (reject_reason IS NOT NULL)),
    CHECK ((status = 'processing') = (processed_at IS NULL)),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_files_contact ON contact_files (workspace_id, contact_id, id);

ALTER TABLE contact_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contact_files
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::uuid);

-- +goose Down
DROP TABLE contact_files;
