-- +goose Up
-- subject_id: the object an audited change belongs to, for its history: a contact's own changes
-- and those of its notes and files all carry the contact's id. Text equality is leakproof, so
-- this index serves the app role under RLS (a lookup inside before/after JSON would not).
ALTER TABLE audit_log ADD COLUMN subject_id text NOT NULL DEFAULT '';
CREATE INDEX audit_log_subject ON audit_log (workspace_id, subject_id, id DESC) WHERE subject_id <> '';

-- +goose Down
DROP INDEX audit_log_subject;
ALTER TABLE audit_log DROP COLUMN subject_id;
