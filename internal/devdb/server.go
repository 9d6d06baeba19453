package devdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// settings are the server settings every start writes to guestlist.conf in
// the data directory (included from postgresql.conf), so a change here
// reaches existing clusters at their next start, and a moved directory
// still gets its socket in the right place.
func (c *Cluster) settings() string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	return strings.Join([]string{
		"# Written by guestlist internal/devdb at every start: change the code, not this file.",
		// Unix socket only, inside the data dir: no TCP port to find or
		// collide on, and the system socket directory may not exist.
		"listen_addresses = ''",
		"port = " + strconv.Itoa(port),
		"unix_socket_directories = " + quote(c.dir),
		"unix_socket_permissions = 0700",
		// Test packages run in parallel, each with its own pools.
		"max_connections = 300",
		"shared_buffers = '128MB'",
		// A dev/test cluster trades crash safety for speed: after an OS
		// crash, delete it and let Start make a new one.
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		"wal_level = minimal",
		"max_wal_senders = 0",
		"max_wal_size = '1GB'",
		// JIT compiles slowly for the short queries tests run.
		"jit = off",
		"timezone = 'UTC'",
		"log_timezone = 'UTC'",
		"",
	}, "\n")
}

// Start makes the cluster ready: initdb when the data directory holds no
// cluster, start the server when it is not running, and create or fix the
// OwnerRole and AppRole roles. It is idempotent and cheap when the cluster is
// already up. Several processes may call it at once: they take turns on a
// lock file next to the data directory.
//
// The server is started in its own process group, so it outlives the
// calling process and a Ctrl-C in its terminal; Stop ends it.
func (c *Cluster) Start(ctx context.Context) error {
	unlock, err := c.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.initIfMissing(ctx); err != nil {
		return err
	}
	running, err := c.Running(ctx)
	if err != nil {
		return err
	}
	if !running {
		if err := c.startServer(ctx); err != nil {
			return err
		}
	}
	return c.ensureRoles(ctx)
}

// Stop shuts the server down in "fast" mode (disconnects clients, rolls back
// their transactions) and waits for it. Stopping a cluster that is not
// running, or does not exist, is not an error.
func (c *Cluster) Stop(ctx context.Context) error {
	// No cluster: nothing to stop, and no reason to create the lock file's
	// directory just to find that out.
	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	unlock, err := c.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	running, err := c.Running(ctx)
	if err != nil || !running {
		return err
	}
	out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.dir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
	if err != nil {
		// Someone may have stopped it behind our back (pg_ctl, a reboot).
		if running, rerr := c.Running(ctx); rerr == nil && !running {
			return nil
		}
		return fmt.Errorf("devdb: pg_ctl stop: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Running reports whether a server runs on the data directory, as pg_ctl
// status sees it (the postmaster.pid names a live process). A server that is
// still starting counts as running; Start waits until it accepts
// connections.
func (c *Cluster) Running(ctx context.Context) (bool, error) {
	out, err := c.command(ctx, "pg_ctl", "status", "-D", c.dir).CombinedOutput()
	if err == nil {
		return true, nil
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case 3: // no server running
			return false, nil
		case 4: // no accessible data directory: certainly no server on it
			return false, nil
		}
	}
	return false, fmt.Errorf("devdb: pg_ctl status: %w: %s", err, strings.TrimSpace(string(out)))
}

// initIfMissing runs initdb when the data directory holds no cluster yet.
// initdb writes into a staging directory next to it, renamed into place
// only when complete: an interrupted initdb leaves no half-made cluster
// that the next Start would take for a real one.
func (c *Cluster) initIfMissing(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); err == nil {
		return c.checkExisting()
	}
	if entries, err := os.ReadDir(c.dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("devdb: %s is not empty and holds no PostgreSQL cluster (no PG_VERSION): "+
			"remove it or choose another directory", c.dir)
	}
	staging := c.dir + ".initdb"
	// Left over by an initdb that was killed; we hold the lock, so no one
	// else is using it.
	if err := os.RemoveAll(staging); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	// C.UTF-8 gives Unicode-aware upper()/lower() with byte-order
	// collation; plain C is the fallback where that locale is missing.
	var out []byte
	var err error
	for _, locale := range []string{"C.UTF-8", "C"} {
		if err := c.mkdirOwned(staging); err != nil {
			return err
		}
		out, err = c.command(ctx, "initdb", "-D", staging, "-U", superuserName, "--auth=trust",
			"-E", "UTF8", "--locale="+locale, "-N").CombinedOutput()
		if err == nil {
			break
		}
		if rmErr := os.RemoveAll(staging); rmErr != nil {
			return fmt.Errorf("devdb: %w", rmErr)
		}
		if !bytes.Contains(out, []byte("invalid locale")) {
			break // not a locale problem: another locale would fail the same way
		}
	}
	if err != nil {
		return fmt.Errorf("devdb: initdb %s: %w: %s", staging, err, strings.TrimSpace(string(out)))
	}
	include := "\n# guestlist devdb: listen on the socket only, dev/test speed settings.\n" +
		"include_if_exists = 'guestlist.conf'\n"
	if err := appendFile(filepath.Join(staging, "postgresql.conf"), include); err != nil {
		return err
	}
	// rename(2) also replaces an empty directory, which the caller may have
	// made for us.
	if err := os.Rename(staging, c.dir); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return nil
}

// checkExisting refuses an existing cluster the server could not run, with
// a message that says what to do rather than a line in the server log.
func (c *Cluster) checkExisting() error {
	raw, err := os.ReadFile(filepath.Join(c.dir, "PG_VERSION"))
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if v, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && v != c.version {
		return fmt.Errorf("devdb: %s was made by PostgreSQL %d but the binaries in %s are version %d: "+
			"remove the directory to make a new cluster (its data is lost) or install PostgreSQL %d",
			c.dir, v, c.bin, c.version, v)
	}
	if c.runAs != nil {
		fi, err := os.Stat(c.dir)
		if err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != c.runAs.uid {
			return fmt.Errorf("devdb: %s belongs to uid %d, but the server runs as %s: chown -R %s: %s",
				c.dir, st.Uid, c.runAs.name, c.runAs.name, c.dir)
		}
	}
	return nil
}

// startServer writes the settings and runs pg_ctl start, waiting until the
// server accepts connections.
func (c *Cluster) startServer(ctx context.Context) error {
	if err := c.writeOwned(filepath.Join(c.dir, "guestlist.conf"), c.settings()); err != nil {
		return err
	}
	cmd := c.command(ctx, "pg_ctl", "start", "-D", c.dir, "-l", c.logFile(), "-w", "-t", "60", "-s")
	// Its own process group: a Ctrl-C of `make run` signals the foreground
	// group and must not take the shared cluster down with the app.
	cmd.SysProcAttr.Setpgid = true
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("devdb: pg_ctl start: %w: %s\n--- end of %s ---\n%s",
			err, strings.TrimSpace(string(out)), c.logFile(), tail(c.logFile(), 2048))
	}
	return nil
}

