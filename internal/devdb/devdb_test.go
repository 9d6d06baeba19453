package devdb

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// helperDirEnv makes the test binary act as one more process calling Start
// (see TestHelperStart), to test Start across processes, not only goroutines.
const helperDirEnv = "GUESTLIST_DEVDB_HELPER_DIR"

// reachableTempDir makes a directory the postgres user can reach:
// os.MkdirTemp makes it 0700, which would send the cluster to the fallback.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devdb-test-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// openCluster opens a cluster in a fresh reachable directory and stops it
// when the test ends (before the directory is removed: cleanups run last
// registered first).
func openCluster(t *testing.T) *Cluster {
	t.Helper()
	c, err := Open(filepath.Join(reachableTempDir(t), "pg"))
	require.NoError(t, err)
	require.Empty(t, c.Info().Relocated, "a 0755 dir under the temp dir must be usable as is")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		require.NoError(t, c.Stop(ctx))
	})
	return c
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := openCluster(t)

	running, err := c.Running(ctx)
	require.NoError(t, err)
	require.False(t, running, "Open starts nothing")

	began := time.Now()
	require.NoError(t, c.Start(ctx))
	t.Logf("first Start (initdb + start + roles): %v", time.Since(began))
	_, err = os.Stat(filepath.Join(c.Dir(), socketName))
	require.NoError(t, err, "the socket lives in the data dir")

	began = time.Now()
	require.NoError(t, c.Start(ctx))
	t.Logf("second Start (already running): %v", time.Since(began))

	running, err = c.Running(ctx)
	require.NoError(t, err)
	require.True(t, running)

	const db = "lifecycle"
	require.NoError(t, c.EnsureDatabase(ctx, db))
	require.NoError(t, c.EnsureDatabase(ctx, db), "EnsureDatabase is idempotent")

	app, err := pgx.Connect(ctx, c.URL(App, db))
	require.NoError(t, err)
	var (
		user                            string
		super, bypassRLS, createDB, own bool
	)
	require.NoError(t, app.QueryRow(ctx,
		`SELECT current_user, rolsuper, rolbypassrls, rolcreatedb FROM pg_roles WHERE rolname = current_user`).
		Scan(&user, &super, &bypassRLS, &createDB))
	require.Equal(t, AppRole, user)
	require.False(t, super, "the app role must not be a superuser")
	require.False(t, bypassRLS, "the app role must not bypass row-level security")
	require.False(t, createDB)
	require.NoError(t, app.Close(ctx))

	owner, err := pgx.Connect(ctx, c.URL(Owner, db))
	require.NoError(t, err)
	require.NoError(t, owner.QueryRow(ctx,
		`SELECT current_user, pg_get_userbyid(datdba) = current_user FROM pg_database WHERE datname = current_database()`).
		Scan(&user, &own))
	require.Equal(t, OwnerRole, user)
	require.True(t, own, "EnsureDatabase makes the owner role own the database")
	_, err = owner.Exec(ctx, `CREATE TABLE probe (id int PRIMARY KEY)`)
	require.NoError(t, err, "the owner role can create tables in public")
	require.NoError(t, owner.Close(ctx))

	// DropDatabase must work while a pool still holds the database.
	holder, err := pgx.Connect(ctx, c.URL(App, db))
	require.NoError(t, err)
	defer func() { _ = holder.Close(context.Background()) }()
	require.NoError(t, c.DropDatabase(ctx, db))
	require.NoError(t, c.DropDatabase(ctx, db), "dropping a missing database is not an error")
	admin, err := pgx.Connect(ctx, c.URL(Superuser, "postgres"))
	require.NoError(t, err)
	var exists bool
	require.NoError(t, admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, db).Scan(&exists))
	require.False(t, exists)
	require.NoError(t, admin.Close(ctx))

	began = time.Now()
	require.NoError(t, c.Stop(ctx))
	t.Logf("Stop: %v", time.Since(began))
	running, err = c.Running(ctx)
	require.NoError(t, err)
	require.False(t, running)
	require.NoError(t, c.Stop(ctx), "stopping a stopped cluster is not an error")

	began = time.Now()
	require.NoError(t, c.Start(ctx))
	t.Logf("Start of the existing, stopped cluster: %v", time.Since(began))
}

