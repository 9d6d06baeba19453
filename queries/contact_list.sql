-- The contact list: one query per sort order, each a keyset page (sort key, then id) chosen
-- from contacts alone by an index scan that stops at the limit, then joined to its names. The
-- filters are the same in each; every one is optional (the transaction plans for the actual
-- arguments: tenant.Tx.PlanForArguments). Keyset conditions are row comparisons on leakproof
-- operators, so they drive the indexes ahead of the RLS policy (db/migrations/00013).

-- name: ListContacts :many
-- Newest first: the time-ordered id descending.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT pg.id FROM contacts pg
    WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id AND pg.status = @status
      AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
      AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
      AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
      AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
      AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
      AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
      AND (sqlc.narg(after_id)::uuid IS NULL OR pg.id < sqlc.narg(after_id))
    ORDER BY pg.id DESC
    LIMIT @max_rows)
ORDER BY c.id DESC;

-- name: ListContactsOldest :many
-- Oldest first.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT pg.id FROM contacts pg
    WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id AND pg.status = @status
      AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
      AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
      AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
      AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
      AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
      AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
      AND (sqlc.narg(after_id)::uuid IS NULL OR pg.id > sqlc.narg(after_id))
    ORDER BY pg.id
    LIMIT @max_rows)
ORDER BY c.id;

-- name: ListContactsByName :many
-- Name A-Z (case-insensitive), then id.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT pg.id FROM contacts pg
    WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id AND pg.status = @status
      AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
      AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
      AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
      AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
      AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
      AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
      AND (sqlc.narg(after_id)::uuid IS NULL OR (pg.name_sort, pg.id) > (@after_name::text, sqlc.narg(after_id)))
    ORDER BY pg.name_sort, pg.id
    LIMIT @max_rows)
ORDER BY c.name_sort, c.id;

-- name: ListContactsByNameDesc :many
-- Name Z-A, then id descending.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT pg.id FROM contacts pg
    WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id AND pg.status = @status
      AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
      AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
      AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
      AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
      AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
      AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
      AND (sqlc.narg(after_id)::uuid IS NULL OR (pg.name_sort, pg.id) < (@after_name::text, sqlc.narg(after_id)))
    ORDER BY pg.name_sort DESC, pg.id DESC
    LIMIT @max_rows)
ORDER BY c.name_sort DESC, c.id DESC;

-- name: ListContactsByUpdated :many
-- Least recently updated first.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT pg.id FROM contacts pg
    WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id AND pg.status = @status
      AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
      AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
      AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
      AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
      AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
      AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
      AND (sqlc.narg(after_id)::uuid IS NULL OR (pg.updated_at, pg.id) > (@after_updated::timestamptz, sqlc.narg(after_id)))
    ORDER BY pg.updated_at, pg.id
    LIMIT @max_rows)
ORDER BY c.updated_at, c.id;

-- name: ListContactsByUpdatedDesc :many
-- Most recently updated first.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT pg.id FROM contacts pg
    WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id AND pg.status = @status
      AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
      AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
      AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
      AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
      AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
      AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
      AND (sqlc.narg(after_id)::uuid IS NULL OR (pg.updated_at, pg.id) < (@after_updated::timestamptz, sqlc.narg(after_id)))
    ORDER BY pg.updated_at DESC, pg.id DESC
    LIMIT @max_rows)
ORDER BY c.updated_at DESC, c.id DESC;

-- name: ListContactsByStage :many
-- Pipeline order (stage position), newest first within a stage. The agent's stages are walked in
-- order, each read newest first from contacts_agent_stage (a lateral scan per stage); contacts
-- without a stage come as the nil stage after the last (stage_id IS NULL: a null test is
-- leakproof, COALESCE is not). after_stage and after_position are the cursor's stage.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT u.id FROM (
        SELECT ps.position, ps.id AS stage, x.id FROM (
            SELECT sg.id, sg.position FROM stages sg
            WHERE sg.workspace_id = @workspace_id AND sg.agent_id = @agent_id
              AND (sqlc.narg(stage_id)::uuid IS NULL OR sg.id = sqlc.narg(stage_id))
        ) ps
        CROSS JOIN LATERAL (
            SELECT pg.id FROM contacts pg
            WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id
              AND pg.stage_id = ps.id AND pg.status = @status
              AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
              AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
              AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
              AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
              AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
              AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
              AND pg.id < CASE WHEN ps.id = sqlc.narg(after_stage)::uuid THEN sqlc.narg(after_id)::uuid ELSE 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid END
            ORDER BY pg.id DESC
            LIMIT @max_rows) x
        WHERE sqlc.narg(after_stage)::uuid IS NULL OR (ps.position, ps.id) >= (@after_position::int, sqlc.narg(after_stage)::uuid)
        UNION ALL
        SELECT 2147483647, '00000000-0000-0000-0000-000000000000'::uuid, y.id FROM (
            SELECT pg.id FROM contacts pg
            WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id
              AND pg.stage_id IS NULL AND pg.status = @status
              AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
              AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
              AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
              AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
              AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
              AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
              AND pg.id < CASE WHEN sqlc.narg(after_stage)::uuid = '00000000-0000-0000-0000-000000000000'::uuid THEN sqlc.narg(after_id)::uuid ELSE 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid END
            ORDER BY pg.id DESC
            LIMIT @max_rows) y
        WHERE sqlc.narg(stage_id)::uuid IS NULL
          AND (sqlc.narg(after_stage)::uuid IS NULL OR (2147483647, '00000000-0000-0000-0000-000000000000'::uuid) >= (@after_position::int, sqlc.narg(after_stage)::uuid))
    ) u
    ORDER BY u.position, u.stage, u.id DESC
    LIMIT @max_rows)
