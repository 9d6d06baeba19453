// Package testdb gives each Go test package its own database (and each test that asks, one of
// its own), cloned from a template that holds every migration, so tests run in parallel against
// a real PostgreSQL and never see each other's rows or jobs. The cluster is the embedded default (./var/pg at the repository root) unless
// TEST_DATABASE_URL names a superuser connection to another cluster.
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
//	func TestX(t *testing.T) { db := testdb.New(t); ... }
package testdb

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/devdb"
	"github.com/guestlist/guestlist/internal/migrate"
)

// DB is one test package's database.
type DB struct {
	Name     string
	AppURL   string // as guestlist_app: under RLS, as the server runs
	OwnerURL string // as guestlist_owner: for fixtures and catalog checks only
	App      *pgxpool.Pool
	Owner    *pgxpool.Pool

	cluster cluster
}

var (
	once    sync.Once
	shared  *DB
	openErr error
	dropFn  func()
)

// Main runs the package's tests, then drops its database.
func Main(m *testing.M) {
	code := m.Run()
	if dropFn != nil {
		dropFn()
	}
	os.Exit(code)
}

// New returns the package's database, creating it on first use.
func New(t testing.TB) *DB {
	t.Helper()
	once.Do(func() {
		shared, openErr = open(context.Background())
		if openErr == nil {
			dropFn = shared.drop
		}
	})
	if openErr != nil {
		t.Fatalf("testdb: %v", openErr)
	}
	return shared
}

// Fresh returns a database of the test's own, dropped when the test ends. A test that runs the
// whole app uses one, so its River workers see only its own jobs. Cloning costs about as much
// as creating an empty database.
func Fresh(t testing.TB) *DB {
	t.Helper()
	d, err := open(context.Background())
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(d.drop)
	return d
}

// cluster says how to reach the test cluster as each role.
type cluster struct {
	url func(role devdb.Role, database string) string
}

func findCluster(ctx context.Context) (cluster, error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		cfg, err := pgx.ParseConfig(u)
		if err != nil {
			return cluster{}, fmt.Errorf("TEST_DATABASE_URL: %w", err)
		}
		return cluster{url: func(role devdb.Role, database string) string {
			c := cfg.Copy()
			c.Database = database
			if role != devdb.Superuser {
				c.User, c.Password = role.String(), ""
			}
			return c.ConnString()
		}}, nil
	}
	root, err := repoRoot()
	if err != nil {
		return cluster{}, err
	}
	c, err := devdb.Open(filepath.Join(root, "var", "pg"))
	if err != nil {
		return cluster{}, err
	}
	if err := c.Start(ctx); err != nil {
		return cluster{}, err
	}
	return cluster{url: c.URL}, nil
}

// Empty returns a database with no schema at all (for testing migrations), dropped when the
// test ends.
func Empty(t testing.TB) *DB {
	t.Helper()
	d, err := open(context.Background(), "")
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(d.drop)
	return d
}

func open(ctx context.Context, template ...string) (*DB, error) {
	cl, err := findCluster(ctx)
	if err != nil {
		return nil, err
	}
	super, err := pgx.Connect(ctx, cl.url(devdb.Superuser, "postgres"))
	if err != nil {
		return nil, err
	}
	defer super.Close(ctx)
	tmpl := "template0"
	if len(template) == 0 {
		if tmpl, err = ensureTemplate(ctx, super, cl); err != nil {
			return nil, err
		}
	}
	name := "guestlist_test_" + hex.EncodeToString(uuid.Must(uuid.NewRandom()).NodeID())
	if err := createFrom(ctx, super, name, tmpl); err != nil {
		return nil, err
	}
	d := &DB{Name: name, AppURL: cl.url(devdb.App, name), OwnerURL: cl.url(devdb.Owner, name), cluster: cl}
	if d.App, err = pgxpool.New(ctx, d.AppURL); err != nil {
		return nil, err
	}
	if d.Owner, err = pgxpool.New(ctx, d.OwnerURL); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *DB) drop() {
	d.App.Close()
	d.Owner.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if c, err := pgx.Connect(ctx, d.cluster.url(devdb.Superuser, "postgres")); err == nil {
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.Name}.Sanitize()+" WITH (FORCE)")
		_ = c.Close(ctx)
	}
}

// ensureTemplate returns the name of a migrated template database for the current migrations,
// building it once per migration set (under an advisory lock, so parallel packages build it
// once) and dropping templates of older migration sets.
func ensureTemplate(ctx context.Context, super *pgx.Conn, cl cluster) (string, error) {
	sum, err := schemaSum()
	if err != nil {
		return "", err
	}
	name := "guestlist_template_" + sum[:16]
	lockKey := int64(binary.BigEndian.Uint64([]byte(sum[:8])))
	if _, err := super.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return "", err
	}
	defer func() { _, _ = super.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", lockKey) }()
	var exists bool
	if err := super.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Build under a temporary name and rename when complete: a crash mid-build never leaves a
	// half-migrated template under the real name.
	building := name + "_building"
	if _, err := super.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := super.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()+" OWNER "+devdb.OwnerRole); err != nil {
		return "", err
	}
	owner, err := pgxpool.New(ctx, cl.url(devdb.Owner, building))
	if err != nil {
		return "", err
	}
	err = migrate.Up(ctx, owner, devdb.AppRole)
	owner.Close()
	if err != nil {
		return "", fmt.Errorf("migrating the template: %w", err)
	}
	if _, err := super.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	rows, err := super.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'guestlist\\_template\\_%' AND datname <> $1", name)
	if err != nil {
		return "", err
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	for _, o := range old {
		_, _ = super.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{o}.Sanitize()+" WITH (FORCE)")
	}
	return name, nil
}

// createFrom clones the template. CREATE DATABASE ... TEMPLATE fails while another session is
// connected to the template, which happens for an instant when packages clone at once: retry.
func createFrom(ctx context.Context, super *pgx.Conn, name, tmpl string) error {
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE " + pgx.Identifier{tmpl}.Sanitize() + " OWNER " + devdb.OwnerRole
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		if _, err = super.Exec(ctx, sql); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("cloning %s: %w", tmpl, err)
}

// schemaSum identifies the migration set: our migration files and River's version.
func schemaSum() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(db.Migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(db.Migrations, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/riverqueue/river" {
				h.Write([]byte(dep.Version))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testdb: no go.mod above the working directory")
		}
		dir = parent
	}
}
