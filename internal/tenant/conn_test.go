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
// and array elements (binary), as text parameters, the nil id, optional ids (set and NULL, as
// parameters and in COPY), and on the simple protocol.
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

	var some, none uuid.NullUUID
	var someText, noneText *string
	set, unset := uuid.NullUUID{UUID: id, Valid: true}, uuid.NullUUID{}
	require.NoError(t, pool.QueryRow(ctx, "SELECT $1::uuid, $2::uuid, $3::text, $4::text", set, unset, set, unset).
		Scan(&some, &none, &someText, &noneText))
	require.Equal(t, set, some)
	require.Equal(t, unset, none)
	require.Equal(t, id.String(), *someText)
	require.Nil(t, noneText)

	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, "CREATE TEMP TABLE copied (n int, id uuid)")
	require.NoError(t, err)
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"copied"}, []string{"n", "id"}, pgx.CopyFromRows([][]any{{1, set}, {2, unset}, {3, other}}))
	require.NoError(t, err)
	rows, err := conn.Query(ctx, "SELECT id FROM copied ORDER BY n")
	require.NoError(t, err)
	copied, err := pgx.CollectRows(rows, pgx.RowTo[uuid.NullUUID])
	require.NoError(t, err)
	require.Equal(t, []uuid.NullUUID{set, unset, {UUID: other, Valid: true}}, copied)

	var same bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT $1::uuid = $2::text::uuid", pgx.QueryExecModeSimpleProtocol, id, id.String()).Scan(&same))
	require.True(t, same)
}
