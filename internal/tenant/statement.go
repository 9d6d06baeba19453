package tenant

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/guestlist/guestlist/db"
)

// The statement doors: for hot paths (authenticating a request, the contact list, a chat
// message append), where round trips are most of a request's cost. Each statement travels with
// its door's setting in one pgx batch, which PostgreSQL runs as one implicit transaction: the
// setting is transaction-local, so it is in force for that statement and gone after it, exactly
// as in Tx. A statement costs one round trip, against three for a transaction of one (BEGIN
// with the setting, the statement, COMMIT). What they give up: each statement sees its own
// snapshot and commits on its own. The read doors write nothing (Exec and the rest of pgx.Tx
// answer ErrReadOnly); Single writes, one statement at a time.

// ErrReadOnly is what a read door answers to anything but a query.
var ErrReadOnly = errors.New("tenant: a read door runs queries only; write in Tx")

// Read runs fn's queries in the workspace ws, each with the setting in its own round trip.
func (d *DB) Read(ctx context.Context, ws uuid.UUID, fn func(Tx) error) error {
	if ws == uuid.Nil {
		return errors.New("tenant: no workspace")
	}
	return fn(readTx(d, workspaceSetting, ws))
}

// ReadForArguments is Read for queries with optional filters: each statement is also planned
// for its actual arguments (see Tx.PlanForArguments).
func (d *DB) ReadForArguments(ctx context.Context, ws uuid.UUID, fn func(Tx) error) error {
	if ws == uuid.Nil {
		return errors.New("tenant: no workspace")
	}
	return fn(readTx(d, workspaceSetting+", set_config('plan_cache_mode', 'force_custom_plan', true)", ws))
}

// Single returns queries of which each call is one statement in a transaction of its own in the
// workspace ws: for hot paths whose whole change is one statement (a chat message append).
// Anything needing two statements to agree uses Tx.
func (d *DB) Single(ws uuid.UUID) *db.Queries {
	return db.New(statementConn{pool: d, prelude: []setting{{workspaceSetting, ws.String()}}, writes: true})
}

// The session door's settings, made from the session token's hash ($1) alone: the member door
// for the live session's user, then, through it, the workspace they work in (the session's
// current one while they are a member there, else their oldest membership). No live session:
// both settings are empty, and nothing tenant-owned answers.
const (
	sessionUserSetting = `SELECT set_config('app.user_id', COALESCE((
	    SELECT s.user_id::text FROM sessions s WHERE s.token_hash = $1 AND s.expires_at > now()), ''), true)`
	sessionWorkspaceSetting = `SELECT set_config('app.workspace_id', COALESCE((
	    SELECT m.workspace_id::text FROM memberships m
	    WHERE m.user_id = NULLIF(current_setting('app.user_id', true), '')::uuid
	    ORDER BY m.workspace_id IS NOT DISTINCT FROM (SELECT s.current_workspace_id FROM sessions s WHERE s.token_hash = $1) DESC,
	             m.created_at, m.workspace_id
	    LIMIT 1), ''), true)`
)

// SessionRead is the door of a request's sign-in: each of fn's queries runs after the session
// door's settings (the member door for the user whose live session tokenHash names, and their
// chosen workspace), all in one round trip. Only internal/auth calls it: the token is what
// proves who the user is.
func (d *DB) SessionRead(ctx context.Context, tokenHash []byte, fn func(*db.Queries) error) error {
	if len(tokenHash) == 0 {
		return errors.New("tenant: no session")
	}
	return fn(db.New(statementConn{pool: d, prelude: []setting{{sessionUserSetting, tokenHash}, {sessionWorkspaceSetting, tokenHash}}}))
}

const workspaceSetting = "SELECT set_config('app.workspace_id', $1, true)"

func readTx(d *DB, sql string, ws uuid.UUID) Tx {
	conn := statementConn{pool: d, prelude: []setting{{sql, ws.String()}}}
	return Tx{Tx: readOnly{conn}, Q: db.New(conn), WorkspaceID: ws}
}

// statementConn is the DBTX the statement doors give sqlc: every statement is one batch of the
// door's settings and the statement.
type statementConn struct {
	pool    *DB
	prelude []setting
	writes  bool // Single's; the read doors refuse Exec
}

// setting is a statement that sets a door's setting, and its one argument.
type setting struct {
	sql string
	arg any
}

func (c statementConn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if !c.writes {
		return pgconn.CommandTag{}, ErrReadOnly
	}
	br, err := c.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	return tag, errors.Join(err, br.Close())
}

// CopyFrom needs a transaction of its own (and COPY into a table under row-level security is
// refused anyway).
func (c statementConn) CopyFrom(context.Context, pgx.Identifier, []string, pgx.CopyFromSource) (int64, error) {
	return 0, ErrReadOnly
}

// send queues the door's settings and the statement, and reads the settings' results.
func (c statementConn) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, s := range c.prelude {
		b.Queue(s.sql, s.arg)
	}
	b.Queue(sql, args...)
	br := c.pool.pool.SendBatch(ctx, b)
	for range c.prelude {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	return br, nil
}

func (c statementConn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	br, err := c.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, batch: br}, nil
}

func (c statementConn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := c.Query(ctx, sql, args...)
	return row{rows: rows, err: err}
}

// batchRows are a query's rows that end their batch (and give its connection back) when they
// end; the batch's own error (its implicit commit) counts as the rows' error.
type batchRows struct {
	pgx.Rows
	batch    pgx.BatchResults
	done     bool
	batchErr error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	if !r.done {
		r.done = true
		r.Rows.Close()
		r.batchErr = r.batch.Close()
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.batchErr
}

// row is QueryRow's answer over rows, as pgx's own: the first row, or pgx.ErrNoRows.
type row struct {
	rows pgx.Rows
	err  error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// readOnly is the pgx.Tx of a read door's Tx: queries run as the door's, everything else
// answers ErrReadOnly (a job cannot be inserted, nothing written, there is nothing to commit).
type readOnly struct{ conn statementConn }

func (r readOnly) Begin(context.Context) (pgx.Tx, error) { return nil, ErrReadOnly }
func (r readOnly) Commit(context.Context) error          { return ErrReadOnly }
func (r readOnly) Rollback(context.Context) error        { return ErrReadOnly }
func (r readOnly) CopyFrom(context.Context, pgx.Identifier, []string, pgx.CopyFromSource) (int64, error) {
	return 0, ErrReadOnly
}
func (r readOnly) SendBatch(context.Context, *pgx.Batch) pgx.BatchResults {
	return failedBatch{}
}
func (r readOnly) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }
func (r readOnly) Prepare(context.Context, string, string) (*pgconn.StatementDescription, error) {
	return nil, ErrReadOnly
}
func (r readOnly) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return r.conn.Exec(ctx, sql, args...)
}
func (r readOnly) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return r.conn.Query(ctx, sql, args...)
}
func (r readOnly) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return r.conn.QueryRow(ctx, sql, args...)
}
func (r readOnly) Conn() *pgx.Conn { return nil }

// failedBatch is readOnly's SendBatch: every result is ErrReadOnly.
type failedBatch struct{}

func (failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, ErrReadOnly }
func (failedBatch) Query() (pgx.Rows, error)         { return nil, ErrReadOnly }
func (failedBatch) QueryRow() pgx.Row                { return row{err: ErrReadOnly} }
func (failedBatch) Close() error                     { return ErrReadOnly }
func (failedBatch) Tx() pgx.Tx                       { return nil }
