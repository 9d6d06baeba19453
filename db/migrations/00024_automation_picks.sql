-- +goose Up
-- Round robin now gives the turn, of the members who can take the contact, to the one picked
-- fewest times, then least recently, then first in the pool (internal/automations/plan.go).
-- The old rotation, pool[turn mod size], used up the turn of a member it passed over (the
-- contact's primary), so overlapping primary and secondary pools of different sizes starved a
-- member or split 2:1, and a pool edit could give one member two in a row. primary_picks and
-- secondary_picks hold each member's record ({"<user id>": {"n": picks, "at": last turn}});
-- the job writes them with the turns, under the rules' lock. A pool edit keeps them.
ALTER TABLE automation_rules
    ADD COLUMN primary_picks jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(primary_picks) = 'object'),
    ADD COLUMN secondary_picks jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(secondary_picks) = 'object');

-- The rotation goes on where it was: every pool member level (n 0), and the member the old
-- rule would pick next with the oldest last turn, then the pool after them in order.
UPDATE automation_rules r
SET primary_picks = COALESCE((
        SELECT jsonb_object_agg(p.user_id::text, jsonb_build_object('n', 0, 'at',
            r.primary_turn - n.size + (((p.position - 1 - r.primary_turn) % n.size) + n.size) % n.size))
        FROM automation_pool p,
             (SELECT count(*) AS size FROM automation_pool q
              WHERE q.workspace_id = r.workspace_id AND q.agent_id = r.agent_id AND q.source = r.source AND q.slot = 'primary') n
        WHERE p.workspace_id = r.workspace_id AND p.agent_id = r.agent_id AND p.source = r.source AND p.slot = 'primary'),
        '{}'::jsonb),
    secondary_picks = COALESCE((
        SELECT jsonb_object_agg(p.user_id::text, jsonb_build_object('n', 0, 'at',
            r.secondary_turn - n.size + (((p.position - 1 - r.secondary_turn) % n.size) + n.size) % n.size))
        FROM automation_pool p,
             (SELECT count(*) AS size FROM automation_pool q
              WHERE q.workspace_id = r.workspace_id AND q.agent_id = r.agent_id AND q.source = r.source AND q.slot = 'secondary') n
        WHERE p.workspace_id = r.workspace_id AND p.agent_id = r.agent_id AND p.source = r.source AND p.slot = 'secondary'),
        '{}'::jsonb);

-- +goose Down
ALTER TABLE automation_rules DROP COLUMN primary_picks, DROP COLUMN secondary_picks;
