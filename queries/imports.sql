-- name: CreateImport :one
INSERT INTO imports (workspace_id, agent_id, id, file_name, size_bytes, checksum, encoding, delimiter, has_header,
                     headers, total_rows, mode, mapping, status, created_by)
VALUES (@workspace_id, @agent_id, @id, @file_name, @size_bytes, @checksum, @encoding, @delimiter, @has_header,
        @headers, @total_rows, @mode, @mapping, @status, @created_by)
RETURNING *;

-- name: GetImport :one
SELECT * FROM imports WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND id = @id;

-- name: GetImportByID :one
SELECT * FROM imports WHERE workspace_id = @workspace_id AND id = @id;

-- name: LockImport :one
-- The run's and the member's lock on an import: a chunk commits under it, so two runs of the
-- job (River delivers at least once) never write the same rows, and cancel and undo wait for
-- the chunk in flight. NO KEY: the next chunk, written meanwhile, holds the key-share locks of
-- its import_changes and import_issues rows' foreign keys on the same import, and commits
-- after this one.
SELECT * FROM imports WHERE workspace_id = @workspace_id AND id = @id FOR NO KEY UPDATE;

-- name: BoundImportLockWaits :exec
-- A chunk's transaction waits at most a minute for a row lock. Chunks of one run never wait for
-- each other in the database (see RunImport), but a chunk waits in the worker for the chunk
-- before it to commit, a wait PostgreSQL's deadlock detector cannot see: should two runs of the
-- same job ever overlap (River delivers at least once) and lock each other's rows, the chunk
-- fails after a minute and the job is retried, instead of both waiting forever.
SELECT set_config('lock_timeout', '60s', true);

-- name: ListImports :many
SELECT * FROM imports
WHERE workspace_id = @workspace_id AND agent_id = @agent_id
  AND (sqlc.narg(before_id)::uuid IS NULL OR id < sqlc.narg(before_id))
ORDER BY id DESC
LIMIT @max_rows;

-- name: EarlierImportOfFile :one
-- The newest earlier import of the same bytes into the agent that ran (or is running).
SELECT id, file_name, created_at FROM imports
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND checksum = @checksum AND id <> @id
  AND status IN ('queued', 'running', 'finished', 'cancelled')
ORDER BY id DESC
LIMIT 1;

-- name: SetImportMapping :one
UPDATE imports SET mode = @mode, mapping = @mapping, updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id
RETURNING *;

-- name: SetImportHeader :one
UPDATE imports SET has_header = @has_header, headers = @headers, total_rows = @total_rows, updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id
RETURNING *;

-- name: QueueImport :one
UPDATE imports SET status = 'queued', updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id
RETURNING *;

-- name: BeginImportRun :exec
-- When the job begins working on a queued or running import: the run's start, from which its
-- rate is counted (the first chunk commits later, and a one-chunk run ends in the same
-- transaction). A resumed run keeps the first start.
UPDATE imports SET started_at = COALESCE(started_at, clock_timestamp()), updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id AND status IN ('queued', 'running');

-- name: StartImportRun :exec
UPDATE imports SET status = 'running', started_at = COALESCE(started_at, now()), updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id;

-- name: RequestImportCancel :one
UPDATE imports SET cancel_requested = true, updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id
RETURNING *;

-- name: AdvanceImport :exec
-- A chunk's checkpoint and counts, in the chunk's transaction; updated_at is the time the
-- chunk is done (not the time its transaction began), what the rate is counted to.
UPDATE imports
SET rows_done = @rows_done, created_count = created_count + @created, updated_count = updated_count + @updated,
    skipped_count = skipped_count + @skipped, rejected_count = rejected_count + @rejected, updated_at = clock_timestamp()
WHERE workspace_id = @workspace_id AND id = @id;

-- name: EndImport :one
-- finished_at is the time the statement runs: the last chunk's transaction began earlier.
UPDATE imports SET status = @status, error = sqlc.narg(error), finished_at = clock_timestamp(), updated_at = clock_timestamp()
WHERE workspace_id = @workspace_id AND id = @id
RETURNING *;

