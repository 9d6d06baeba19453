// Package tenant is the only door to tenant data. Every read and write of a workspace's rows goes
// through Tx, which opens one transaction with the workspace set as a transaction-local setting
// that the row-level security policies read. The setting never outlives the transaction, so a
// pooled connection cannot carry one workspace's context into another request.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/guestlist/guestlist/db"
)

// Tx is an open transaction in one workspace: Q runs the sqlc queries, and the embedded pgx.Tx
// is what river.InsertTx takes, so a job commits (or not) with the change that caused it.
type Tx struct {
	pgx.Tx
	Q           *db.Queries
	WorkspaceID uuid.UUID
}

// PlanForArguments makes the rest of the transaction plan each statement for its actual
// arguments. Queries with optional filters, (@x IS NULL OR col = @x), need it: the generic plan a
// prepared statement gets after five runs keeps every branch and scans whole agents (measured:
// 327 ms instead of 1 ms for a list page of 100,000 contacts). Everywhere else the cached plan
// is better: planning every statement cost 0.4 ms a request.
func (t Tx) PlanForArguments(ctx context.Context) error {
	_, err := t.Exec(ctx, "SET LOCAL plan_cache_mode = force_custom_plan")
	return err
}

// DB hands out tenant transactions over the app role's pool.
type DB struct {
	pool *pgxpool.Pool
}

// ErrCanBypassRLS means the pool's role could read every workspace: the app refuses to run so.
var ErrCanBypassRLS = errors.New("tenant: the database role can bypass row-level security")

// New checks that the pool's role is subject to row-level security and returns the door. It
// refuses a superuser, a role with BYPASSRLS, a role that owns a table (owners skip policies
// unless forced, and may turn FORCE off), and a role that is a member, directly or through a
// chain of grants, of a role that is any of those: with INHERIT it holds that role's rights
// (the owner's, to ALTER TABLE ... NO FORCE or read contact_search) and with SET it can become
// it, so membership alone is refused.
func New(ctx context.Context, pool *pgxpool.Pool) (*DB, error) {
	var role string
	var super, bypass bool
	var owned int
	var via []string
	err := pool.QueryRow(ctx, `
		SELECT r.rolname, r.rolsuper, r.rolbypassrls,
		       (SELECT count(*) FROM pg_class c
		         WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p')
		           AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)),
		       ARRAY(SELECT m.rolname::text FROM pg_roles m
		             WHERE m.oid <> r.oid AND pg_has_role(r.oid, m.oid, 'MEMBER')
		               AND (m.rolsuper OR m.rolbypassrls OR EXISTS (
		                     SELECT 1 FROM pg_class c
		                     WHERE c.relowner = m.oid AND c.relkind IN ('r', 'p')
		                       AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)))
		             ORDER BY 1)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&role, &super, &bypass, &owned, &via)
	if err != nil {
		return nil, fmt.Errorf("tenant: checking the database role: %w", err)
	}
	switch {
	case super:
		return nil, fmt.Errorf("%w: role %q is a superuser; use the app role in DATABASE_URL", ErrCanBypassRLS, role)
	case bypass:
		return nil, fmt.Errorf("%w: role %q has BYPASSRLS", ErrCanBypassRLS, role)
	case owned > 0:
		return nil, fmt.Errorf("%w: role %q owns %d tables; the owner role belongs in DATABASE_OWNER_URL", ErrCanBypassRLS, role, owned)
	case len(via) > 0:
		return nil, fmt.Errorf("%w: role %q is a member (directly or through another role) of %s, which owns tables or bypasses "+
			"row-level security; revoke that membership from the app role", ErrCanBypassRLS, role, `"`+strings.Join(via, `", "`)+`"`)
	}
	return &DB{pool: pool}, nil
}

// Pool is the app role's pool, for River and health checks; never for tenant queries.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// Tx runs fn in one transaction in the workspace ws. It commits when fn returns nil and rolls
// back otherwise (including the jobs fn inserted).
func (d *DB) Tx(ctx context.Context, ws uuid.UUID, fn func(Tx) error) error {
	if ws == uuid.Nil {
		return errors.New("tenant: no workspace")
	}
	return d.run(ctx, "app.workspace_id", ws, func(tx pgx.Tx) error {
		return fn(Tx{Tx: tx, Q: db.New(tx), WorkspaceID: ws})
	})
}

// TxCachedPlans is Tx for hot write paths made of key lookups (saving what a chat agent
// captured): every statement runs its prepared statement's generic plan, with the plan setting
// sent in BEGIN's round trip. Under row-level security PostgreSQL keeps planning some such
// statements anew at every execution: measured, the duplicate-contact lookup (an OR of three
// keys) had 7 custom plans and no generic one after 7 runs, and planning was about a third of
// the chat save's database time. Not for statements with optional filters: those need
// TxForArguments.
func (d *DB) TxCachedPlans(ctx context.Context, ws uuid.UUID, fn func(Tx) error) error {
	if ws == uuid.Nil {
		return errors.New("tenant: no workspace")
	}
	begin := "BEGIN; SELECT set_config('app.workspace_id', '" + ws.String() + "', true), " +
		"set_config('plan_cache_mode', 'force_generic_plan', true)"
	return pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{BeginQuery: begin}, func(tx pgx.Tx) error {
		return fn(Tx{Tx: tx, Q: db.New(tx), WorkspaceID: ws})
	})
}

// UserTx runs fn with the member door open for one authenticated user: the member_self policies
// show that user's own memberships and their workspaces, read-only, and nothing else of any
// workspace. Only internal/auth calls it, after authenticating userID.
func (d *DB) UserTx(ctx context.Context, userID uuid.UUID, fn func(*db.Queries) error) error {
	if userID == uuid.Nil {
		return errors.New("tenant: no user")
	}
	return d.run(ctx, "app.user_id", userID, func(tx pgx.Tx) error { return fn(db.New(tx)) })
}

// PlatformTx runs fn with no tenant context: only platform tables (users, sessions) answer.
func (d *DB) PlatformTx(ctx context.Context, fn func(*db.Queries) error) error {
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error { return fn(db.New(tx)) })
}

func (d *DB) run(ctx context.Context, setting string, id uuid.UUID, fn func(pgx.Tx) error) error {
	// BEGIN and the transaction-local setting go in one round trip (a statement without
	// arguments runs on the simple protocol, which takes several). setting is one of this
	// package's constants and a uuid's text is hex and dashes: nothing here needs quoting.
	begin := "BEGIN; SELECT set_config('" + setting + "', '" + id.String() + "', true)"
	return pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{BeginQuery: begin}, fn)
}
