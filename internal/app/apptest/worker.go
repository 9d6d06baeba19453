package apptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// BuildBinary builds cmd/guestlist into the test's temporary folder, for tests that run its
// processes (a worker killed with SIGKILL, say).
func BuildBinary(t testing.TB) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "guestlist")
	build := exec.Command("go", "build", "-o", bin, filepath.Join(filepath.Dir(here), "..", "..", "..", "cmd", "guestlist"))
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	return bin
}

// WorkerProcess starts `guestlist worker` from bin as a process of its own against the test's
// database, with its own outbox folder, warnings only in its log, and extra (KEY=value) as more
// environment. The process is killed when the test ends.
func (e *Env) WorkerProcess(t testing.TB, bin string, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "worker")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+e.DB.AppURL, "DATABASE_OWNER_URL="+e.DB.OwnerURL,
		"GUESTLIST_OUTBOX_DIR="+t.TempDir(), "GUESTLIST_LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	return cmd
}