-- name: SetImportStatus :one
UPDATE imports SET status = @status, updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id
RETURNING *;

-- name: FinishImportUndo :one
UPDATE imports SET status = 'undone', undo_kept = @undo_kept, undone_at = now(), updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id
RETURNING *;

-- name: GetImportTemplate :one
SELECT mode, mapping FROM import_templates
WHERE workspace_id = @workspace_id AND agent_id = @agent_id AND header_key = @header_key;

-- name: SaveImportTemplate :exec
INSERT INTO import_templates (workspace_id, agent_id, header_key, mode, mapping, updated_by)
VALUES (@workspace_id, @agent_id, @header_key, @mode, @mapping, @updated_by)
ON CONFLICT (workspace_id, agent_id, header_key) DO UPDATE
SET mode = EXCLUDED.mode, mapping = EXCLUDED.mapping, updated_by = EXCLUDED.updated_by, updated_at = now();

-- name: ImportMembers :many
-- The members who may own the agent's contacts, by email (owner by email in a file).
SELECT m.user_id, lower(u.email)::text AS email
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = @workspace_id
  AND (m.role IN ('owner', 'admin') OR EXISTS (
        SELECT 1 FROM agent_grants g
        WHERE g.workspace_id = m.workspace_id AND g.agent_id = @agent_id AND g.user_id = m.user_id));

-- name: ImportIssues :many
-- The rows a run rejected or skipped, in file order, from a row number on (the report pages
-- through them while it re-reads the file).
SELECT row_number, kind, reason FROM import_issues
WHERE workspace_id = @workspace_id AND import_id = @import_id AND kind = @kind AND row_number > @after_row
ORDER BY row_number
LIMIT @max_rows;

-- name: ImportIssueReasons :many
SELECT kind, reason, count(*)::bigint AS rows FROM import_issues
WHERE workspace_id = @workspace_id AND import_id = @import_id
GROUP BY kind, reason
ORDER BY kind, count(*) DESC, reason
LIMIT 50;

-- The staging steps. import_stage is the transaction's temporary table (see the migration).

-- name: CreateImportStage :exec
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
    -- the retired select options the row names ([{key, id, reason}]): the row is rejected, with
    -- the reasons of those the contact it updates does not hold
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

-- name: StageImportRows :copyfrom
INSERT INTO import_stage (row_number, name, email, email_normalized, phone, external_id, stage_id, owner_id, custom, retired, problem, new_id)
VALUES (@row_number, @name, @email, @email_normalized, @phone, @external_id, @stage_id, @owner_id, @custom, @retired, @problem, @new_id);

-- name: AnalyzeImportStage :exec
-- Statistics on the row numbers, so the staging table's joins with itself (by row number) are
-- planned for the chunk's real size. The other columns have none on purpose: a join with
-- contacts on the rows to update is then planned as index lookups, whatever their order.
ANALYZE import_stage (row_number);

-- name: MatchImportRows :many
-- Which active contacts hold each clean row's external id, email and phone, in one pass: each
-- a scalar subquery, so one index lookup whatever the staging table's statistics. The row
-- matches the first of them (external id, then email, then phone); the others say, for a row
-- that updates, whether its details belong to another contact. Only matched rows are
-- rewritten, and returned.
UPDATE import_stage s
SET match_id = COALESCE(h.by_external_id, h.by_email, h.by_phone),
    external_id_holder = h.by_external_id, email_holder = h.by_email, phone_holder = h.by_phone
