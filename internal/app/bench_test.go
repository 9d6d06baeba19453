package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
)

// BenchmarkRequestPath measures one authenticated API read through the whole stack (middleware,
// session lookup, memberships through the member door, Casbin, tenant transaction, sqlc, JSON)
// beside the bare query it ends in, run on the same database in the same process. The ratio is
// what docs/BENCHMARKS.md records.
func BenchmarkRequestPath(b *testing.B) {
	env := apptest.Start(b)
	m := env.SignUp(b)
	ctx := context.Background()

	b.Run("bare_query", func(b *testing.B) {
		for b.Loop() {
			err := env.App.Tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
				_, err := tx.Q.ListAgents(ctx, db.ListAgentsParams{WorkspaceID: m.WorkspaceID, MaxRows: 51})
				return err
			})
			require.NoError(b, err)
		}
	})
	b.Run("get_agents_api", func(b *testing.B) {
		req := httptest.NewRequest("GET", "/api/v1/agents", nil)
		for _, c := range m.Cookies() {
			req.AddCookie(c)
		}
		for b.Loop() {
			rec := httptest.NewRecorder()
			env.App.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
