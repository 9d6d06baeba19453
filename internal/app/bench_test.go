package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
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
		serve(b, env, m, "/api/v1/agents")
	})

	// The contact list's first page (50 of 60 contacts) through the stack, beside its query run
	// through the same read door.
	var agents struct {
		Items []struct {
			ID uuid.UUID `json:"id"`
		} `json:"items"`
	}
	m.Do("GET", "/api/v1/agents", nil).JSON(b, &agents)
	agentID := agents.Items[0].ID
	for i := range 60 {
		resp := m.Do("POST", "/api/v1/agents/"+agentID.String()+"/contacts",
			map[string]any{"name": fmt.Sprintf("Contact %d", i), "email": fmt.Sprintf("contact%d@example.com", i)})
		require.Equal(b, http.StatusCreated, resp.Status, "%s", resp.Body)
	}
	b.Run("bare_contacts_query", func(b *testing.B) {
		for b.Loop() {
			err := env.App.Tenants.ReadForArguments(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
				_, err := tx.Q.ListContacts(ctx, db.ListContactsParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, Status: "active", MaxRows: 51})
				return err
			})
			require.NoError(b, err)
		}
	})
	b.Run("get_contacts_api", func(b *testing.B) {
		serve(b, env, m, "/api/v1/agents/"+agentID.String()+"/contacts")
	})
}

// serve times GET path through the app's handler, as m.
func serve(b *testing.B, env *apptest.Env, m *apptest.Member, path string) {
	{
		req := httptest.NewRequest("GET", path, nil)
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
	}
}
