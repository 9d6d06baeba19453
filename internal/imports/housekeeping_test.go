package imports_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// tidy works one tidy_imports job, as River would.
func (c crm) tidy(t *testing.T) {
	t.Helper()
	w := &jobs.TidyImportsWorker{Imports: c.env.App.Imports}
	require.NoError(t, w.Work(context.Background(), &river.Job[jobs.TidyImportsArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 3}}))
}

// importJob is the id of the import's job of that kind (River's tables are platform tables; the
// owner owns them).
func (c crm) importJob(t *testing.T, kind, importID string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, c.env.DB.Owner.QueryRow(context.Background(),
		"SELECT id FROM river.river_job WHERE kind = $1 AND args ->> 'import_id' = $2", kind, importID).Scan(&id))
	return id
}

// setJob puts a job in a state, as River would have left it.
func (c crm) setJob(t *testing.T, id int64, sql string) {
	t.Helper()
	_, err := c.env.DB.Owner.Exec(context.Background(), "UPDATE river.river_job SET "+sql+" WHERE id = $1", id)
	require.NoError(t, err)
}

// setImport changes an import's row in its workspace, for states the API cannot reach at will.
func (c crm) setImport(t *testing.T, ws uuid.UUID, id, sql string) {
	t.Helper()
	c.env.InWorkspace(t, ws, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), "UPDATE imports SET "+sql+" WHERE workspace_id = $1 AND id = $2", ws, id)
		return err
	})
}

func (c crm) status(t *testing.T, id string) map[string]any {
	t.Helper()
	return c.owner.Do("GET", c.base+"/imports/"+id, nil).Map(t)
}

const (
	runLost  = "the run stopped: its worker was lost on the last attempt; the rows written so far are kept and can be undone"
	undoLost = "The undo failed, so nothing was undone: its worker was lost on the last attempt; the contacts are as the import left them. Try the undo again."
	// A job an operator cancelled through River.
	runCancelled  = "the run stopped: its job was cancelled outside the app (through River, by an operator); the rows written so far are kept and can be undone"
	undoCancelled = "The undo failed, so nothing was undone: its job was cancelled outside the app (through River, by an operator); the contacts are as the import left them. Try the undo again."
)