FROM (
    SELECT s2.row_number,
        (SELECT c.id FROM contacts c
         WHERE s2.external_id IS NOT NULL AND c.workspace_id = @workspace_id AND c.agent_id = @agent_id
           AND c.status = 'active' AND c.external_id = s2.external_id) AS by_external_id,
        (SELECT c.id FROM contacts c
         WHERE s2.email_normalized IS NOT NULL AND c.workspace_id = @workspace_id AND c.agent_id = @agent_id
           AND c.status = 'active' AND c.email_normalized = s2.email_normalized) AS by_email,
        (SELECT c.id FROM contacts c
         WHERE s2.phone IS NOT NULL AND c.workspace_id = @workspace_id AND c.agent_id = @agent_id
           AND c.status = 'active' AND c.phone = s2.phone) AS by_phone
    FROM import_stage s2
    WHERE s2.problem IS NULL
    -- a fence: the lookups run once a row, not once for each place they are used
    OFFSET 0
) h
WHERE s.row_number = h.row_number AND COALESCE(h.by_external_id, h.by_email, h.by_phone) IS NOT NULL
RETURNING s.row_number, s.match_id::uuid AS match_id;

-- name: DecideImportRows :exec
-- Every row's outcome and reason in one pass, the first reason that applies winning:
--   the parser's problem;
--   a duplicate inside the file (an earlier row with the same external id, email or phone, or
--   matching the same contact; the first row wins), or a repeat of a row of an earlier chunk
--   (repeated_rows: they match a contact the run already wrote);
--   the mode (create only, update only);
--   a row to create needs an email or a phone, and the required custom fields (after defaults);
--   a row to update must not take another contact's external id, email or phone.
-- What is left is created or updated.
-- The context_* arrays are the clean rows of the chunk before, when it is still being written
-- beside this one (its contacts are not visible yet): its row numbers, keys and matched
-- contacts, so that a row repeating one of them is a duplicate as it would be in one chunk.
-- Empty strings and the nil uuid stand for none.
WITH keyed AS (
    SELECT row_number, external_id, email_normalized, phone, match_id FROM import_stage WHERE problem IS NULL
    UNION ALL
    SELECT c.row_number, NULLIF(c.external_id, ''), NULLIF(c.email_normalized, ''), NULLIF(c.phone, ''),
           NULLIF(c.match_id, '00000000-0000-0000-0000-000000000000')
    FROM (SELECT unnest(@context_rows::int[]) AS row_number, unnest(@context_external_ids::text[]) AS external_id,
                 unnest(@context_emails::text[]) AS email_normalized, unnest(@context_phones::text[]) AS phone,
                 unnest(@context_matches::uuid[]) AS match_id) c
)
UPDATE import_stage s
SET outcome = COALESCE(v.verdict[1], CASE WHEN s.match_id IS NULL THEN 'create' ELSE 'update' END),
    reason = v.verdict[2]
FROM (
    SELECT s2.row_number, CASE
        WHEN s2.problem IS NOT NULL THEN ARRAY['reject', s2.problem]
        WHEN d.first_row IS NOT NULL THEN
            ARRAY['reject', 'duplicate inside the file: row ' || d.first_row || ' has the same ' || d.field]
        WHEN s2.row_number = ANY(@repeated_rows::int[]) THEN
            ARRAY['reject', 'duplicate inside the file: an earlier row has the same external id, email or phone']
        WHEN s2.match_id IS NOT NULL AND @mode::text = 'create_only' THEN ARRAY['skip', 'already exists (create only)']
        WHEN s2.match_id IS NULL AND @mode::text = 'update_only' THEN ARRAY['skip', 'no matching contact (update only)']
        WHEN s2.match_id IS NULL AND s2.email_normalized IS NULL AND s2.phone IS NULL THEN ARRAY['reject', 'no email and no phone']
        WHEN s2.match_id IS NULL AND NOT ((@defaults::jsonb || s2.custom) ?& @required_keys::text[]) THEN
            ARRAY['reject', 'required field missing: ' || (SELECT string_agg(k, ', ') FROM unnest(@required_keys::text[]) k
                                                           WHERE NOT ((@defaults::jsonb || s2.custom) ? k))]
        WHEN s2.match_id IS NULL THEN NULL
        WHEN s2.external_id_holder <> s2.match_id THEN ARRAY['reject', 'external id belongs to another contact']
        WHEN s2.email_holder <> s2.match_id THEN ARRAY['reject', 'email belongs to another contact']
        WHEN s2.phone_holder <> s2.match_id THEN ARRAY['reject', 'phone belongs to another contact']
        END AS verdict
    FROM import_stage s2
    LEFT JOIN (
        SELECT DISTINCT ON (x.row_number) x.row_number, x.first_row, x.field
        FROM (
            SELECT row_number, min(row_number) OVER (PARTITION BY external_id) AS first_row, 'external id' AS field
            FROM keyed WHERE external_id IS NOT NULL
            UNION ALL
            SELECT row_number, min(row_number) OVER (PARTITION BY email_normalized), 'email'
            FROM keyed WHERE email_normalized IS NOT NULL
            UNION ALL
            SELECT row_number, min(row_number) OVER (PARTITION BY phone), 'phone'
            FROM keyed WHERE phone IS NOT NULL
            UNION ALL
            SELECT row_number, min(row_number) OVER (PARTITION BY match_id), 'contact'
            FROM keyed WHERE match_id IS NOT NULL
        ) x
        WHERE x.row_number > x.first_row
        ORDER BY x.row_number, x.first_row
    ) d ON d.row_number = s2.row_number
) v
WHERE s.row_number = v.row_number;

