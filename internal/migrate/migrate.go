// Package migrate applies the schema: River's migrations (in the "river" schema) and ours
// (db/migrations, goose format), as the owner role, then grants the app role what it may do.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/guestlist/guestlist/db"
)

// RiverSchema is where River's tables live; the client, the migrator and the tests all name it.
const RiverSchema = "river"

// Up applies every pending migration through the owner pool and grants appRole its privileges.
// Concurrent callers are safe: goose and River each take a lock.
func Up(ctx context.Context, owner *pgxpool.Pool, appRole string) error {
	if _, err := owner.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+RiverSchema); err != nil {
		return fmt.Errorf("migrate: river schema: %w", err)
	}
	rm, err := riverMigrator(owner)
	if err != nil {
		return err
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate: river: %w", err)
	}
	p, sqlDB, err := provider(owner)
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return grant(ctx, owner, appRole)
}

// Pending reports whether any migration, ours or River's, has not been applied. /readyz uses it.
func Pending(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var migrated bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('public.goose_db_version') IS NOT NULL
		AND to_regclass($1 || '.river_migration') IS NOT NULL`, RiverSchema).Scan(&migrated); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	if !migrated {
		return true, nil
	}
	rm, err := riverMigrator(pool)
	if err != nil {
		return false, err
	}
	res, err := rm.Validate(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: river: %w", err)
	}
	if !res.OK {
		return true, nil
	}
	p, sqlDB, err := provider(pool)
	if err != nil {
		return false, err
	}
	defer sqlDB.Close()
	return p.HasPending(ctx)
}

func riverMigrator(pool *pgxpool.Pool) (*rivermigrate.Migrator[pgx.Tx], error) {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: RiverSchema})
	if err != nil {
		return nil, fmt.Errorf("migrate: river migrator: %w", err)
	}
	return m, nil
}

func provider(pool *pgxpool.Pool) (*goose.Provider, *sql.DB, error) {
	sqlDB := stdlib.OpenDBFromPool(pool)
	migrations, err := fs.Sub(db.Migrations, "migrations")
	if err != nil {
		return nil, nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	// The session lock lets several processes (replicas, parallel test packages) start at once.
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations, goose.WithSessionLocker(locker))
	if err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return p, sqlDB, nil
}

// DefinerOnlyTables are reached by the app only through reviewed SECURITY DEFINER functions
// (their migrations say why); the app role holds no privilege on them.
var DefinerOnlyTables = []string{"contact_search"}

// grant gives the app role row access to every table and nothing more: no DDL, no ownership.
// It runs after every migration so a new table is never left without grants. The audit log is
// append-only for the app.
func grant(ctx context.Context, owner *pgxpool.Pool, appRole string) error {
	role := pgx.Identifier{appRole}.Sanitize()
	stmts := []string{
		"GRANT USAGE ON SCHEMA public, " + RiverSchema + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, " + RiverSchema + " TO " + role,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public, " + RiverSchema + " TO " + role,
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA " + RiverSchema + " TO " + role,
		"REVOKE UPDATE, DELETE ON audit_log FROM " + role,
		// The imports' housekeeping door answers ids across workspaces: not PUBLIC's (00023).
		"GRANT EXECUTE ON FUNCTION import_housekeeping(interval, integer) TO " + role,
		// ANALYZE of contacts when stale, after an import's chunk: the app role's only (00028).
		"GRANT EXECUTE ON FUNCTION refresh_contact_statistics(bigint) TO " + role,
		// goose's bookkeeping is the owner's business; the app only reads it for /readyz.
		"REVOKE INSERT, UPDATE, DELETE ON goose_db_version FROM " + role,
	}
	for _, t := range DefinerOnlyTables {
		stmts = append(stmts, "REVOKE ALL ON "+pgx.Identifier{t}.Sanitize()+" FROM "+role)
	}
	for _, s := range stmts {
		if _, err := owner.Exec(ctx, s); err != nil {
			return fmt.Errorf("migrate: grant: %s: %w", s, err)
		}
	}
	return nil
}
