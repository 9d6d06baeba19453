package tenant

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/guestlist/guestlist/db"
)

// Single returns queries of which each call is one statement in a transaction of its own in the
// workspace ws, in one round trip: the tenant setting and the statement go in one pipeline,
// which PostgreSQL runs as one implicit transaction (everything up to the pipeline's Sync), so
// the setting is transaction-local as in Tx and the statement commits, or not, on its own.
// For hot paths whose whole change is one statement (a chat message append): Tx costs them
// three round trips (BEGIN with the setting, the statement, COMMIT). Anything needing two
// statements to agree uses Tx.
func (d *DB) Single(ws uuid.UUID) *db.Queries {
	return db.New(single{pool: d, ws: ws})
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

var errSingleCopy = errors.New("tenant: COPY needs a transaction; use Tx")

type single struct {
	pool *DB
	ws   uuid.UUID
}

func (s single) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	if s.ws == uuid.Nil {
		return nil, errors.New("tenant: no workspace")
	}
	b := &pgx.Batch{}
	b.Queue("SELECT set_config('app.workspace_id', $1, true)", s.ws.String())
	b.Queue(sql, args...)
	br := s.pool.pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return nil, err
	}
	return br, nil
}

func (s single) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	br, err := s.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	return tag, errors.Join(err, br.Close())
}

func (s single) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	br, err := s.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &singleRows{Rows: rows, br: br}, nil
}

func (s single) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	br, err := s.send(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	return singleRow{row: br.QueryRow(), br: br}
}

func (s single) CopyFrom(context.Context, pgx.Identifier, []string, pgx.CopyFromSource) (int64, error) {
	return 0, errSingleCopy
}

// singleRow releases the connection once the row is read.
type singleRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r singleRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if closeErr := r.br.Close(); err == nil {
		err = closeErr
	}
	return err
}

// singleRows releases the connection when the rows are closed.
type singleRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *singleRows) Close() {
	r.Rows.Close()
	_ = r.br.Close()
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