-- name: ImportTouchedContacts :many
-- The contacts a run created or updated so far: a later row matching one repeats an earlier
-- row of the file.
SELECT contact_id FROM import_changes WHERE workspace_id = @workspace_id AND import_id = @import_id;

-- name: ImportStageUniqueValues :many
-- The unique custom values the chunk's rows will write, for the chunk after it (see
-- RejectTakenCustomValues): each value as jsonb text.
SELECT k.key::text AS key, (s.custom -> k.key)::text AS value
FROM import_stage s
CROSS JOIN unnest(@unique_keys::text[]) AS k (key)
WHERE s.outcome IN ('create', 'update') AND s.custom ? k.key;

-- name: RejectTakenCustomValues :exec
-- Unique custom fields: a value another active contact holds, or an earlier row of the file:
-- of this chunk, or of the chunk before (context_keys, context_values: its values, as
-- ImportStageUniqueValues gives them) when it is still being written beside this one; its
-- contacts are not visible yet, and contact_unique_values' key would fail this chunk on them,
-- or make the two chunks wait on each other.
-- The holders are found through contact_unique_values' key (00025), a probe per value: jsonb
-- operators are not leakproof, so no index on contacts could serve this under RLS, and the
-- agent's contacts were read whole for every chunk. Each probe is checked against the holder's
-- value itself, as FindFieldValueHolder does.
-- "An earlier row" counts only rows that keep their values: a row refused because one of its
-- values is held takes none of them, so the holder's own row later in the file still updates it.
-- One pass, not a fixpoint: a row refused as a repeat of one field's value still counts for its
-- other unique fields within the chunk (while the chunk before passes on only the values it
-- kept), so with two unique fields in one row a preview (one chunk) may refuse a row that a run
-- split at another place would take. Neither ever gives a value to two contacts.
UPDATE import_stage s
SET outcome = 'reject', reason = 'the ' || t.key || ' value belongs to another contact'
FROM (
    SELECT DISTINCT ON (x.row_number) x.row_number, x.key
    FROM (
        -- nth > 1: an earlier row of the chunk has the value (windows: a correlated scan of the
        -- chunk per row took 60 s for 20,000 rows)
        SELECT z.row_number, z.key, z.held, z.row_held,
               row_number() OVER (PARTITION BY z.key, z.value, z.row_held ORDER BY z.row_number) AS nth
        FROM (SELECT y.*, bool_or(y.held) OVER (PARTITION BY y.row_number) AS row_held FROM (
            SELECT s2.row_number, k.key, s2.custom -> k.key AS value,
                   -- uncorrelated, so a hashed subplan: one pass over the chunk before's values
                   (k.key, s2.custom -> k.key) IN (
                        SELECT cv.key, cv.value::jsonb
                        FROM (SELECT unnest(@context_keys::text[]) AS key, unnest(@context_values::text[]) AS value) cv)
                   OR EXISTS (
                        SELECT 1 FROM contact_unique_values v
                        JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
                        WHERE v.workspace_id = @workspace_id AND v.agent_id = @agent_id AND v.field_key = k.key
                          AND v.value_sha256 = unique_value_sha256(s2.custom -> k.key)
                          AND v.contact_id IS DISTINCT FROM s2.match_id
                          AND c.status = 'active' AND c.custom -> k.key = s2.custom -> k.key) AS held
            FROM import_stage s2
            CROSS JOIN unnest(@unique_keys::text[]) AS k (key)
            WHERE s2.outcome IN ('create', 'update') AND s2.custom ? k.key
            OFFSET 0 -- kept a subquery: merged into the window's level, each probe ran twice
        ) y) z
    ) x
    WHERE x.held OR (NOT x.row_held AND x.nth > 1)
    ORDER BY x.row_number, x.key
) t
WHERE s.row_number = t.row_number;

