package automations_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
)

// TestWorkerKilledWhileAutomating: contacts are committed with their automate_contacts jobs, a
// worker process starts on them and is killed with SIGKILL in the middle, and a fresh worker
// takes over (River's rescuer hands it the jobs the dead one held). Every contact gets exactly
// one owner assignment, and the round robin steps exactly once per contact: the jobs that were
// running when the worker died run again and change nothing.
func TestWorkerKilledWhileAutomating(t *testing.T) {
	t.Parallel()
	bin := apptest.BuildBinary(t)

	c := setup(t)
	ctx := context.Background()
	pool := []uuid.UUID{c.owner.UserID, c.admin.UserID, c.user.UserID}
	c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", []any{pool[0], pool[1], pool[2]}), "secondary": slot("none")})
	// Only the worker processes work jobs here.
	require.NoError(t, c.env.App.StopWorkers())

	// n contacts, committed with their jobs (one per contact, as each creation makes), by
	// several writers at once, 100 to a transaction.
	const n, perTx, writers = 3000, 100, 6
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := w * perTx; first < n; first += writers * perTx {
				errs <- c.env.App.Tenants.Tx(ctx, c.owner.WorkspaceID, func(tx tenant.Tx) error {
					for i := first; i < first+perTx; i++ {
						if _, err := c.contacts.CreateTx(ctx, tx, c.agent, contacts.Input{Email: httpapi.Some(fmt.Sprintf("crash%d@example.com", i))},
							contacts.SourceChat, uuid.Nil); err != nil {
							return err
						}
					}
					return nil
				})
			}
		}()
	}
	go func() { wg.Wait(); close(errs) }()
	for err := range errs {
		require.NoError(t, err)
	}
	ws := c.owner.WorkspaceID
	automated := func() int {
		return c.env.Count(t, ws, `SELECT count(*) FROM contacts WHERE automated_at IS NOT NULL`)
	}
	jobs := func(states string) int {
		var k int
		require.NoError(t, c.env.DB.Owner.QueryRow(ctx,
			`SELECT count(*) FROM river.river_job WHERE kind = 'automate_contacts' AND state::text = ANY(string_to_array($1, ','))`, states).Scan(&k))
		return k
	}
	require.Equal(t, n, c.env.Count(t, ws, `SELECT count(*) FROM contacts`))
	require.Zero(t, automated())
	require.Equal(t, n, jobs("available"), "every contact's job is committed and waiting")

	// doneButHeld counts the jobs whose automation has committed (all their contacts are
	// automated) while River still has them running: a worker that dies now never records their
	// completion, and they will run a second time.
	doneButHeld := func() int {
		return c.env.Count(t, ws, `SELECT count(*) FROM river.river_job j
			WHERE j.kind = 'automate_contacts' AND j.state = 'running' AND NOT EXISTS (
				SELECT 1 FROM jsonb_array_elements_text(j.args->'contact_ids') AS x (id)
				JOIN contacts c ON c.id = x.id::uuid WHERE c.automated_at IS NULL)`)
	}

	// A worker starts on them and dies (SIGKILL: no drain, no completion, open transactions cut)
	// at the worst moment: automations have committed whose jobs River has not marked completed
	// yet. If the completions happened to land between the look and the kill, another worker
	// starts and is killed.
	var done, running, held int
	for attempt := 1; attempt <= 5 && held == 0; attempt++ {
		w := c.env.WorkerProcess(t, bin, "GUESTLIST_BLOB_URL="+t.TempDir())
		require.Eventually(t, func() bool { return doneButHeld() > 0 }, 30*time.Second, time.Millisecond)
		require.NoError(t, w.Process.Signal(syscall.SIGKILL))
		_, _ = w.Process.Wait()
		done, running, held = automated(), jobs("running"), doneButHeld()
		t.Logf("worker %d killed with %d of %d contacts automated, holding %d jobs, %d of them already done", attempt, done, n, running, held)
	}
	require.Less(t, done, n, "the worker was killed after every job ran: create more contacts")
	require.Positive(t, held, "the worker was killed between an automation's commit and its job's completion")

	// The next worker takes the lost jobs over once River's rescuer (run by the leader) sees them
	// stuck: as if GUESTLIST_JOB_RESCUE_AFTER (at least 1m, 2m by default) had passed since the
	// dead worker took them, as internal/imports' crash test does; and as if the dead worker's
	// leadership had run out (River lets it expire about 15 s after its last renewal), so the
	// new worker is elected at its first try rather than 15-20 s later.
	_, err := c.env.DB.Owner.Exec(ctx,
		"UPDATE river.river_job SET attempted_at = now() - interval '2 hours' WHERE kind = 'automate_contacts' AND state = 'running'")
	require.NoError(t, err)
	_, err = c.env.DB.Owner.Exec(ctx, "UPDATE river.river_leader SET expires_at = now() - interval '1 second'")
	require.NoError(t, err)
	c.env.WorkerProcess(t, bin, "GUESTLIST_BLOB_URL="+t.TempDir())
	restarted := time.Now()
	states := func() string {
		var out string
		require.NoError(t, c.env.DB.Owner.QueryRow(ctx, `SELECT coalesce(string_agg(state::text || ' ' || k, ', '), '') FROM (
			SELECT state, count(*) AS k FROM river.river_job WHERE kind = 'automate_contacts' GROUP BY state) s`).Scan(&out))
		return out
	}
	for automated() < n || jobs("available,running,retryable,scheduled,pending") > 0 {
		if time.Since(restarted) > 50*time.Second {
			t.Fatalf("the jobs did not all run to completion: %d of %d contacts automated, jobs: %s", automated(), n, states())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the next worker finished the work in %s", time.Since(restarted).Round(time.Millisecond))
	require.Equal(t, n, jobs("completed"), "no job failed or was discarded")

	// Exactly one assignment per contact: an owner each, one audit entry each.
	require.Zero(t, c.env.Count(t, ws, `SELECT count(*) FROM contacts WHERE primary_owner_id IS NULL`))
	require.Equal(t, n, c.env.Count(t, ws, `SELECT count(*) FROM audit_log WHERE action = 'automate'`))
	require.Equal(t, n, c.env.Count(t, ws, `SELECT count(DISTINCT resource_id) FROM audit_log WHERE action = 'automate'`))
	require.Equal(t, n, c.env.Count(t, ws, `SELECT count(*) FROM contacts WHERE version = 2`), "each contact was updated once")
	// The rotation stepped exactly once per contact, and split them evenly.
	require.Equal(t, n, c.env.Count(t, ws, `SELECT primary_turn FROM automation_rules WHERE source = 'chat'`))
	for _, id := range pool {
		got := c.env.Count(t, ws, `SELECT count(*) FROM contacts WHERE primary_owner_id = $1`, id)
		require.InDelta(t, n/len(pool), got, 1, "member %s", id)
	}
}
