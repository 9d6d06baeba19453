package main_test

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// binary builds the guestlist command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "guestlist")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

type process struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func start(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &process{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	require.NoError(t, cmd.Start())
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return p
}

// stop sends SIGTERM and requires a clean exit (0) within the drain time.
func (p *process) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.done:
		require.NoError(t, err, "exit after SIGTERM; stderr:\n%s", p.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit 30s after SIGTERM; stderr:\n%s", p.stderr)
	}
}

func (p *process) waitStatus(t *testing.T, url string, want int) {
	t.Helper()
	ok := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !ok; time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-p.done:
			t.Fatalf("the process exited (%v) before %s answered %d; stderr:\n%s", err, url, want, p.stderr)
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			ok = resp.StatusCode == want
		}
	}
	require.True(t, ok, "%s never answered %d; stderr:\n%s", url, want, p.stderr)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	// The test must know the address before the server starts: take one that is free now.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// TestLifecycle: serve on an empty database refuses to start and says to migrate; migrate (ours
// and River's, as the owner role) runs, twice without harm; serve is then ready and serves a
// sign-up; SIGTERM drains and exits 0; so does worker.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	d := testdb.Empty(t)
	addr := freeAddr(t)
	env := []string{
		"DATABASE_URL=" + d.AppURL, "DATABASE_OWNER_URL=" + d.OwnerURL, "GUESTLIST_ADDR=" + addr,
		"GUESTLIST_OUTBOX_DIR=" + t.TempDir(), "GUESTLIST_BLOB_URL=" + t.TempDir(), "GUESTLIST_SHUTDOWN_TIMEOUT=10s",
	}
	base := "http://" + addr

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "run `guestlist migrate`")

	cmd = exec.Command(bin, "migrate")
	cmd.Env = append(os.Environ(), env...)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "migrations applied")
	cmd = exec.Command(bin, "migrate") // a second run has nothing to do and succeeds
	cmd.Env = append(os.Environ(), env...)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	serve := start(t, bin, env, "serve")
	serve.waitStatus(t, base+"/readyz", http.StatusOK)

	resp, err := http.Post(base+"/api/v1/auth/signup", "application/json", strings.NewReader(
		`{"name":"Ada","email":"ada@example.com","password":"a long password","workspace_name":"Analytical"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	serve.stop(t)
	require.Contains(t, serve.stderr.String(), "shutting down")

	worker := start(t, bin, append(env, "GUESTLIST_ADDR=127.0.0.1:1"), "worker")
	require.Eventually(t, func() bool { return strings.Contains(worker.stderr.String(), "working jobs") }, 30*time.Second, 50*time.Millisecond)
	worker.stop(t)
}

// The server refuses to start with a role that could read every workspace.
func TestServeRefusesARoleThatBypassesRLS(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	d := testdb.New(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+d.OwnerURL, "GUESTLIST_ADDR="+freeAddr(t))
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "can bypass row-level security")
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(binary(t), "frobnicate").CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "unknown command")
}