-- name: RejectRetiredOptions :exec
-- A retired option can no longer be chosen, but a file may name one that the contact it updates
-- holds already (an export imported back): such a row stays. Any other row naming one is
-- rejected, its reason naming the retired options the contact does not hold (all of them for a
-- new contact).
UPDATE import_stage s
SET outcome = 'reject', reason = r.reasons
FROM (
    SELECT s2.row_number, string_agg(e.item ->> 'reason', '; ' ORDER BY e.n) AS reasons
    FROM import_stage s2
    CROSS JOIN jsonb_array_elements(s2.retired) WITH ORDINALITY AS e (item, n)
    LEFT JOIN contacts c ON s2.outcome = 'update' AND c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = s2.match_id
    WHERE s2.retired IS NOT NULL AND s2.outcome IN ('create', 'update')
      AND NOT COALESCE(c.custom -> (e.item ->> 'key') @> (e.item -> 'id'), false)
    GROUP BY s2.row_number
) r
WHERE s.row_number = r.row_number;

-- name: SkipUnchangedRows :exec
-- An update that would change nothing is a skip. Custom values are compared key by key: jsonb
-- containment (@>) would call a multi-select narrowed to some of its options unchanged.
UPDATE import_stage s
SET outcome = 'skip', reason = 'no changes'
FROM contacts c
WHERE s.outcome = 'update' AND c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = s.match_id
  AND (s.name IS NULL OR s.name = c.name)
  AND (s.email IS NULL OR s.email IS NOT DISTINCT FROM c.email)
  AND (s.phone IS NULL OR s.phone IS NOT DISTINCT FROM c.phone)
  AND (s.external_id IS NULL OR s.external_id IS NOT DISTINCT FROM c.external_id)
  AND (s.stage_id IS NULL OR s.stage_id IS NOT DISTINCT FROM c.stage_id)
  AND (s.owner_id IS NULL OR s.owner_id IS NOT DISTINCT FROM c.primary_owner_id)
  AND NOT EXISTS (SELECT 1 FROM jsonb_each(s.custom) AS e (key, value) WHERE c.custom -> e.key IS DISTINCT FROM e.value);

-- name: ImportStageSummary :many
SELECT outcome::text AS outcome, COALESCE(reason, '')::text AS reason, count(*)::bigint AS rows
FROM import_stage
GROUP BY outcome, reason
ORDER BY outcome, count(*) DESC, reason;

-- name: ImportStageSample :many
SELECT row_number, name, email, phone, external_id, stage_id, owner_id, custom, outcome, reason, match_id
FROM import_stage
ORDER BY row_number
LIMIT @max_rows;

-- name: SnapshotImportUpdates :exec
-- Before-values of the contacts this chunk updates, for undo, taken under the rows' locks so
-- version_after is exactly the version the update below gives them.
INSERT INTO import_changes (workspace_id, import_id, contact_id, created, before, version_after)
SELECT @workspace_id::uuid, @import_id::uuid, l.id, false, l.before, l.version + 1
FROM (
    SELECT c.id, c.version,
           jsonb_build_object('name', c.name, 'email', c.email, 'email_normalized', c.email_normalized,
                              'phone', c.phone, 'external_id', c.external_id, 'stage_id', c.stage_id,
                              'primary_owner_id', c.primary_owner_id, 'secondary_owner_id', c.secondary_owner_id,
                              'custom', c.custom) AS before
    FROM contacts c
    JOIN import_stage s ON s.match_id = c.id AND s.outcome = 'update'
    WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id
    FOR UPDATE OF c
) l;

