package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/testdb"
	"github.com/guestlist/guestlist/jobs"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestSignUpCreatesUserWorkspaceAgentAndWelcomeEmail(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	m := env.SignUp(t)

	me := m.Do("GET", "/api/v1/me", nil)
	require.Equal(t, http.StatusOK, me.Status)
	var s struct {
		User       struct{ Email string }
		Workspaces []struct {
			ID   uuid.UUID
			Role string
		}
		CurrentWorkspaceID uuid.UUID `json:"current_workspace_id"`
	}
	me.JSON(t, &s)
	require.Equal(t, m.Email, s.User.Email)
	require.Len(t, s.Workspaces, 1)
	require.Equal(t, "owner", s.Workspaces[0].Role)
	require.Equal(t, m.WorkspaceID, s.CurrentWorkspaceID)

	agents := m.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)
	require.Len(t, agents, 1)
	require.Equal(t, "My first agent", agents[0].(map[string]any)["name"])

	// The welcome email is a River job, worked by the real workers into the dev outbox.
	outbox := env.App.Mail.(*mail.Outbox)
	require.Eventually(t, func() bool {
		mails, err := outbox.List(100)
		require.NoError(t, err)
		for _, ml := range mails {
			if ml.To == m.Email && ml.Subject == "Welcome to Guestlist" && strings.Contains(ml.Text, "My first agent") {
				return true
			}
		}
		return false
	}, 15*time.Second, 50*time.Millisecond, "no welcome email for %s", m.Email)

	// The sign-up is in the audit log of the new workspace, with the actor and the values.
	n := env.Count(t, m.WorkspaceID, `
		SELECT count(*) FROM audit_log WHERE workspace_id = $1 AND actor_user_id = $2 AND outcome = 'success'
		  AND ((action = 'create' AND resource = 'workspace' AND after->>'name' LIKE 'Workspace of %')
		    OR (action = 'create' AND resource = 'agents' AND after->>'name' = 'My first agent'))`,
		m.WorkspaceID, m.UserID)
	require.Equal(t, 2, n)
}

