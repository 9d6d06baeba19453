package imports_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// snapshot is a workspace's contacts as comparable lines (what the file decides), sorted. It
// reads through the app's tenant door: the tables force row-level security on every role.
func snapshot(t *testing.T, env *apptest.Env, c crm) []string {
	t.Helper()
	var out []string
	env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		rows, err := tx.Query(context.Background(), `
			SELECT concat_ws('|', c.email, c.name, c.phone, c.external_id, c.source, c.custom::text, s.name)
			FROM contacts c LEFT JOIN stages s ON s.workspace_id = c.workspace_id AND s.id = c.stage_id
			WHERE c.workspace_id = $1 ORDER BY 1`, c.owner.WorkspaceID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			out = append(out, line)
		}
		return rows.Err()
	})
	return out
}

// TestWorkerKilledMidImport kills the worker process (SIGKILL) in the middle of an import,
// starts a new one, and compares the contacts with a clean run of the same file: none lost,
// none twice, every count the same.
func TestWorkerKilledMidImport(t *testing.T) {
	t.Parallel()
	bin := apptest.BuildBinary(t)

	blobs := t.TempDir()
	env := apptest.Start(t, func(cfg *app.Config) { cfg.BlobURL = blobs })
	// Only the worker processes work jobs here.
	require.NoError(t, env.App.StopWorkers())

	// The file creates contacts, updates existing ones (their external ids u<j>), and writes
	// custom values (a text and a number field) on both. The same phone on every 10,000th row
	// makes later rows duplicates inside the file.
	const rows, updates = 30000, 3000
	var file strings.Builder
	file.WriteString("external_id,email,phone,name,stage,tier,score\n")
	for i := range rows {
		stage := []string{"Lead", "Prospect", "Customer"}[i%3]
		tier := []string{"Gold", "Silver", ""}[i%3]
		fmt.Fprintf(&file, "c%d,p%d@example.com,+1415555%04d,Person %d,%s,%s,%d\n", i, i, i%10000, i, stage, tier, i%100)
		if i%10 == 0 { // an update, every tenth row, all through the file
			j := i / 10
			fmt.Fprintf(&file, "u%d,,,Updated %d,Customer,Platinum,-%d\n", j, j, j)
		}
	}
	content := []byte(file.String())
	crashed, clean := crm{env: env, owner: env.SignUp(t)}, crm{env: env, owner: env.SignUp(t)}
	for _, c := range []*crm{&crashed, &clean} {
		c.agent = c.owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
		c.base = "/api/v1/agents/" + c.agent
		c.field(t, map[string]any{"label": "Tier", "type": "text"})
		c.field(t, map[string]any{"label": "Score", "type": "number"})
		// The contacts the file updates, the same in both workspaces.
		env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
			_, err := tx.Exec(context.Background(), `
				INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, source, external_id, search_text, custom)
				SELECT $1, $2, gen_random_uuid(), 'Old ' || j, 'old' || j || '@example.com', 'old' || j || '@example.com', 'manual',
				       'u' || j, 'old ' || j, '{"tier": "Bronze", "score": 1}'
				FROM generate_series(0, $3 - 1) j`, c.owner.WorkspaceID, c.agent, updates)
			return err
		})
	}
	before := snapshot(t, env, clean)
	require.Len(t, before, updates)
	require.Equal(t, before, snapshot(t, env, crashed))

	resp := crashed.upload(t, "crash.csv", content, "?start=true")
	require.Equal(t, 201, resp.Status, "%s", resp.Body)
	crashedID := resp.Map(t)["id"].(string)
	first := env.WorkerProcess(t, bin, "GUESTLIST_BLOB_URL="+blobs, "GUESTLIST_IMPORT_CHUNK_ROWS=500")
	require.Eventually(t, func() bool {
		done := progress(crashed.owner.Do("GET", crashed.base+"/imports/"+crashedID, nil).Map(t))["rows_done"].(float64)
		return done >= 2000
	}, 60*time.Second, 5*time.Millisecond)
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_, _ = first.Process.Wait()
	killedAt := crashed.owner.Do("GET", crashed.base+"/imports/"+crashedID, nil).Map(t)
	require.Equal(t, "running", killedAt["status"], "the worker was killed after the import ended: make the file larger")
	t.Logf("killed at %v of %d rows", progress(killedAt)["rows_done"], rows+updates)

	// A worker started again does not take the dead worker's job over by itself: River's
	// rescuer does, once the attempt is older than GUESTLIST_JOB_RESCUE_AFTER and the job's
	// one-hour timeout. Here, as if two hours had passed since the dead worker took it.
	_, err := env.DB.Owner.Exec(context.Background(),
		"UPDATE river.river_job SET attempted_at = now() - interval '2 hours' WHERE kind = 'run_import' AND state = 'running'")
	require.NoError(t, err)
	env.WorkerProcess(t, bin, "GUESTLIST_BLOB_URL="+blobs, "GUESTLIST_IMPORT_CHUNK_ROWS=500")
	resp = clean.upload(t, "crash.csv", content, "?start=true")
	require.Equal(t, 201, resp.Status, "%s", resp.Body)
	cleanID := resp.Map(t)["id"].(string)
	waitLong := func(c crm, id string) map[string]any {
		var imp map[string]any
		for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			imp = c.owner.Do("GET", c.base+"/imports/"+id, nil).Map(t)
			if imp["status"] == "finished" || imp["status"] == "failed" {
				break
			}
		}
		require.Equal(t, "finished", imp["status"], "%v", imp)
		return imp
	}
	a, b := waitLong(crashed, crashedID), waitLong(clean, cleanID)
	for _, k := range []string{"created", "updated", "skipped", "rejected"} {
		require.Equal(t, progress(b)[k], progress(a)[k], k)
	}
	require.EqualValues(t, rows+updates, progress(a)["rows_done"])
	require.EqualValues(t, 10000, progress(a)["created"])
	require.EqualValues(t, updates, progress(a)["updated"])
	require.EqualValues(t, 20000, progress(a)["rejected"])
	after := snapshot(t, env, crashed)
	require.Len(t, after, 10000+updates)
	require.Equal(t, snapshot(t, env, clean), after)
	// What the file decides, on a created and an updated contact.
	require.Contains(t, after, `p1@example.com|Person 1|+14155550001|c1|import|{"tier": "Silver", "score": 1}|Prospect`)
	require.Contains(t, after, `old7@example.com|Updated 7|u7|manual|{"tier": "Platinum", "score": -7}|Customer`)
	// Every row has exactly one outcome, every created contact one undo record, every updated
	// one one snapshot.
	for _, c := range []crm{crashed, clean} {
		require.Equal(t, 20000, env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM import_issues"))
		require.Equal(t, 10000, env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM import_changes WHERE created"))
		require.Equal(t, updates, env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM import_changes WHERE NOT created"))
		require.Equal(t, 10000+updates, env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM contacts"))
	}
}

// TestOvertakenRunGoesAgain: two runs of one import's job at once (River rescued an attempt
// that was still committing) take turns at the import's lock. A run whose chunk finds the
// checkpoint moved must not end without an error while the import is unfinished (its job would
// complete with nobody left to finish it) but ask to run again; a run whose chunk collides with
// the other's rows fails and is retried, as River would. Every run that returns nil leaves the
// import ended, and together they write every row once.
func TestOvertakenRunGoesAgain(t *testing.T) {
	t.Parallel()
	c := setup(t, func(cfg *app.Config) { cfg.ImportChunkRows = 1 })
	require.NoError(t, c.env.App.StopWorkers())
	var file strings.Builder
	file.WriteString("email,name\n")
	const rows = 60
	for i := range rows {
		fmt.Fprintf(&file, "o%d@example.com,O %d\n", i, i)
	}
	resp := c.upload(t, "overtaken.csv", []byte(file.String()), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := uuid.MustParse(resp.Map(t)["id"].(string))
	// The status as the run left it, read in the workspace (no require: it runs in goroutines).
	status := func() string {
		var s string
		if err := c.env.App.Tenants.Tx(context.Background(), c.owner.WorkspaceID, func(tx tenant.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT status FROM imports WHERE id = $1", id).Scan(&s)
		}); err != nil {
			return err.Error()
		}
		return s
	}

	ctx := context.Background()
	var wg sync.WaitGroup
	ended := make(chan string, 2) // the import's status when each run returned nil
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; attempt < 10*rows; attempt++ {
				err := c.env.App.Imports.RunImport(ctx, c.owner.WorkspaceID, id)
				if errors.Is(err, jobs.ErrRunAgain) || err != nil {
					continue // as River does: at once, or as a retry
				}
				ended <- status()
				return
			}
			ended <- "still going after many runs"
		}()
	}
	wg.Wait()
	close(ended)
	for s := range ended {
		require.Equal(t, "finished", s, "a run ended without an error while the import was not over")
	}
	require.Equal(t, "finished", status())
	imp := c.status(t, id.String())
	require.EqualValues(t, rows, progress(imp)["created"], "%v", imp)
	require.Len(t, c.contacts(t), rows)
}

// TestUniqueValuesRepeatedAcrossChunks: two chunks are written at once, so a row repeating a
// unique custom value of the chunk before cannot find it among the contacts yet (they are not
// committed). It is rejected all the same, from the chunk before's values, on the run's first
// attempt: otherwise the database's key (contact_unique_values) fails the later chunk, or the
// two chunks wait on each other (an update in the later chunk taking the value before the
// earlier chunk's insert) until the lock timeout.
func TestUniqueValuesRepeatedAcrossChunks(t *testing.T) {
	t.Parallel()
	c := setup(t, func(cfg *app.Config) { cfg.ImportChunkRows = 1 })
	c.field(t, map[string]any{"label": "Member No", "type": "text", "unique": true})
	const pairs = 15
	var file strings.Builder
	file.WriteString("email,member_no\n")
	for i := range pairs {
		// A created contact's value repeated by the next row: a create, then an update.
		c.createContact(t, map[string]any{"email": fmt.Sprintf("held%d@example.com", i)})
		fmt.Fprintf(&file, "new%d@example.com,M%d\nheld%d@example.com,M%d\n", i, i, i, i)
	}
	c.automated(t)
	resp := c.upload(t, "members.csv", []byte(file.String()), "?start=true&mode=create_and_update")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	imp := c.wait(t, id, "finished")
	require.EqualValues(t, pairs, progress(imp)["created"], "%v", imp)
	require.EqualValues(t, pairs, progress(imp)["rejected"], "%v", imp)
	require.Equal(t, pairs, c.env.Count(t, c.owner.WorkspaceID,
		`SELECT count(*) FROM import_issues WHERE import_id = $1 AND reason = 'the member_no value belongs to another contact'`, id))
	var attempt int
	var errs []byte
	require.NoError(t, c.env.DB.Owner.QueryRow(context.Background(),
		`SELECT attempt, COALESCE(array_to_json(errors)::text, '[]') FROM river.river_job WHERE kind = 'run_import' AND args ->> 'import_id' = $1`, id).
		Scan(&attempt, &errs))
	require.Equal(t, 1, attempt, "the run needed no second attempt: %s", errs)
	holders := map[string]int{}
	for _, ct := range c.contacts(t) {
		if v, ok := ct["custom"].(map[string]any)["member_no"]; ok {
			holders[v.(string)]++
		}
	}
	require.Len(t, holders, pairs)
	for v, n := range holders {
		require.Equal(t, 1, n, "%s has one holder", v)
	}
}

// TestUniqueValuesInOneChunk: within a chunk, a unique custom value held by another contact,
// or by an earlier row of the chunk, rejects the row; a contact updated with its own value is
// no conflict. The earlier-row check is a window over the chunk (a correlated scan per row took
// a minute for 20,000 rows).
func TestUniqueValuesInOneChunk(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.field(t, map[string]any{"label": "Member No", "type": "text", "unique": true})
	c.field(t, map[string]any{"label": "Badge", "type": "text", "unique": true})
	c.createContact(t, map[string]any{"name": "Holder", "email": "holder@example.com", "custom": map[string]any{"member_no": "H1"}})
	c.createContact(t, map[string]any{"name": "Second Holder", "email": "second@example.com", "custom": map[string]any{"member_no": "H2"}})
	c.automated(t)
	file := "email,name,member_no,badge\n" +
		"x@example.com,X,M1,\n" + // new
		"y@example.com,Y,M1,\n" + // an earlier row has M1
		"holder@example.com,Holder Renamed,H1,\n" + // the holder keeps its own value
		"z@example.com,Z,H1,\n" + // the holder has H1
		"w@example.com,W,H2,\n" + // the second holder has H2, so this row does not take it...
		"second@example.com,Second Renamed,H2,\n" + // ...and the holder's own row is no repeat of it
		"u@example.com,U,H1,B1\n" + // H1 is held, so the row takes neither value...
		"v@example.com,V,,B1\n" // ...and B1 is free for this one
	resp := c.upload(t, "one-chunk.csv", []byte(file), "?start=true&mode=create_and_update")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	imp := c.wait(t, id, "finished")
	require.EqualValues(t, 2, progress(imp)["created"], "%v", imp)
	require.EqualValues(t, 2, progress(imp)["updated"], "%v", imp)
	require.EqualValues(t, 4, progress(imp)["rejected"], "%v", imp)
	require.Equal(t, 4, c.env.Count(t, c.owner.WorkspaceID,
		`SELECT count(*) FROM import_issues WHERE import_id = $1 AND row_number IN (2, 4, 5, 7) AND reason = 'the member_no value belongs to another contact'`, id))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID,
		`SELECT count(*) FROM contacts WHERE name = 'Second Renamed' AND custom ->> 'member_no' = 'H2'`))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contacts WHERE name = 'V' AND custom ->> 'badge' = 'B1'`))
}
