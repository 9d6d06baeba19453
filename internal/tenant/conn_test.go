package tenant_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
)

// TestPrepareConn checks that ids travel intact on a prepared connection: as uuid parameters
// and array elements (binary), as text parameters, the nil id, and on the simple protocol.
func TestPrepareConn(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(env.DB.AppURL)
	require.NoError(t, err)
	cfg.AfterConnect = tenant.PrepareConn
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()

	id, other := uuid.Must(uuid.NewV7()), uuid.New()
	var one, nilID uuid.UUID
	var many []uuid.UUID
	var asText string
	require.NoError(t, pool.QueryRow(ctx, "SELECT $1::uuid, $2::uuid[], $3::text, $4::uuid", id, []uuid.UUID{other, id, uuid.Nil}, id, uuid.Nil).
		Scan(&one, &many, &asText, &nilID))
	require.Equal(t, id, one)
	require.Equal(t, []uuid.UUID{other, id, uuid.Nil}, many)
	require.Equal(t, id.String(), asText)
	require.Equal(t, uuid.Nil, nilID)

	var same bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT $1::uuid = $2::text::uuid", pgx.QueryExecModeSimpleProtocol, id, id.String()).Scan(&same))
	require.True(t, same)
}