func TestSignUpValidationAndConflicts(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	c := env.Client(t)

	resp := c.Do("POST", "/api/v1/auth/signup", map[string]string{"name": "", "email": "not-an-email", "password": "short", "workspace_name": "x"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	fields := resp.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
	require.Contains(t, fields, "name")
	require.Contains(t, fields, "email")
	require.Contains(t, fields, "password")
	require.Contains(t, fields, "workspace_name")

	m := env.SignUp(t)
	resp = c.Do("POST", "/api/v1/auth/signup", map[string]string{
		"name": "Again", "email": strings.ToUpper(m.Email), "password": "another long password", "workspace_name": "Another one",
	})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Equal(t, "conflict", resp.ErrorCode())
	// Nothing half-written: no second user, no orphan workspace.
	var users, memberships int
	require.NoError(t, env.DB.Owner.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email_normalized = lower($1)`, m.Email).Scan(&users))
	require.Equal(t, 1, users)
	// No orphan workspace either: the only membership of the user is the first workspace's.
	require.NoError(t, env.App.Tenants.UserTx(context.Background(), m.UserID, func(q *db.Queries) error {
		rows, err := q.ListUserMemberships(context.Background(), m.UserID)
		memberships = len(rows)
		return err
	}))
	require.Equal(t, 1, memberships)
}

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	m := env.SignUp(t)

	c := env.Client(t)
	require.Equal(t, http.StatusUnauthorized, c.Do("GET", "/api/v1/me", nil).Status)
	require.Equal(t, http.StatusUnauthorized, c.Do("GET", "/api/v1/agents", nil).Status)

	// Unknown email and wrong password get the same answer.
	wrong := c.Do("POST", "/api/v1/auth/signin", map[string]string{"email": m.Email, "password": "not the password"})
	unknown := c.Do("POST", "/api/v1/auth/signin", map[string]string{"email": apptest.UniqueEmail("nobody"), "password": "not the password"})
	require.Equal(t, http.StatusUnauthorized, wrong.Status)
	require.Equal(t, wrong.Status, unknown.Status)
	require.JSONEq(t, string(wrong.Body), string(unknown.Body))

	// Email matching ignores case and surrounding space.
	resp := c.Do("POST", "/api/v1/auth/signin", map[string]string{"email": "  " + strings.ToUpper(m.Email) + " ", "password": m.Password})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	cookie := resp.Header.Get("Set-Cookie")
	require.Contains(t, cookie, "guestlist_session=")
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Lax")
	require.NotContains(t, cookie, "Secure", "plain-HTTP development must not mark the cookie Secure")
	require.Equal(t, http.StatusOK, c.Do("GET", "/api/v1/me", nil).Status)

	require.Equal(t, http.StatusNoContent, c.Do("POST", "/api/v1/auth/signout", nil).Status)
	require.Equal(t, http.StatusUnauthorized, c.Do("GET", "/api/v1/me", nil).Status)
	// The other session (from sign-up) is untouched.
	require.Equal(t, http.StatusOK, m.Do("GET", "/api/v1/me", nil).Status)
}

func TestSignInIsRateLimited(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	c := env.Client(t)
	email := apptest.UniqueEmail("target")
	var last apptest.Response
	for range 11 { // the per-email burst is 10
		last = c.Do("POST", "/api/v1/auth/signin", map[string]string{"email": email, "password": "guess guess guess"})
	}
	require.Equal(t, http.StatusTooManyRequests, last.Status)
	require.Equal(t, "rate_limited", last.ErrorCode())
	require.NotEmpty(t, last.Header.Get("Retry-After"))
}

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	m := env.SignUp(t)
	other := env.SignUp(t)

	resp := m.Do("POST", "/api/v1/workspaces", map[string]string{"name": "ab"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, resp.Map(t)["error"].(map[string]any)["fields"], "name")

	resp = m.Do("POST", "/api/v1/workspaces", map[string]string{"name": "Second workspace"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var s struct {
		Workspaces []struct {
			ID   uuid.UUID
			Name string
			Role string
		}
		CurrentWorkspaceID uuid.UUID `json:"current_workspace_id"`
	}
	resp.JSON(t, &s)
	require.Len(t, s.Workspaces, 2)
	second := s.CurrentWorkspaceID
	require.NotEqual(t, m.WorkspaceID, second)
	// The new workspace is empty; the first one's agent is not there.
	require.Empty(t, m.Do("GET", "/api/v1/agents", nil).Map(t)["items"])

	// Switch back, and forth.
	resp = m.Do("PUT", "/api/v1/me/workspace", map[string]string{"workspace_id": m.WorkspaceID.String()})
	require.Equal(t, http.StatusOK, resp.Status)
	require.Len(t, m.Do("GET", "/api/v1/agents", nil).Map(t)["items"], 1)

	// Another member's workspace is not found, and the session stays where it was.
	resp = m.Do("PUT", "/api/v1/me/workspace", map[string]string{"workspace_id": other.WorkspaceID.String()})
	require.Equal(t, http.StatusNotFound, resp.Status)
	require.Equal(t, m.WorkspaceID.String(), m.Do("GET", "/api/v1/me", nil).Map(t)["current_workspace_id"])

	resp = m.Do("PUT", "/api/v1/me/workspace", map[string]string{"workspace_id": "nope"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
}

// The hourly expire_sessions job (run on start by River's leader) deletes expired sessions and
// leaves live ones; a session past its expiry no longer authenticates even before that.
func TestExpiredSessionsEndAndAreDeleted(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	live, expired := env.SignUp(t), env.SignUp(t)
	ctx := context.Background()
	_, err := env.DB.Owner.Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, expired.UserID)
	require.NoError(t, err)
	// Changed behind the app's back: this process trusts what it checked for up to the cache's
	// TTL (TestCheckedSessionsAreTrustedBriefly); forgetting makes it ask again.
	env.App.Auth.ForgetSessions()
	require.Equal(t, http.StatusUnauthorized, expired.Do("GET", "/api/v1/me", nil).Status)

	_, err = env.App.River.Insert(ctx, jobs.ExpireSessionsArgs{}, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, env.DB.Owner.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, expired.UserID).Scan(&n))
		return n == 0
	}, 15*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusOK, live.Do("GET", "/api/v1/me", nil).Status)
}

// Signing in while another session's cookie is still sent answers with the new session.
func TestSignInOverAnotherSessionAnswersTheNewOne(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	a, b := env.SignUp(t), env.SignUp(t)
	resp := a.Do("POST", "/api/v1/auth/signin", map[string]string{"email": b.Email, "password": b.Password})
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, b.Email, resp.Map(t)["user"].(map[string]any)["email"])
	require.Equal(t, b.WorkspaceID.String(), resp.Map(t)["current_workspace_id"])
	require.Equal(t, b.Email, a.Do("GET", "/api/v1/me", nil).Map(t)["user"].(map[string]any)["email"])
}

// A checked session is trusted for the cache's TTL: a change made behind this process's back
// (another process, or SQL) shows once the entry expires, while a change made through this
// process — sign-out, a removed member, a new role — shows at once.
func TestCheckedSessionsAreTrustedBriefly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ttl := 300 * time.Millisecond
	env := apptest.Start(t, func(c *app.Config) { c.SessionCacheTTL = ttl })
	owner := env.SignUp(t)
	agents := owner.Do("GET", "/api/v1/agents", nil)
	require.Equal(t, http.StatusOK, agents.Status)
	var list struct {
		Items []struct {
			ID uuid.UUID `json:"id"`
		} `json:"items"`
	}
	agents.JSON(t, &list)
	require.NotEmpty(t, list.Items)
	contactsPath := "/api/v1/agents/" + list.Items[0].ID.String() + "/contacts"
	require.Equal(t, http.StatusOK, owner.Do("GET", contactsPath, nil).Status)

	// Ended behind the app's back: still trusted until the entry expires, then refused.
	_, err := env.DB.Owner.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, owner.UserID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, owner.Do("GET", contactsPath, nil).Status, "the checked session was asked for again")
	require.Eventually(t, func() bool { return owner.Do("GET", contactsPath, nil).Status == http.StatusUnauthorized },
		5*time.Second, ttl/3)

	// Through the app, at once: a removed member's next request is refused, with the entry fresh.
	owner = env.SignUp(t)
	user := env.AddMember(t, owner, "admin")
	require.Equal(t, http.StatusOK, user.Do("GET", "/api/v1/agents", nil).Status)
	require.Equal(t, http.StatusOK, owner.Do("DELETE", "/api/v1/members/"+user.UserID.String(), nil).Status)
	require.NotEqual(t, http.StatusOK, user.Do("GET", "/api/v1/agents", nil).Status)

	// And sign-out.
	require.Equal(t, http.StatusOK, owner.Do("GET", "/api/v1/me", nil).Status)
	require.Equal(t, http.StatusNoContent, owner.Do("POST", "/api/v1/auth/signout", nil).Status)
	require.Equal(t, http.StatusUnauthorized, owner.Do("GET", "/api/v1/me", nil).Status)
}

// With the cache off, every request asks the database.
func TestSessionCacheOff(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, func(c *app.Config) { c.SessionCacheTTL = 0 })
	owner := env.SignUp(t)
	require.Equal(t, http.StatusOK, owner.Do("GET", "/api/v1/me", nil).Status)
	_, err := env.DB.Owner.Exec(context.Background(), `DELETE FROM sessions WHERE user_id = $1`, owner.UserID)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, owner.Do("GET", "/api/v1/me", nil).Status)
}