// command prepares one of the PostgreSQL binaries, run as the server's OS
// user when we are root.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	// Our working directory may be private to root; the postgres user must
	// be able to stand in it.
	cmd.Dir = "/"
	cmd.Env = c.env()
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if c.runAs != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.runAs.uid, Gid: c.runAs.gid, Groups: c.runAs.groups}
	}
	// pg_ctl start leaves a server behind; should it ever hold our output
	// pipe, give up waiting for it rather than hang.
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// env is our environment without the PG* variables (PGDATA, PGPORT,
// PGHOST...), which would point pg_ctl at some other cluster.
func (c *Cluster) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || (c.runAs != nil && strings.HasPrefix(kv, "HOME=")) {
			continue
		}
		env = append(env, kv)
	}
	if c.runAs != nil {
		env = append(env, "HOME="+c.runAs.home)
	}
	return env
}

// lock takes the lock file next to the data directory, creating its parent
// directories (searchable, so the server user can walk them) on the way. It
// waits, polling, until the lock is free or ctx ends. The lock is an flock on
// an open file, so it is also released when the process dies.
func (c *Cluster) lock(ctx context.Context) (unlock func(), err error) {
	if err := c.mkdirParents(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(c.lockFile(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil // closing releases the flock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("devdb: lock %s: %w", c.lockFile(), err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("devdb: waiting for %s: %w", c.lockFile(), ctx.Err())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// mkdirParents creates the data directory's missing parents with mode 0755
// (not narrowed by the umask), so the server user can reach the data
// directory. When the cluster was relocated under the shared temp dir, the
// parent must be ours: a directory someone else made there in advance could
// be swapped for a symlink under us.
func (c *Cluster) mkdirParents() error {
	parent := filepath.Dir(c.dir)
	if err := mkdirAll(parent); err != nil {
		return err
	}
	if c.relocated != "" {
		fi, err := os.Lstat(parent)
		if err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || !ok || int(st.Uid) != os.Geteuid() || fi.Mode().Perm()&0o022 != 0 {
			return fmt.Errorf("devdb: %s is not a directory of ours (uid %d) writable by us only: remove it", parent, os.Geteuid())
		}
		// Ours, but maybe made under a narrow umask by an older run.
		if fi.Mode().Perm() != 0o755 {
			if err := os.Chmod(parent, 0o755); err != nil {
				return fmt.Errorf("devdb: %w", err)
			}
		}
	}
	// Open checked the parents that existed then; check again now that
	// they all exist, to fail here with a reason rather than in initdb.
	if c.runAs != nil {
		if blocked := firstUnreachable(c.dir, c.runAs); blocked != "" {
			return fmt.Errorf("devdb: the %s user cannot enter %s: make every parent of %s searchable (chmod o+x) or choose another directory",
				c.runAs.name, blocked, c.dir)
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll with mode 0755 forced on the directories it
// creates, whatever the umask: the server user must be able to search them.
func mkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("devdb: %s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("devdb: %w", err)
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // another process made it first
		}
		return fmt.Errorf("devdb: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return nil
}

// mkdirOwned creates dir with mode 0700 owned by the server user: initdb
// accepts an existing empty directory but, running as that user, could not
// create one in a parent that belongs to root.
func (c *Cluster) mkdirOwned(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return c.chown(dir)
}

// writeOwned replaces file with content atomically (temp file and rename),
// owned by the server user, which must be able to read it.
func (c *Cluster) writeOwned(file, content string) error {
	if old, err := os.ReadFile(file); err == nil && string(old) == content {
		return nil
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if err := c.chown(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return nil
}

// chown gives path to the server user when we are root; otherwise we are
// that user already.
func (c *Cluster) chown(path string) error {
	if c.runAs == nil {
		return nil
	}
	if err := os.Chown(path, int(c.runAs.uid), int(c.runAs.gid)); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return nil
}

// appendFile appends s to an existing file, keeping its owner and mode.
func appendFile(file, s string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	return nil
}

// tail returns up to the last n bytes of file, for error messages: why the
// server did not start is in its log, not in pg_ctl's output.
func tail(file string, n int64) string {
	f, err := os.Open(file)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer func() { _ = f.Close() }()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(-n, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return strings.TrimSpace(string(b))
}