ORDER BY COALESCE(st.position, 2147483647), COALESCE(st.id, '00000000-0000-0000-0000-000000000000'::uuid), c.id DESC;

-- name: ListContactsByStageDesc :many
-- Reverse pipeline order, newest first within a stage. The agent's stages are walked in
-- order, each read newest first from contacts_agent_stage (a lateral scan per stage); contacts
-- without a stage come as the nil stage after the last (stage_id IS NULL: a null test is
-- leakproof, COALESCE is not). after_stage and after_position are the cursor's stage.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.id IN (
    SELECT u.id FROM (
        SELECT ps.position, ps.id AS stage, x.id FROM (
            SELECT sg.id, sg.position FROM stages sg
            WHERE sg.workspace_id = @workspace_id AND sg.agent_id = @agent_id
              AND (sqlc.narg(stage_id)::uuid IS NULL OR sg.id = sqlc.narg(stage_id))
        ) ps
        CROSS JOIN LATERAL (
            SELECT pg.id FROM contacts pg
            WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id
              AND pg.stage_id = ps.id AND pg.status = @status
              AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
              AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
              AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
              AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
              AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
              AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
              AND pg.id < CASE WHEN ps.id = sqlc.narg(after_stage)::uuid THEN sqlc.narg(after_id)::uuid ELSE 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid END
            ORDER BY pg.id DESC
            LIMIT @max_rows) x
        WHERE sqlc.narg(after_stage)::uuid IS NULL OR (ps.position, ps.id) <= (@after_position::int, sqlc.narg(after_stage)::uuid)
        UNION ALL
        SELECT 2147483647, '00000000-0000-0000-0000-000000000000'::uuid, y.id FROM (
            SELECT pg.id FROM contacts pg
            WHERE pg.workspace_id = @workspace_id AND pg.agent_id = @agent_id
              AND pg.stage_id IS NULL AND pg.status = @status
              AND (sqlc.narg(stage_id)::uuid IS NULL OR pg.stage_id = sqlc.narg(stage_id))
              AND (sqlc.narg(owner_id)::uuid IS NULL OR pg.primary_owner_id = sqlc.narg(owner_id) OR pg.secondary_owner_id = sqlc.narg(owner_id))
              AND (sqlc.narg(source)::text IS NULL OR pg.source = sqlc.narg(source))
              AND (sqlc.narg(created_from)::timestamptz IS NULL OR pg.created_at >= sqlc.narg(created_from))
              AND (sqlc.narg(created_before)::timestamptz IS NULL OR pg.created_at < sqlc.narg(created_before))
              AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(pg.custom, sqlc.narg(custom)))
              AND pg.id < CASE WHEN sqlc.narg(after_stage)::uuid = '00000000-0000-0000-0000-000000000000'::uuid THEN sqlc.narg(after_id)::uuid ELSE 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid END
            ORDER BY pg.id DESC
            LIMIT @max_rows) y
        WHERE sqlc.narg(stage_id)::uuid IS NULL
          AND (sqlc.narg(after_stage)::uuid IS NULL OR (2147483647, '00000000-0000-0000-0000-000000000000'::uuid) <= (@after_position::int, sqlc.narg(after_stage)::uuid))
    ) u
    ORDER BY u.position DESC, u.stage DESC, u.id DESC
    LIMIT @max_rows)
ORDER BY COALESCE(st.position, 2147483647) DESC, COALESCE(st.id, '00000000-0000-0000-0000-000000000000'::uuid) DESC, c.id DESC;

-- name: ContactsByIDsFiltered :many
-- Search candidates (ids from search_contacts, which knows the status, stage, owner and source
-- filters) that also pass the filters it does not know: created dates and custom values.
SELECT sqlc.embed(c), COALESCE(p.name, '') AS primary_owner_name, COALESCE(s.name, '') AS secondary_owner_name,
       COALESCE(st.name, '') AS stage_name, COALESCE(st.position, 2147483647)::int AS stage_position
FROM contacts c
LEFT JOIN users p ON p.id = c.primary_owner_id
LEFT JOIN users s ON s.id = c.secondary_owner_id
LEFT JOIN stages st ON st.workspace_id = c.workspace_id AND st.id = c.stage_id
WHERE c.workspace_id = @workspace_id AND c.agent_id = @agent_id AND c.id = ANY(@ids::uuid[])
  AND (sqlc.narg(created_from)::timestamptz IS NULL OR c.created_at >= sqlc.narg(created_from))
  AND (sqlc.narg(created_before)::timestamptz IS NULL OR c.created_at < sqlc.narg(created_before))
  AND (sqlc.narg(custom)::jsonb IS NULL OR contact_custom_matches(c.custom, sqlc.narg(custom)))
ORDER BY c.id DESC;