// TestTidyFailsImportsWhoseJobIsGone: a worker killed during its job's last attempt leaves the
// import active (River's rescuer discards the job without calling the worker). The sweep marks
// such imports failed, in their own workspace, with the reason, and leaves every import whose
// job is live alone.
func TestTidyFailsImportsWhoseJobIsGone(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ctx := context.Background()
	ws := c.owner.WorkspaceID
	start := func(c crm, name string) string {
		// Each file its own bytes: the same file twice needs a confirmation.
		file := "name,email\nAda,ada." + name + "@example.com\nGrace,grace." + name + "@example.com\n"
		resp := c.upload(t, name, []byte(file), "?start=true")
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		return resp.Map(t)["id"].(string)
	}
	// Two imports that finished, whose undos are asked for below.
	undone := start(c, "undo.csv")
	c.wait(t, undone, "finished")
	undoing := start(c, "undoing.csv")
	c.wait(t, undoing, "finished")
	undoStopped := start(c, "undo-stopped.csv")
	c.wait(t, undoStopped, "finished")

	// From here on no job is worked: the jobs stay as the test sets them.
	require.NoError(t, c.env.App.StopWorkers())
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+undone+"/undo", nil).Status)
	require.Equal(t, "undoing", c.status(t, undone)["status"])
	// Its job is gone: River's cleaner deletes finalized jobs after a while.
	_, err := c.env.DB.Owner.Exec(ctx, "DELETE FROM river.river_job WHERE id = $1", c.importJob(t, "undo_import", undone))
	require.NoError(t, err)
	// This undo's job waits for a worker.
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+undoing+"/undo", nil).Status)
	// This undo's job an operator cancels through River.
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+undoStopped+"/undo", nil).Status)
	_, err = c.env.App.River.JobCancel(ctx, c.importJob(t, "undo_import", undoStopped))
	require.NoError(t, err)

	discarded := start(c, "discarded.csv") // the rescuer discarded it after the last attempt's worker died
	c.setJob(t, c.importJob(t, "run_import", discarded), "state = 'discarded', finalized_at = now(), attempt = max_attempts")
	c.setImport(t, ws, discarded, "status = 'running', started_at = now()")
	cancelled := start(c, "cancelled.csv") // cancelled through River; the import stays queued
	_, err = c.env.App.River.JobCancel(ctx, c.importJob(t, "run_import", cancelled))
	require.NoError(t, err)
	// The member asked to cancel this one, and its worker was lost before the next chunk.
	asked := start(c, "asked.csv")
	c.setJob(t, c.importJob(t, "run_import", asked), "state = 'discarded', finalized_at = now(), attempt = max_attempts")
	c.setImport(t, ws, asked, "status = 'running', started_at = now()")
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+asked+"/cancel", nil).Status)

	running := start(c, "running.csv") // a worker is on it
	c.setJob(t, c.importJob(t, "run_import", running), "state = 'running', attempt = 1, attempted_at = now()")
	c.setImport(t, ws, running, "status = 'running', started_at = now()")
	snoozed := start(c, "snoozed.csv") // between two time slices
	c.setJob(t, c.importJob(t, "run_import", snoozed), "state = 'scheduled', scheduled_at = now() + interval '1 hour'")
	c.setImport(t, ws, snoozed, "status = 'running', started_at = now()")
	retrying := start(c, "retrying.csv") // an attempt failed; another comes
	c.setJob(t, c.importJob(t, "run_import", retrying), "state = 'retryable', attempt = 2, scheduled_at = now() + interval '1 hour'")
	c.setImport(t, ws, retrying, "status = 'running', started_at = now()")
	waiting := start(c, "waiting.csv") // queued behind other imports

	// Another workspace's abandoned import: its job is completed, the import never ended.
	other := c.env.SignUp(t)
	otherAgent := other.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	oc := crm{env: c.env, owner: other, agent: otherAgent, base: "/api/v1/agents/" + otherAgent}
	theirs := start(oc, "theirs.csv")
	c.setJob(t, c.importJob(t, "run_import", theirs), "state = 'completed', finalized_at = now()")

	c.tidy(t)

	imp := c.status(t, discarded)
	require.Equal(t, "failed", imp["status"], "%v", imp)
	require.Equal(t, runLost, imp["error"])
	require.NotNil(t, imp["finished_at"])
	imp = c.status(t, cancelled)
	require.Equal(t, "cancelled", imp["status"], "a job cancelled through River is not a lost worker: %v", imp)
	require.Equal(t, runCancelled, imp["error"])
	require.NotNil(t, imp["finished_at"])
	imp = c.status(t, asked)
	require.Equal(t, "cancelled", imp["status"], "a member who asked to cancel gets a cancelled import: %v", imp)
	require.Equal(t, runLost, imp["error"])
	imp = c.status(t, undone)
	require.Equal(t, "failed", imp["status"], "%v", imp)
	require.Equal(t, undoLost, imp["error"])
	imp = c.status(t, undoStopped)
	require.Equal(t, "failed", imp["status"], "%v", imp)
	require.Equal(t, undoCancelled, imp["error"])
	require.Len(t, c.contacts(t), 6, "nothing was undone")
	require.Equal(t, "undoing", c.status(t, undoing)["status"], "an undo whose job waits is live")
	require.Equal(t, "running", c.status(t, running)["status"], "a running job is live")
	require.Equal(t, "running", c.status(t, snoozed)["status"], "a snoozed slice is live")
	require.Equal(t, "running", c.status(t, retrying)["status"], "a retryable job is live")
	require.Equal(t, "queued", c.status(t, waiting)["status"], "an available job is live")
	for _, id := range []string{running, snoozed, retrying, waiting, undoing} {
		require.Nil(t, c.status(t, id)["error"])
	}

	// The other workspace's import was failed in its own workspace: the record is there, and
	// nothing of it is in this one.
	imp = oc.status(t, theirs)
	require.Equal(t, "failed", imp["status"], "%v", imp)
	require.Equal(t, runLost, imp["error"])
	failures := "SELECT count(*) FROM audit_log WHERE resource = 'imports' AND action = 'fail' AND resource_id = $1"
	require.Equal(t, 1, c.env.Count(t, other.WorkspaceID, failures, theirs))
	require.Zero(t, c.env.Count(t, ws, failures, theirs))
	require.Equal(t, 1, c.env.Count(t, ws, failures, discarded))

	// A second sweep finds nothing more to do.
	c.tidy(t)
	require.Equal(t, 1, c.env.Count(t, ws, failures, discarded))
	require.Equal(t, 1, c.env.Count(t, ws,
		"SELECT count(*) FROM audit_log WHERE resource = 'imports' AND action = 'undo' AND outcome = 'failure' AND resource_id = $1", undone))

	// The failed undo can be asked for again, and runs.
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+undone+"/undo", nil).Status)
	require.NoError(t, c.env.App.Imports.UndoImport(ctx, ws, uuid.MustParse(undone)))
	require.Equal(t, "undone", c.status(t, undone)["status"])
}

