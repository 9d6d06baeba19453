-- +goose Up
-- import_stage (00012) gains the contacts that hold each row's external id, email and phone,
-- found by one matching statement (queries/imports.sql MatchImportRows): the row matches the
-- first of them, and the others tell whether its details belong to another contact. The table
-- only ever exists as a temporary table of an import's transaction; it is declared again here
-- so that sqlc knows its columns, and leaves nothing in the schema.
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
