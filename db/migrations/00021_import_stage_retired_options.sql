-- +goose Up
-- import_stage (00016) gains the retired select options each row names: a retired option may
-- stay on a contact that holds it (an export imported back) but is never chosen anew, which
-- only SQL can tell once the row is matched (queries/imports.sql RejectRetiredOptions). As in
-- 00016, the table only ever exists as a temporary table of an import's transaction; it is
-- declared here so that sqlc knows its columns, and leaves nothing in the schema.
DROP TABLE IF EXISTS import_stage;
CREATE TEMP TABLE import_stage (
    row_number         integer NOT NULL,
    name               text,
    email              text,
    email_normalized   text,
    phone              text,
    external_id        text,
    stage_id           uuid,
    owner_id           uuid,
    custom             jsonb NOT NULL,
    retired            jsonb,
    problem            text,
    match_id           uuid,
    outcome            text,
    reason             text,
    new_id             uuid,
    external_id_holder uuid,
    email_holder       uuid,
    phone_holder       uuid
) ON COMMIT DROP;

-- +goose Down
SELECT 1;