// TestHousekeepingDoorShowsIdsOnly: the app role reads no workspace's imports outside its
// tenant transaction, not even with the definer function's gate set, and the owner's own
// view is closed again once the function returns. The function answers ids and actions only.
func TestHousekeepingDoorShowsIdsOnly(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ctx := context.Background()
	resp := c.upload(t, "a.csv", []byte("email\na@example.com\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	mine := resp.Map(t)["id"].(string)
	other := c.env.SignUp(t)
	otherAgent := other.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	oc := crm{env: c.env, owner: other, agent: otherAgent, base: "/api/v1/agents/" + otherAgent}
	resp = oc.upload(t, "b.csv", []byte("email\nb@example.com\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)

	count := func(pool interface {
		Begin(context.Context) (pgx.Tx, error)
	}, setup ...string) int {
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		for _, s := range setup {
			_, err := tx.Exec(ctx, s)
			require.NoError(t, err)
		}
		var n int
		require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM imports").Scan(&n))
		return n
	}
	app, owner := c.env.DB.App, c.env.DB.Owner
	require.Zero(t, count(app), "no workspace, no imports")
	require.Zero(t, count(app, "SET LOCAL app.housekeeping = 'on'"), "the gate opens nothing for the app role")
	require.Equal(t, 1, count(app, "SELECT set_config('app.workspace_id', '"+c.owner.WorkspaceID.String()+"', true)"),
		"a workspace sees its own import only")
	require.Zero(t, count(owner), "FORCE binds the owner too")
	require.Zero(t, count(owner, "SELECT count(*) FROM import_housekeeping('1 hour', 10)"),
		"the function closes the owner's view again before it returns")
	// Its arguments are bounded (no listing of everything at once), and EXECUTE is the app
	// role's, not every role's.
	for _, call := range []string{"import_housekeeping('1 minute', 10)", "import_housekeeping('1 hour', 1000000)"} {
		_, err := app.Exec(ctx, "SELECT * FROM "+call)
		require.ErrorContains(t, err, "import_housekeeping: a ", call)
	}
	var public bool
	require.NoError(t, owner.QueryRow(ctx, "SELECT has_function_privilege('public', 'import_housekeeping(interval, integer)', 'EXECUTE')").Scan(&public))
	require.False(t, public)

	// Both imports are uploaded, not started: nothing to do. An ended one past the retention is
	// named by ids and action only.
	c.setImport(t, c.owner.WorkspaceID, mine, "status = 'finished', finished_at = now() - interval '2 hours'")
	rows, err := app.Query(ctx, "SELECT * FROM import_housekeeping('1 hour', 10)")
	require.NoError(t, err)
	require.Equal(t, []string{"workspace_id", "import_id", "action"}, func() []string {
		var names []string
		for _, f := range rows.FieldDescriptions() {
			names = append(names, f.Name)
		}
		return names
	}())
	type pair struct {
		WS     uuid.UUID
		Import uuid.UUID
		Action string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[pair])
	require.NoError(t, err)
	require.Equal(t, []pair{{c.owner.WorkspaceID, uuid.MustParse(mine), "purge_file"}}, got)
}

// TestTidyDeletesImportFilesPastTheirRetention: the stored file of an import whose run ended
// longer ago than GUESTLIST_IMPORT_FILE_RETENTION is deleted as an erase deletes it: the
// import says when, its error report answers 409. A recent import and one still running keep
// theirs. Undo does not need the file.
func TestTidyDeletesImportFilesPastTheirRetention(t *testing.T) {
	t.Parallel()
	blobs := t.TempDir()
	c := setup(t, func(cfg *app.Config) { cfg.BlobURL = blobs; cfg.ImportFileRetention = 24 * time.Hour })
	ws := c.owner.WorkspaceID
	existing := c.createContact(t, map[string]any{"name": "Old Name", "email": "existing@example.com"})
	c.automated(t)
	run := func(name, file string) string {
		resp := c.upload(t, name, []byte(file), "?start=true")
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		id := resp.Map(t)["id"].(string)
		c.wait(t, id, "finished")
		require.Eventually(t, func() bool {
			var state string
			require.NoError(t, c.env.DB.Owner.QueryRow(context.Background(),
				"SELECT state::text FROM river.river_job WHERE id = $1", c.importJob(t, "run_import", id)).Scan(&state))
			return state == "completed"
		}, 15*time.Second, 20*time.Millisecond)
		return id
	}
	stored := func(id string) bool {
		_, err := os.Stat(filepath.Join(blobs, ws.String(), "imports", id))
		return err == nil
	}
	old := run("old.csv", "name,email\nAda,ada@example.com\nNew Name,existing@example.com\nBroken,not-an-email\n")
	recent := run("recent.csv", "name,email\nGrace,grace@example.com\nBroken,not-an-email\n")
	active := run("active.csv", "name,email\nLinus,linus@example.com\n")
	upload := func(name string) string {
		resp := c.upload(t, name, []byte("name,email\nAlan,alan@example.com\n"), "")
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		return resp.Map(t)["id"].(string)
	}
	forgotten, waiting := upload("forgotten.csv"), upload("waiting.csv")
	require.Equal(t, "New Name", c.contactByID(t, existing)["name"])
	// The sweep is periodic and runs when the workers start: it has run once already (and found
	// nothing to do).
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, c.env.DB.Owner.QueryRow(context.Background(),
			"SELECT count(*) FROM river.river_job WHERE kind = 'tidy_imports' AND state = 'completed'").Scan(&n))
		return n > 0
	}, 15*time.Second, 20*time.Millisecond, "tidy_imports is a periodic job, run on start")

	// The old run ended two days ago; the active one is running again (a live job, between
	// two slices) with a finished_at from two days ago.
	c.setImport(t, ws, old, "finished_at = now() - interval '48 hours'")
	// An upload never started, two days old, and one of an hour ago.
	c.setImport(t, ws, forgotten, "created_at = now() - interval '48 hours'")
	c.setImport(t, ws, waiting, "created_at = now() - interval '1 hour'")
	c.setImport(t, ws, active, "status = 'running', finished_at = now() - interval '48 hours'")
	c.setJob(t, c.importJob(t, "run_import", active), "state = 'scheduled', finalized_at = NULL, scheduled_at = now() + interval '1 hour'")
	c.tidy(t)

	require.Eventually(t, func() bool { return !stored(old) }, 15*time.Second, 20*time.Millisecond, "the old file is deleted")
	imp := c.status(t, old)
	require.NotNil(t, imp["file_erased_at"])
	require.Equal(t, "finished", imp["status"])
	require.EqualValues(t, 1, progress(imp)["created"], "the import keeps its counts")
	report := c.owner.Do("GET", c.base+"/imports/"+old+"/errors", nil)
	require.Equal(t, http.StatusConflict, report.Status, "%s", report.Body)
	require.Equal(t, "conflict", report.ErrorCode())
	require.Contains(t, string(report.Body), "kept for a limited time after the run")
	require.Equal(t, 1, c.env.Count(t, ws,
		"SELECT count(*) FROM audit_log WHERE resource = 'imports' AND action = 'delete_file' AND resource_id = $1 AND after ->> 'reason' = 'retention'", old))

	// The forgotten upload is cancelled with its file gone, saying why; it cannot start.
	require.Eventually(t, func() bool { return !stored(forgotten) }, 15*time.Second, 20*time.Millisecond, "the forgotten upload's file is deleted")
	imp = c.status(t, forgotten)
	require.Equal(t, "cancelled", imp["status"])
	require.NotNil(t, imp["file_erased_at"])
	require.Equal(t, "Never started: its file was deleted 1 day after the upload, as import files are kept for a limited time.", imp["error"])
	resp := c.owner.Do("POST", c.base+"/imports/"+forgotten+"/start", map[string]any{})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.True(t, stored(waiting), "a recent upload keeps its file")
	require.Equal(t, "uploaded", c.status(t, waiting)["status"])

	require.True(t, stored(recent), "a recent import keeps its file")
	require.Nil(t, c.status(t, recent)["file_erased_at"])
	require.Equal(t, http.StatusOK, c.owner.Do("GET", c.base+"/imports/"+recent+"/errors", nil).Status)
	require.True(t, stored(active), "an import under way keeps its file")
	imp = c.status(t, active)
	require.Nil(t, imp["file_erased_at"])
	require.Equal(t, "running", imp["status"], "its job is live")

	// Undo works from the snapshots: the created contact goes, the updated one gets its name back.
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+old+"/undo", nil).Status)
	c.wait(t, old, "undone")
	emails := byEmail(c.contacts(t))
	require.NotContains(t, emails, "ada@example.com")
	require.Contains(t, emails, "grace@example.com")
	require.Equal(t, "Old Name", c.contactByID(t, existing)["name"])
}

func (c crm) contactByID(t *testing.T, id string) map[string]any {
	t.Helper()
	resp := c.owner.Do("GET", c.base+"/contacts/"+id, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}