// TestConcurrentStart starts one new cluster from several processes and
// goroutines at once, as parallel test packages do.
func TestConcurrentStart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := openCluster(t)

	const procs, goroutines = 3, 3
	errs := make(chan error, procs+goroutines)
	outs := make([][]byte, procs)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperStart$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperDirEnv+"="+c.Dir())
			var err error
			outs[i], err = cmd.CombinedOutput()
			errs <- err
		})
	}
	for range goroutines {
		wg.Go(func() {
			// A Cluster of its own, as another package's test would have:
			// its own lock file descriptor.
			other, err := Open(c.Dir())
			if err == nil {
				err = other.Start(ctx)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err, "outputs: %s", outs)
	}

	// Several packages may ensure the same database at once.
	dbErrs := make(chan error, 4)
	for range cap(dbErrs) {
		wg.Go(func() { dbErrs <- c.EnsureDatabase(ctx, "shared") })
	}
	wg.Wait()
	close(dbErrs)
	for err := range dbErrs {
		require.NoError(t, err)
	}
}

// TestHelperStart is not a test on its own: TestConcurrentStart runs the test
// binary with helperDirEnv set to make it one more process calling Start.
func TestHelperStart(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process for TestConcurrentStart")
	}
	c, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, c.Start(t.Context()))
}

func TestMissingBinaries(t *testing.T) {
	t.Parallel()
	s := search{path: t.TempDir(), roots: []string{filepath.Join(t.TempDir(), "postgresql")}}
	_, err := open(t.TempDir(), s)
	require.ErrorIs(t, err, ErrNoBinaries)
	require.ErrorContains(t, err, `install the "postgresql" package (apt-get install postgresql)`)
	require.ErrorContains(t, err, "DATABASE_URL")
}

// fakeBinaries makes dir hold executables with the given names.
func fakeBinaries(t *testing.T, dir string, names ...string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755))
	}
}

func TestFindBinaries(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	fakeBinaries(t, filepath.Join(root, "9.6", "bin"), requiredBinaries...)
	fakeBinaries(t, filepath.Join(root, "13", "bin"), requiredBinaries...)
	fakeBinaries(t, filepath.Join(root, "16", "bin"), "initdb", "pg_ctl") // incomplete: skipped
	fakeBinaries(t, filepath.Join(root, "latest", "bin"), requiredBinaries...)

	got, err := findBinaries(search{roots: []string{root}})
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, "13", "bin"), got, "the highest complete version, compared as numbers")

	onPath := t.TempDir()
	fakeBinaries(t, onPath, requiredBinaries...)
	got, err = findBinaries(search{path: t.TempDir() + string(os.PathListSeparator) + onPath, roots: []string{root}})
	require.NoError(t, err)
	require.Equal(t, onPath, got, "PATH wins over the version roots")
}

func TestRelocation(t *testing.T) {
	t.Parallel()

	// Too long for a unix socket: relocated whoever we are.
	long := filepath.Join(reachableTempDir(t), strings.Repeat("x", 100), "pg")
	c, err := Open(long)
	require.NoError(t, err)
	info := c.Info()
	require.Equal(t, long, info.Requested)
	require.Contains(t, info.Relocated, "socket path")
	require.Equal(t, fallbackDir(long), c.Dir())
	require.True(t, strings.HasPrefix(c.Dir(), os.TempDir()))
	again, err := Open(long)
	require.NoError(t, err)
	require.Equal(t, c.Dir(), again.Dir(), "the fallback is stable for one requested path")

	if os.Geteuid() != 0 {
		return
	}
	// Root runs the server as postgres, which cannot enter a 0700 directory.
	private := filepath.Join(t.TempDir(), "var", "pg") // t.TempDir is 0700
	c, err = Open(private)
	require.NoError(t, err)
	require.Contains(t, c.Info().Relocated, "cannot enter")
	require.NotEqual(t, private, c.Dir())
	require.Equal(t, "postgres", c.Info().RunAs)
}

func TestURL(t *testing.T) {
	t.Parallel()
	c := &Cluster{dir: "/tmp/some dir/pg+&=x"}
	u := c.URL(App, "guestlist")
	require.Equal(t, "postgres://guestlist_app@/guestlist?host=/tmp/some%20dir/pg%2B%26%3Dx&port=5432&sslmode=disable", u)
	cfg, err := pgx.ParseConfig(u)
	require.NoError(t, err)
	require.Equal(t, "/tmp/some dir/pg+&=x", cfg.Host)
	require.EqualValues(t, 5432, cfg.Port)
	require.Equal(t, AppRole, cfg.User)
	require.Equal(t, "guestlist", cfg.Database)
	require.Nil(t, cfg.TLSConfig)
	require.Contains(t, c.URL(Owner, "x"), OwnerRole+"@")
	require.Contains(t, c.URL(Superuser, "x"), "postgres@")
	require.Panics(t, func() { c.URL(Role(9), "x") })
}
