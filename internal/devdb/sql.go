package devdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes that mean another session won a race we also ran.
const (
	codeUniqueViolation   = "23505" // concurrent CREATE ROLE/DATABASE can hit the catalog's unique index
	codeDuplicateObject   = "42710" // role exists
	codeDuplicateDatabase = "42P04" // database exists
	codeObjectInUse       = "55006" // template1 busy: another session is using it
)

// roleAttributes are the attributes each role must have. They are asserted
// at every Start (ALTER ROLE), not only at creation, so a role changed by
// hand cannot quietly keep, say, BYPASSRLS.
var roleAttributes = []struct{ name, attrs string }{
	// Owns databases and tables and runs migrations. Not BYPASSRLS: with
	// FORCE ROW LEVEL SECURITY even the owner goes through the policies.
	{OwnerRole, "LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"},
	// Serves requests: row-level security must always apply to it.
	{AppRole, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION"},
}

// ensureRoles creates OwnerRole and AppRole when missing and (re)sets their
// attributes. Start holds the lock while it runs, but another cluster tool
// may race us, so losing a CREATE ROLE race is not an error.
func (c *Cluster) ensureRoles(ctx context.Context) error {
	conn, err := c.admin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	for _, r := range roleAttributes {
		ident := pgx.Identifier{r.name}.Sanitize()
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", r.name).Scan(&exists); err != nil {
			return fmt.Errorf("devdb: look up role %s: %w", r.name, err)
		}
		if !exists {
			if _, err := conn.Exec(ctx, "CREATE ROLE "+ident+" "+r.attrs); err != nil && !isCode(err, codeDuplicateObject, codeUniqueViolation) {
				return fmt.Errorf("devdb: create role %s: %w", r.name, err)
			}
		}
		if _, err := conn.Exec(ctx, "ALTER ROLE "+ident+" "+r.attrs); err != nil {
			return fmt.Errorf("devdb: alter role %s: %w", r.name, err)
		}
	}
	return nil
}

// EnsureDatabase creates database name owned by OwnerRole when it does not
// exist. Several processes may call it at once for the same name: the
// losers of the race see the winner's database and return nil. An existing
// database is left as it is.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("devdb: empty database name")
	}
	conn, err := c.admin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("devdb: look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " OWNER " + pgx.Identifier{OwnerRole}.Sanitize()
	for attempt := 0; ; attempt++ {
		_, err := conn.Exec(ctx, sql)
		switch {
		case err == nil, isCode(err, codeDuplicateDatabase, codeUniqueViolation):
			return nil
		case isCode(err, codeObjectInUse) && attempt < 40:
			// CREATE DATABASE copies template1 and refuses while another
			// session is connected to it; such sessions are short.
			select {
			case <-ctx.Done():
				return fmt.Errorf("devdb: create database %s: %w", name, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		default:
			return fmt.Errorf("devdb: create database %s: %w", name, err)
		}
	}
}

// DropDatabase drops database name if it exists, disconnecting its sessions
// first (WITH (FORCE)), so a test can drop what its pools still hold.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("devdb: empty database name")
	}
	conn, err := c.admin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("devdb: drop database %s: %w", name, err)
	}
	return nil
}

// admin connects as the superuser to the "postgres" database, which always
// exists and is never the one being created or dropped.
func (c *Cluster) admin(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, c.URL(Superuser, "postgres"))
	if err != nil {
		return nil, fmt.Errorf("devdb: connect to %s (is the cluster started?): %w", c.dir, err)
	}
	return conn, nil
}

// isCode reports whether err is a PostgreSQL error with one of codes.
func isCode(err error, codes ...string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	for _, code := range codes {
		if pgErr.Code == code {
			return true
		}
	}
	return false
}
