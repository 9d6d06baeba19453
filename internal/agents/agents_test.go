package agents_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestAgentsCRUD(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	m := env.SignUp(t)

	resp := m.Do("POST", "/api/v1/agents", map[string]string{"name": "  Sales bot  ", "visibility": "public", "access_mode": "restricted"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	created := resp.Map(t)
	require.Equal(t, "Sales bot", created["name"])
	require.Equal(t, "public", created["visibility"])
	require.Equal(t, "restricted", created["access_mode"])
	id := created["id"].(string)
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)

	resp = m.Do("GET", "/api/v1/agents/"+id, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, etag, resp.Header.Get("ETag"))

	// Defaults.
	resp = m.Do("POST", "/api/v1/agents", map[string]string{"name": "Support"})
	require.Equal(t, http.StatusCreated, resp.Status)
	require.Equal(t, "private", resp.Map(t)["visibility"])
	require.Equal(t, "free", resp.Map(t)["access_mode"])

	// Update with If-Match; a stale ETag is refused and changes nothing.
	m.Header.Set("If-Match", etag)
	resp = m.Do("PATCH", "/api/v1/agents/"+id, map[string]string{"access_mode": "paid"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "paid", resp.Map(t)["access_mode"])
	require.Equal(t, "Sales bot", resp.Map(t)["name"])
	resp = m.Do("PATCH", "/api/v1/agents/"+id, map[string]string{"name": "Overwrite"})
	require.Equal(t, http.StatusPreconditionFailed, resp.Status)
	m.Header.Del("If-Match")
	require.Equal(t, "Sales bot", m.Do("GET", "/api/v1/agents/"+id, nil).Map(t)["name"])

	// The update is audited with before and after.
	var before, after string
	env.InWorkspace(t, m.WorkspaceID, func(tx tenant.Tx) error {
		return tx.QueryRow(context.Background(), `
			SELECT before->>'access_mode', after->>'access_mode' FROM audit_log
			WHERE workspace_id = $1 AND action = 'update' AND resource = 'agents' AND resource_id = $2`, m.WorkspaceID, id).Scan(&before, &after)
	})
	require.Equal(t, "restricted", before)
	require.Equal(t, "paid", after)

	// A patch that changes nothing keeps the version.
	resp = m.Do("PATCH", "/api/v1/agents/"+id, map[string]string{"name": "Sales bot"})
	require.Equal(t, http.StatusOK, resp.Status)
	current := resp.Header.Get("ETag")
	require.Equal(t, current, m.Do("PATCH", "/api/v1/agents/"+id, `{}`).Header.Get("ETag"))

	resp = m.Do("PATCH", "/api/v1/agents/"+id, map[string]any{"name": "", "visibility": "everyone"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	fields := resp.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
	require.Contains(t, fields, "name")
	require.Contains(t, fields, "visibility")
}

func TestAgentsPagination(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	m := env.SignUp(t) // has its first agent
	for i := range 4 {
		require.Equal(t, http.StatusCreated, m.Do("POST", "/api/v1/agents", map[string]string{"name": fmt.Sprint("agent ", i)}).Status)
	}
	var names []string
	path := "/api/v1/agents?limit=2"
	for pages := 0; path != ""; pages++ {
		require.Less(t, pages, 4)
		page := m.Do("GET", path, nil).Map(t)
		for _, it := range page["items"].([]any) {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		path = ""
		if next, ok := page["next_cursor"].(string); ok {
			path = "/api/v1/agents?limit=2&cursor=" + next
		}
	}
	require.Equal(t, []string{"My first agent", "agent 0", "agent 1", "agent 2", "agent 3"}, names)

	for _, bad := range []string{"limit=0", "limit=201", "limit=x", "cursor=!!"} {
		resp := m.Do("GET", "/api/v1/agents?"+bad, nil)
		require.Equal(t, http.StatusBadRequest, resp.Status, bad)
	}
}

func TestAgentsOfAnotherWorkspaceAreNotFound(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	a, b := env.SignUp(t), env.SignUp(t)
	theirs := b.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)

	require.Equal(t, http.StatusNotFound, a.Do("GET", "/api/v1/agents/"+theirs, nil).Status)
	resp := a.Do("PATCH", "/api/v1/agents/"+theirs, map[string]string{"name": "mine now"})
	require.Equal(t, http.StatusNotFound, resp.Status)
	require.Equal(t, "not_found", resp.ErrorCode())
	require.Equal(t, http.StatusNotFound, a.Do("GET", "/api/v1/agents/not-a-uuid", nil).Status)
	require.Equal(t, "My first agent", b.Do("GET", "/api/v1/agents/"+theirs, nil).Map(t)["name"])
}

// A member whose role lacks the permission is refused (403) and the refusal is audited.
func TestRolesAreEnforced(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	owner := env.SignUp(t)
	user := env.SignUp(t)
	ctx := context.Background()
	// Until invitations exist (the team issue), make the membership directly as the owner role.
	env.InWorkspace(t, owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'user')`, owner.WorkspaceID, user.UserID)
		return err
	})
	require.Equal(t, http.StatusOK, user.Do("PUT", "/api/v1/me/workspace", map[string]string{"workspace_id": owner.WorkspaceID.String()}).Status)

	require.Equal(t, http.StatusOK, user.Do("GET", "/api/v1/agents", nil).Status)
	resp := user.Do("POST", "/api/v1/agents", map[string]string{"name": "not allowed"})
	require.Equal(t, http.StatusForbidden, resp.Status)
	require.Equal(t, "forbidden", resp.ErrorCode())
	id := owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	require.Equal(t, http.StatusForbidden, user.Do("PATCH", "/api/v1/agents/"+id, map[string]string{"name": "x"}).Status)

	denied := env.Count(t, owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE workspace_id = $1 AND actor_user_id = $2 AND outcome = 'denied'`,
		owner.WorkspaceID, user.UserID)
	require.Equal(t, 2, denied)
	require.Len(t, owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"], 1)
}