-- name: ApplyImportUpdates :many
-- Empty cells (NULL here) keep the contact's value; custom values are merged over the stored ones.
UPDATE contacts c
SET name = COALESCE(s.name, c.name),
    email = COALESCE(s.email, c.email),
    email_normalized = COALESCE(s.email_normalized, c.email_normalized),
    phone = COALESCE(s.phone, c.phone),
    external_id = COALESCE(s.external_id, c.external_id),
    stage_id = COALESCE(s.stage_id, c.stage_id),
    primary_owner_id = COALESCE(s.owner_id, c.primary_owner_id),
    -- the file's owner may be today's secondary owner: they cannot be both
    secondary_owner_id = CASE WHEN s.owner_id = c.secondary_owner_id THEN NULL ELSE c.secondary_owner_id END,
    custom = c.custom || s.custom,
    search_text = concat_ws(' ', lower(COALESCE(s.name, c.name)), COALESCE(s.email_normalized, c.email_normalized),
                            ltrim(COALESCE(s.phone, c.phone), '+')),
    updated_at = now(),
    version = c.version + 1
FROM import_stage s
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = s.match_id AND s.outcome = 'update'
RETURNING c.id;

-- name: InsertImportedContacts :many
-- One statement for the chunk's new contacts (the contact_search trigger fires once for it).
INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, phone, stage_id, primary_owner_id,
                      source, external_id, created_by, search_text, custom)
SELECT @workspace_id::uuid, @agent_id::uuid, s.new_id, COALESCE(s.name, ''), s.email, s.email_normalized, s.phone,
       COALESCE(s.stage_id, sqlc.narg(starting_stage)::uuid), s.owner_id, 'import', s.external_id, sqlc.narg(created_by)::uuid,
       concat_ws(' ', lower(COALESCE(s.name, '')), s.email_normalized, ltrim(s.phone, '+')), @defaults::jsonb || s.custom
FROM import_stage s
WHERE s.outcome = 'create'
ORDER BY s.new_id
RETURNING id;

-- name: RecordImportCreations :exec
INSERT INTO import_changes (workspace_id, import_id, contact_id, created, before, version_after)
SELECT @workspace_id::uuid, @import_id::uuid, s.new_id, true, NULL, 1
FROM import_stage s WHERE s.outcome = 'create';

-- name: RecordImportIssues :exec
INSERT INTO import_issues (workspace_id, import_id, row_number, kind, reason)
SELECT @workspace_id::uuid, @import_id::uuid, s.row_number, s.outcome, left(s.reason, 500)
FROM import_stage s WHERE s.outcome IN ('reject', 'skip');

-- Undo.

-- name: DeleteImportedContacts :many
-- The contacts the import created, still there.
DELETE FROM contacts c
USING import_changes ch
WHERE ch.workspace_id = @workspace_id AND ch.import_id = @import_id AND ch.created
  AND c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = ch.contact_id
RETURNING c.id;

-- name: ImportedContactFiles :many
SELECT f.id FROM contact_files f
JOIN import_changes ch ON ch.workspace_id = f.workspace_id AND ch.contact_id = f.contact_id
WHERE ch.workspace_id = @workspace_id AND ch.import_id = @import_id AND ch.created;

