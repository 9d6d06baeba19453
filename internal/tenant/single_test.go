package tenant_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
)

// TestSingle checks the one-statement door: its statement sees only its workspace, the setting
// does not outlive the statement on the pooled connection, and a failed statement writes
// nothing and leaves the connection usable.
func TestSingle(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	ctx := context.Background()
	a, b := env.SignUp(t), env.SignUp(t)
	cfg, err := pgxpool.ParseConfig(env.DB.AppURL)
	require.NoError(t, err)
	cfg.MaxConns = 1 // one connection: what the statement leaves behind is what the next one gets
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	tenants, err := tenant.New(ctx, pool)
	require.NoError(t, err)

	own, err := tenants.Single(a.WorkspaceID).ListAgents(ctx, db.ListAgentsParams{WorkspaceID: a.WorkspaceID, MaxRows: 10})
	require.NoError(t, err)
	require.Len(t, own, 1)
	others, err := tenants.Single(a.WorkspaceID).ListAgents(ctx, db.ListAgentsParams{WorkspaceID: b.WorkspaceID, MaxRows: 10})
	require.NoError(t, err)
	require.Empty(t, others, "another workspace's rows are invisible")

	var setting *string
	require.NoError(t, pool.QueryRow(ctx, "SELECT NULLIF(current_setting('app.workspace_id', true), '')").Scan(&setting))
	require.Nil(t, setting, "the tenant setting outlived its statement")

	// A statement that fails (the same id twice) writes nothing; the connection goes on.
	q := tenants.Single(a.WorkspaceID)
	id := uuid.Must(uuid.NewV7())
	_, err = q.CreateAgent(ctx, db.CreateAgentParams{WorkspaceID: a.WorkspaceID, ID: id, Name: "Single", Visibility: "private", AccessMode: "free"})
	require.NoError(t, err)
	_, err = q.CreateAgent(ctx, db.CreateAgentParams{WorkspaceID: a.WorkspaceID, ID: id, Name: "Again", Visibility: "private", AccessMode: "free"})
	require.ErrorContains(t, err, "duplicate key")
	_, err = q.CreateAgent(ctx, db.CreateAgentParams{WorkspaceID: b.WorkspaceID, ID: uuid.Must(uuid.NewV7()), Name: "Theirs", Visibility: "private", AccessMode: "free"})
	require.ErrorContains(t, err, "row-level security", "a row of another workspace is refused")
	all, err := q.ListAgents(ctx, db.ListAgentsParams{WorkspaceID: a.WorkspaceID, MaxRows: 10})
	require.NoError(t, err)
	require.Len(t, all, 2)
}

// TestTxCachedPlans checks that the plan setting holds inside the transaction, with the tenant
// setting, and ends with it.
func TestTxCachedPlans(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	ctx := context.Background()
	a := env.SignUp(t)
	cfg, err := pgxpool.ParseConfig(env.DB.AppURL)
	require.NoError(t, err)
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	tenants, err := tenant.New(ctx, pool)
	require.NoError(t, err)
	require.NoError(t, tenants.TxCachedPlans(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		var mode, ws string
		require.NoError(t, tx.QueryRow(ctx, "SELECT current_setting('plan_cache_mode'), current_setting('app.workspace_id')").Scan(&mode, &ws))
		require.Equal(t, "force_generic_plan", mode)
		require.Equal(t, a.WorkspaceID.String(), ws)
		return nil
	}))
	var mode string
	require.NoError(t, pool.QueryRow(ctx, "SELECT current_setting('plan_cache_mode')").Scan(&mode))
	require.Equal(t, "auto", mode, "the plan setting outlived its transaction")
}
