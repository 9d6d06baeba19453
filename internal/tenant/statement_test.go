package tenant_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
)

// The read doors carry their settings with every statement and no further: a workspace's read
// sees its own rows only, the session door its user's memberships and workspace only (nothing
// for a token of no live session), the settings are gone once the statement is, and writes are
// refused.
func TestReadDoors(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	ctx := context.Background()
	a, b := env.SignUp(t), env.SignUp(t)
	tenants, err := tenant.New(ctx, env.DB.App)
	require.NoError(t, err)

	count := func(q *db.Queries, ws uuid.UUID) int {
		agents, err := q.ListAgents(ctx, db.ListAgentsParams{WorkspaceID: ws, MaxRows: 10})
		require.NoError(t, err)
		return len(agents)
	}
	for _, read := range []func(context.Context, uuid.UUID, func(tenant.Tx) error) error{tenants.Read, tenants.ReadForArguments} {
		require.NoError(t, read(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
			require.Equal(t, 1, count(tx.Q, a.WorkspaceID))
			require.Zero(t, count(tx.Q, b.WorkspaceID), "another workspace's rows")
			require.Equal(t, 1, count(tx.Q, a.WorkspaceID), "every statement carries the setting")
			_, err := tx.Exec(ctx, "DELETE FROM agents")
			require.ErrorIs(t, err, tenant.ErrReadOnly)
			require.ErrorIs(t, tx.Q.DeleteSession(ctx, nil), tenant.ErrReadOnly)
			require.ErrorIs(t, tx.Commit(ctx), tenant.ErrReadOnly)
			return nil
		}))
	}
	// The session door: a's live session opens a's member door and enters a's workspace; a
	// token of no live session opens nothing.
	var hash []byte
	require.NoError(t, env.DB.App.QueryRow(ctx, "SELECT token_hash FROM sessions WHERE user_id = $1 LIMIT 1", a.UserID).Scan(&hash))
	require.NoError(t, tenants.SessionRead(ctx, hash, func(q *db.Queries) error {
		own, err := q.ListUserMemberships(ctx, a.UserID)
		require.NoError(t, err)
		require.Len(t, own, 1)
		others, err := q.ListUserMemberships(ctx, b.UserID)
		require.NoError(t, err)
		require.Empty(t, others)
		require.Equal(t, 1, count(q, a.WorkspaceID), "the session's workspace is entered")
		require.Zero(t, count(q, b.WorkspaceID))
		return nil
	}))
	require.NoError(t, tenants.SessionRead(ctx, []byte("no such session"), func(q *db.Queries) error {
		own, err := q.ListUserMemberships(ctx, a.UserID)
		require.NoError(t, err)
		require.Empty(t, own)
		require.Zero(t, count(q, a.WorkspaceID))
		return nil
	}))

	// The pool's connections keep no setting after a read (each is reused at once here).
	for range 5 {
		require.NoError(t, tenants.Read(ctx, a.WorkspaceID, func(tx tenant.Tx) error { count(tx.Q, a.WorkspaceID); return nil }))
		var setting string
		require.NoError(t, env.DB.App.QueryRow(ctx, "SELECT COALESCE(current_setting('app.workspace_id', true), '')").Scan(&setting))
		require.Empty(t, setting)
		var plan string
		require.NoError(t, env.DB.App.QueryRow(ctx, "SELECT current_setting('plan_cache_mode')").Scan(&plan))
		require.Equal(t, "auto", plan)
	}
	require.Error(t, tenants.Read(ctx, uuid.Nil, func(tenant.Tx) error { return nil }))
}
