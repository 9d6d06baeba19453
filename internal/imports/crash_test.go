package imports_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
)

// worker runs `guestlist worker` as a process of its own against the test's database and
// blob folder; extra is more environment.
func worker(t *testing.T, bin string, env *apptest.Env, blobs string, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "worker")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+env.DB.AppURL, "DATABASE_OWNER_URL="+env.DB.OwnerURL,
		"GUESTLIST_BLOB_URL="+blobs, "GUESTLIST_OUTBOX_DIR="+t.TempDir(), "GUESTLIST_IMPORT_CHUNK_ROWS=500", "GUESTLIST_LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	return cmd
}

// snapshot is an agent's contacts as comparable lines (what the file decides), sorted.
func snapshot(t *testing.T, env *apptest.Env, c crm) []string {
	t.Helper()
	var out []string
	rows, err := env.DB.Owner.Query(context.Background(), `
		SELECT concat_ws('|', c.email, c.name, c.phone, c.external_id, c.source, c.custom::text, s.name)
		FROM contacts c LEFT JOIN stages s ON s.workspace_id = c.workspace_id AND s.id = c.stage_id
		WHERE c.workspace_id = $1 ORDER BY 1`, c.owner.WorkspaceID)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		out = append(out, line)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestWorkerKilledMidImport kills the worker process (SIGKILL) in the middle of an import,
// starts a new one, and compares the contacts with a clean run of the same file: none lost,
// none twice, every count the same.
func TestWorkerKilledMidImport(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "guestlist")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/guestlist")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	blobs := t.TempDir()
	env := apptest.Start(t, func(cfg *app.Config) { cfg.BlobURL = blobs })
	// Only the worker processes work jobs here.
	require.NoError(t, env.App.StopWorkers())

	var file strings.Builder
	file.WriteString("external_id,email,phone,name,stage\n")
	const rows = 30000
	for i := range rows {
		stage := []string{"Lead", "Prospect", "Customer"}[i%3]
		fmt.Fprintf(&file, "c%d,p%d@example.com,+1415555%04d,Person %d,%s\n", i, i, i%10000, i, stage)
	}
	content := []byte(file.String())
	// The same phone on every 10,000th row makes later rows duplicates inside the file.
	crashed, clean := crm{env: env, owner: env.SignUp(t)}, crm{env: env, owner: env.SignUp(t)}
	for _, c := range []*crm{&crashed, &clean} {
		c.agent = c.owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
		c.base = "/api/v1/agents/" + c.agent
	}

	resp := crashed.upload(t, "crash.csv", content, "?start=true")
	require.Equal(t, 201, resp.Status, "%s", resp.Body)
	crashedID := resp.Map(t)["id"].(string)
	first := worker(t, bin, env, blobs)
	require.Eventually(t, func() bool {
		done := progress(crashed.owner.Do("GET", crashed.base+"/imports/"+crashedID, nil).Map(t))["rows_done"].(float64)
		return done >= 2000
	}, 60*time.Second, 5*time.Millisecond)
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_, _ = first.Process.Wait()
	killedAt := crashed.owner.Do("GET", crashed.base+"/imports/"+crashedID, nil).Map(t)
	require.Equal(t, "running", killedAt["status"], "the worker was killed after the import ended: make the file larger")
	t.Logf("killed at %v of %d rows", progress(killedAt)["rows_done"], rows)

	// The next worker takes the lost job over once River's rescuer sees it stuck: as if
	// GUESTLIST_JOB_RESCUE_AFTER had passed since the dead worker took it.
	_, err := env.DB.Owner.Exec(context.Background(),
		"UPDATE river.river_job SET attempted_at = now() - interval '2 hours' WHERE kind = 'run_import' AND state = 'running'")
	require.NoError(t, err)
	worker(t, bin, env, blobs)
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
	require.Equal(t, progress(b)["created"], progress(a)["created"])
	require.Equal(t, progress(b)["rejected"], progress(a)["rejected"])
	require.EqualValues(t, rows, progress(a)["rows_done"])
	require.EqualValues(t, 10000, progress(a)["created"])
	require.EqualValues(t, 20000, progress(a)["rejected"])
	require.Equal(t, snapshot(t, env, clean), snapshot(t, env, crashed))
	// Every row has exactly one outcome, and every created contact one undo record.
	for _, c := range []crm{crashed, clean} {
		require.Equal(t, 20000, env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM import_issues"))
		require.Equal(t, 10000, env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM import_changes WHERE created"))
		require.Equal(t, 10000, env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM contacts"))
	}
}
