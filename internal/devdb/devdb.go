// Package devdb runs the embedded default PostgreSQL: a private cluster made
// with the PostgreSQL server binaries installed on the machine, used by
// `make run`, `make test` and the tests when DATABASE_URL is unset.
//
// The cluster listens only on a unix socket inside its own data directory,
// so it never collides with a system PostgreSQL or another checkout, and
// needs no free TCP port. It trusts every local connection: the socket sits
// in a 0700 directory, so only the server's OS user (and root) can reach it.
//
// initdb and postgres refuse to run as root. When the process is root, the
// binaries run as the "postgres" OS user, which must be able to reach the data
// directory; a directory it cannot reach (a checkout under a private home)
// is replaced by one under the system temp dir (see Info.Relocated).
//
// Several processes (parallel `go test` packages, `make run` next to a test
// run) may share one cluster: Start and Stop serialize on a lock file next to
// the data directory, and the SQL they run tolerates losing a race.
package devdb

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Role selects which database role a URL logs in as.
type Role int

const (
	// Superuser is the bootstrap superuser "postgres" made by initdb: for
	// creating roles and databases, never for serving requests.
	Superuser Role = iota
	// Owner is OwnerRole: it owns the databases and tables and runs migrations.
	Owner
	// App is AppRole: it serves requests and jobs. It must never own tables,
	// so that FORCE ROW LEVEL SECURITY and the policies always apply to it.
	App
)

const (
	// OwnerRole is the database role that owns databases and tables and runs
	// migrations (LOGIN NOSUPERUSER CREATEDB).
	OwnerRole = "guestlist_owner"
	// AppRole is the database role that serves requests and jobs (LOGIN
	// NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE): row-level security
	// always applies to it.
	AppRole = "guestlist_app"

	// superuserName is the bootstrap superuser; initdb is told to use it
	// (-U) so the name does not depend on which OS user ran initdb.
	superuserName = "postgres"
	// serverUser is the OS user the server runs as when we are root.
	serverUser = "postgres"
	// port only names the socket file (.s.PGSQL.5432): the server opens no
	// TCP port, so every cluster can use the default without conflict.
	port = 5432
	// socketName is the socket file the server creates in the data dir.
	socketName = ".s.PGSQL.5432"
	// maxSocketPath is the longest unix socket path Linux accepts: sun_path
	// holds 108 bytes including the terminating NUL.
	maxSocketPath = 107
)

// String returns the database role name the Role logs in as.
func (r Role) String() string {
	switch r {
	case Superuser:
		return superuserName
	case Owner:
		return OwnerRole
	case App:
		return AppRole
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Cluster is one private PostgreSQL cluster (a data directory) and the
// binaries that run it. It holds no connection and no process: every method
// looks at the directory and the server afresh, so several Cluster values
// and several processes can drive the same directory.
type Cluster struct {
	dir       string   // absolute data directory actually used
	requested string   // absolute directory asked for in Open
	relocated string   // why dir differs from requested; "" when it does not
	bin       string   // directory holding initdb, pg_ctl and postgres
	version   int      // major version of the binaries
	runAs     *account // OS user to run the binaries as; nil: ourselves
}

// Info describes a Cluster for logs and messages. It is a snapshot of what
// Open resolved.
type Info struct {
	// Dir is the data directory the cluster lives in.
	Dir string
	// Requested is the absolute form of the directory given to Open.
	Requested string
	// Relocated says why Dir is not Requested (the postgres user cannot
	// reach it, or the socket path would be too long); empty when Dir is
	// Requested.
	Relocated string
	// BinDir holds the initdb, pg_ctl and postgres binaries used.
	BinDir string
	// Version is the major version of those binaries.
	Version int
	// RunAs is the OS user the server runs as.
	RunAs string
	// SocketDir is the directory of the server's unix socket (= Dir).
	SocketDir string
	// LogFile receives the server's log.
	LogFile string
	// LockFile serializes Start and Stop across processes.
	LockFile string
}

// Open finds the PostgreSQL binaries and resolves the data directory for
// dir, falling back to a directory under os.TempDir() when dir cannot be
// used (see Info.Relocated). It starts nothing and creates nothing, so it is
// cheap to call just to compute URLs.
func Open(dir string) (*Cluster, error) {
	return open(dir, defaultSearch())
}

// open is Open with an injectable binary search, for tests.
func open(dir string, s search) (*Cluster, error) {
	if dir == "" {
		return nil, errors.New("devdb: no data directory given")
	}
	requested, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	bin, err := findBinaries(s)
	if err != nil {
		return nil, err
	}
	version, err := binaryVersion(bin)
	if err != nil {
		return nil, err
	}
	runAs, err := serverAccount()
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: requested, requested: requested, bin: bin, version: version, runAs: runAs}
	if why := unusable(requested, runAs); why != "" {
		fallback := fallbackDir(requested)
		if why2 := unusable(fallback, runAs); why2 != "" {
			return nil, fmt.Errorf("devdb: cannot use %s (%s), nor the fallback %s (%s): "+
				"choose another directory, set TMPDIR, or set DATABASE_URL", requested, why, fallback, why2)
		}
		c.dir, c.relocated = fallback, why
	}
	return c, nil
}

// Dir returns the data directory the cluster lives in; it differs from the
// one given to Open when that one could not be used (see Info).
func (c *Cluster) Dir() string { return c.dir }

// Info describes where the cluster lives and how it runs, for logs.
func (c *Cluster) Info() Info {
	runAs := currentUserName()
	if c.runAs != nil {
		runAs = c.runAs.name
	}
	return Info{
		Dir:       c.dir,
		Requested: c.requested,
		Relocated: c.relocated,
		BinDir:    c.bin,
		Version:   c.version,
		RunAs:     runAs,
		SocketDir: c.dir,
		LogFile:   c.logFile(),
		LockFile:  c.lockFile(),
	}
}

// URL returns a pgx-compatible connection URL for role and database over the
// cluster's unix socket, e.g.
// postgres://guestlist_app@/guestlist?host=/abs/dir&port=5432&sslmode=disable.
// The port is explicit so that a PGPORT in the environment cannot redirect
// it to another socket file. It panics on an unknown Role, a programming
// error.
func (c *Cluster) URL(role Role, database string) string {
	switch role {
	case Superuser, Owner, App:
	default:
		panic("devdb: unknown " + role.String())
	}
	u := url.URL{Scheme: "postgres", User: url.User(role.String()), Path: "/" + database}
	// Slashes are legal in a query; keeping them makes the URL readable in
	// logs. A space must be %20, not "+": pgx decodes URLs the way libpq
	// does, which keeps "+" as is.
	host := strings.NewReplacer("%2F", "/", "+", "%20").Replace(url.QueryEscape(c.dir))
	u.RawQuery = "host=" + host + "&port=" + strconv.Itoa(port) + "&sslmode=disable"
	return u.String()
}

// logFile is where pg_ctl sends the server's output. It lives inside the
// data directory: that directory is always writable by the server user,
// whoever owns the parent, and removing the cluster removes its log.
func (c *Cluster) logFile() string { return filepath.Join(c.dir, "server.log") }

// lockFile serializes Start and Stop across processes. It sits next to the
// data directory, not inside it, so it exists before initdb and can be
// created by us even when the data directory belongs to the postgres user.
func (c *Cluster) lockFile() string { return c.dir + ".lock" }

// currentUserName names the OS user we run as, for Info.
func currentUserName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Geteuid())
}