-- name: RestoreImportedUpdates :many
-- Updated contacts whose version is still the one the import gave them get their values back,
-- unless a value to restore (external id, email, phone, or the value of a unique custom field)
-- now belongs to another active contact of the agent (the unique indexes, contact_unique_values'
-- among them, would refuse it, and the whole undo with it, on every attempt), or another
-- contact this import updated had the same value before it too: those are left as they are.
-- Run after the created contacts are deleted, so the values they held are free again. One row
-- per contact left as it is, with the reason (one row with the nil id when none is), and in
-- every row the number restored. The version is checked again on the row being written, so a
-- contact changed while the undo runs is kept, never overwritten. In one statement: the kept
-- and the restored are decided on one snapshot.
WITH
-- Values that two updated contacts had before the import (one lost it, by an edit, between
-- the chunks that updated them): restoring both would put one value on two contacts.
shared AS (
    SELECT x.field, x.value FROM (
        SELECT 'external_id' AS field, ch.before ->> 'external_id' AS value
        FROM import_changes ch WHERE ch.workspace_id = @workspace_id AND ch.import_id = @import_id AND NOT ch.created
        UNION ALL
        SELECT 'email', ch.before ->> 'email_normalized'
        FROM import_changes ch WHERE ch.workspace_id = @workspace_id AND ch.import_id = @import_id AND NOT ch.created
        UNION ALL
        SELECT 'phone', ch.before ->> 'phone'
        FROM import_changes ch WHERE ch.workspace_id = @workspace_id AND ch.import_id = @import_id AND NOT ch.created
    ) x
    WHERE x.value IS NOT NULL
    GROUP BY x.field, x.value
    HAVING count(*) > 1
),
-- The agent's unique custom fields, as fields.Batch.Unique has them.
unique_fields AS (
    SELECT f.key, f.label FROM custom_fields f
    WHERE f.workspace_id = @workspace_id AND f.agent_id = @agent_id AND f.is_unique AND f.archived_at IS NULL
),
-- The unique custom values the updated contacts had before the import.
custom_before AS (
    SELECT ch.contact_id, u.key, u.label, ch.before -> 'custom' -> u.key AS value
    FROM import_changes ch
    JOIN unique_fields u ON ch.before -> 'custom' ? u.key
    WHERE ch.workspace_id = @workspace_id AND ch.import_id = @import_id AND NOT ch.created
),
-- Of those, the ones another active contact holds now (a probe of contact_unique_values' key
-- per value, checked against the holder's value as FindFieldValueHolder does), or another
-- updated contact had before too. A value two contacts shared before 00025 has one recorded
-- holder; if the import moved that one off it, the probe sees no other and the value goes back,
-- shared as it was before the import.
custom_shared AS (
    SELECT b.key, b.value FROM custom_before b GROUP BY b.key, b.value HAVING count(*) > 1
),
custom_taken AS (
    SELECT DISTINCT ON (b.contact_id) b.contact_id, CASE
        WHEN h.held THEN 'its ' || b.label || ' ' || (b.value #>> '{}') || ' now belongs to another contact'
        ELSE 'another contact this import updated had the same ' || b.label || ' before it'
        END AS reason
    FROM custom_before b
    CROSS JOIN LATERAL (
        -- OFFSET 0 keeps it a subquery: merged, the probe ran once for each of held's uses
        SELECT EXISTS (
            SELECT 1 FROM contact_unique_values v
            JOIN contacts o ON o.workspace_id = v.workspace_id AND o.id = v.contact_id
            WHERE v.workspace_id = @workspace_id AND v.agent_id = @agent_id AND v.field_key = b.key
              AND v.value_sha256 = unique_value_sha256(b.value) AND v.contact_id <> b.contact_id
              AND o.status = 'active' AND o.custom -> b.key = b.value) AS held
        OFFSET 0
    ) h
    LEFT JOIN custom_shared s ON s.key = b.key AND s.value = b.value
    WHERE h.held OR s.key IS NOT NULL
    ORDER BY b.contact_id, h.held DESC, b.key
),
cand AS (
    SELECT ch.contact_id, ch.before, ch.version_after, c.name, c.email, c.phone, CASE
        WHEN c.version <> ch.version_after THEN 'changed since the import'
        WHEN ch.before ->> 'external_id' IS NOT NULL AND EXISTS (
            SELECT 1 FROM contacts o
            WHERE o.workspace_id = @workspace_id AND o.agent_id = @agent_id AND o.status = 'active'
              AND o.external_id = ch.before ->> 'external_id' AND o.id <> c.id) THEN
            'its external id ' || (ch.before ->> 'external_id') || ' now belongs to another contact'
        WHEN ch.before ->> 'email_normalized' IS NOT NULL AND EXISTS (
            SELECT 1 FROM contacts o
            WHERE o.workspace_id = @workspace_id AND o.agent_id = @agent_id AND o.status = 'active'
              AND o.email_normalized = ch.before ->> 'email_normalized' AND o.id <> c.id) THEN
            'its email ' || (ch.before ->> 'email') || ' now belongs to another contact'
        WHEN ch.before ->> 'phone' IS NOT NULL AND EXISTS (
            SELECT 1 FROM contacts o
            WHERE o.workspace_id = @workspace_id AND o.agent_id = @agent_id AND o.status = 'active'
              AND o.phone = ch.before ->> 'phone' AND o.id <> c.id) THEN
            'its phone ' || (ch.before ->> 'phone') || ' now belongs to another contact'
        WHEN EXISTS (SELECT 1 FROM shared sh WHERE sh.field = 'external_id' AND sh.value = ch.before ->> 'external_id')
          OR EXISTS (SELECT 1 FROM shared sh WHERE sh.field = 'email' AND sh.value = ch.before ->> 'email_normalized')
          OR EXISTS (SELECT 1 FROM shared sh WHERE sh.field = 'phone' AND sh.value = ch.before ->> 'phone') THEN
            'another contact this import updated had the same external id, email or phone before it'
        WHEN t.contact_id IS NOT NULL THEN t.reason
        END AS kept_because
    FROM import_changes ch
    JOIN contacts c ON c.workspace_id = ch.workspace_id AND c.id = ch.contact_id
    LEFT JOIN custom_taken t ON t.contact_id = ch.contact_id
    WHERE ch.workspace_id = @workspace_id AND ch.import_id = @import_id AND NOT ch.created AND c.agent_id = @agent_id
),
restored AS (
    UPDATE contacts c
    SET name = k.before ->> 'name',
        email = k.before ->> 'email',
        email_normalized = k.before ->> 'email_normalized',
        phone = k.before ->> 'phone',
        external_id = k.before ->> 'external_id',
        stage_id = (k.before ->> 'stage_id')::uuid,
        primary_owner_id = (k.before ->> 'primary_owner_id')::uuid,
        secondary_owner_id = (k.before ->> 'secondary_owner_id')::uuid,
        custom = k.before -> 'custom',
        search_text = concat_ws(' ', lower(k.before ->> 'name'), k.before ->> 'email_normalized', ltrim(k.before ->> 'phone', '+')),
        updated_at = now(),
        version = c.version + 1
    FROM cand k
    WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = k.contact_id
      AND k.kept_because IS NULL AND c.version = k.version_after
    RETURNING c.id
)
SELECT s.restored, COALESCE(k.id, '00000000-0000-0000-0000-000000000000')::uuid AS id, COALESCE(k.name, '')::text AS name,
       k.email, k.phone, COALESCE(k.reason, '')::text AS reason
FROM (SELECT count(*)::bigint AS restored FROM restored) s
LEFT JOIN (
    SELECT c.contact_id AS id, c.name, c.email, c.phone, COALESCE(c.kept_because, 'changed since the import')::text AS reason
    FROM cand c
    WHERE NOT EXISTS (SELECT 1 FROM restored r WHERE r.id = c.contact_id)
) k ON true
ORDER BY k.id;

-- name: FailImportUndo :one
-- The undo's last attempt failed: nothing was undone (it is one transaction). The import is
-- failed with the reason; an undo can be asked for again.
UPDATE imports SET status = 'failed', error = @error, updated_at = now()
WHERE workspace_id = @workspace_id AND id = @id AND status = 'undoing'
RETURNING *;

-- name: RefreshContactStatistics :one
-- After a chunk commits: statistics on contacts if they are stale (00028).
SELECT refresh_contact_statistics(@just_written::bigint)::boolean AS analyzed;
