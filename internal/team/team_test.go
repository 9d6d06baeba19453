package team_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/migrate"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func fields(t *testing.T, r apptest.Response) map[string]any {
	t.Helper()
	f, _ := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
	return f
}

func firstAgent(t *testing.T, m *apptest.Member) string {
	t.Helper()
	return m.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
}

func role(t *testing.T, m *apptest.Member) string {
	t.Helper()
	me := m.Do("GET", "/api/v1/me", nil).Map(t)
	for _, w := range me["workspaces"].([]any) {
		w := w.(map[string]any)
		if w["id"] == me["current_workspace_id"] {
			return w["role"].(string)
		}
	}
	return ""
}

func TestInvitationFlow(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	email := apptest.UniqueEmail("new-admin")

	resp := o.Do("POST", "/api/v1/invitations", map[string]string{"email": email, "role": "admin"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, "pending", resp.Map(t)["state"])
	require.Equal(t, "Test Owner", resp.Map(t)["invited_by"])

	mail := env.WaitForMail(t, email, "/invite#")
	require.Contains(t, mail.Subject, "invited you")
	require.Contains(t, mail.Text, "as admin")
	token := env.InvitationToken(t, email)

	c := env.Client(t)
	resp = c.Do("POST", "/api/v1/invitations/lookup", map[string]string{"token": token})
	require.Equal(t, http.StatusOK, resp.Status)
	preview := resp.Map(t)
	require.Equal(t, "pending", preview["state"])
	require.Equal(t, "admin", preview["role"])
	require.Equal(t, false, preview["account_exists"])
	require.Contains(t, preview["workspace_name"], "Workspace of")

	// A new person must choose a name and a valid password.
	resp = c.Do("POST", "/api/v1/invitations/accept", map[string]string{"token": token, "password": "short"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "name")
	require.Contains(t, fields(t, resp), "password")

	resp = c.Do("POST", "/api/v1/invitations/accept", map[string]string{"token": token, "name": "Ada", "password": "a fine long password"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, o.WorkspaceID.String(), resp.Map(t)["current_workspace_id"])
	admin := &apptest.Member{Client: c, WorkspaceID: o.WorkspaceID}
	require.Equal(t, "admin", role(t, admin))

	// The link works once.
	resp = env.Client(t).Do("POST", "/api/v1/invitations/accept", map[string]string{"token": token, "name": "Eve", "password": "a fine long password"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp)["token"], "already used")

	list := o.Do("GET", "/api/v1/invitations", nil).Map(t)["items"].([]any)
	require.Equal(t, "accepted", list[0].(map[string]any)["state"])
	require.Equal(t, 1, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'invitations' AND action = 'accept'`))
}

func TestInvitationEdgeCases(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	ctx := context.Background()
	invite := func(by *apptest.Member, email, role string) apptest.Response {
		return by.Do("POST", "/api/v1/invitations", map[string]string{"email": email, "role": role})
	}
	accept := func(token string) apptest.Response {
		return env.Client(t).Do("POST", "/api/v1/invitations/accept", map[string]string{"token": token, "name": "Someone", "password": "a fine long password"})
	}

	t.Run("expired", func(t *testing.T) {
		email := apptest.UniqueEmail("late")
		require.Equal(t, http.StatusCreated, invite(o, email, "user").Status)
		token := env.InvitationToken(t, email)
		env.InWorkspace(t, o.WorkspaceID, func(tx tenant.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email_normalized = $1`, email)
			return err
		})
		require.Equal(t, "expired", env.Client(t).Do("POST", "/api/v1/invitations/lookup", map[string]string{"token": token}).Map(t)["state"])
		resp := accept(token)
		require.Equal(t, http.StatusBadRequest, resp.Status)
		require.Contains(t, fields(t, resp)["token"], "expired")
	})

	t.Run("revoked, and resend gives a new link that replaces the old", func(t *testing.T) {
		email := apptest.UniqueEmail("revoked")
		resp := invite(o, email, "user")
		id := resp.Map(t)["id"].(string)
		old := env.InvitationToken(t, email)

		resp = o.Do("POST", "/api/v1/invitations/"+id+"/resend", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var fresh string
		require.Eventually(t, func() bool { fresh = env.InvitationToken(t, email); return fresh != old }, 15*time.Second, 20*time.Millisecond)
		require.Equal(t, http.StatusNotFound, accept(old).Status, "the old link must stop working")

		resp = o.Do("DELETE", "/api/v1/invitations/"+id, nil)
		require.Equal(t, http.StatusOK, resp.Status)
		require.Equal(t, "revoked", resp.Map(t)["state"])
		resp = accept(fresh)
		require.Equal(t, http.StatusBadRequest, resp.Status)
		require.Contains(t, fields(t, resp)["token"], "revoked")
		require.Equal(t, http.StatusConflict, o.Do("DELETE", "/api/v1/invitations/"+id, nil).Status)
		require.Equal(t, http.StatusConflict, o.Do("POST", "/api/v1/invitations/"+id+"/resend", nil).Status)
	})

	t.Run("already a member, already invited", func(t *testing.T) {
		resp := invite(o, strings.ToUpper(o.Email), "user")
		require.Equal(t, http.StatusConflict, resp.Status)
		require.Contains(t, fields(t, resp)["email"], "already a member")
		email := apptest.UniqueEmail("twice")
		require.Equal(t, http.StatusCreated, invite(o, email, "user").Status)
		resp = invite(o, email, "admin")
		require.Equal(t, http.StatusConflict, resp.Status)
		require.Contains(t, fields(t, resp)["email"], "open invitation")
	})

	t.Run("an existing account joins with its password", func(t *testing.T) {
		other := env.SignUp(t)
		require.Equal(t, http.StatusCreated, invite(o, other.Email, "user").Status)
		token := env.InvitationToken(t, other.Email)
		c := env.Client(t)
		require.Equal(t, true, c.Do("POST", "/api/v1/invitations/lookup", map[string]string{"token": token}).Map(t)["account_exists"])
		resp := c.Do("POST", "/api/v1/invitations/accept", map[string]string{"token": token, "password": "wrong password!"})
		require.Equal(t, http.StatusBadRequest, resp.Status)
		require.Contains(t, fields(t, resp), "password")
		resp = c.Do("POST", "/api/v1/invitations/accept", map[string]string{"token": token, "password": other.Password})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		require.Len(t, resp.Map(t)["workspaces"], 2)
	})

	t.Run("bad links and bad input", func(t *testing.T) {
		for _, token := range []string{"", "x", strings.Repeat("A", 64), uuid.NewString()} {
			require.Equal(t, http.StatusNotFound, env.Client(t).Do("POST", "/api/v1/invitations/lookup", map[string]string{"token": token}).Status, token)
		}
		resp := invite(o, "not-an-email", "owner")
		require.Equal(t, http.StatusBadRequest, resp.Status)
		require.Contains(t, fields(t, resp), "email")
		require.Contains(t, fields(t, resp), "role")
	})

	t.Run("role escalation is refused", func(t *testing.T) {
		admin := env.AddMember(t, o, "admin")
		user := env.AddMember(t, o, "user")
		otherAdmin := env.AddMember(t, o, "admin")

		resp := invite(admin, apptest.UniqueEmail("by-admin"), "admin")
		require.Equal(t, http.StatusForbidden, resp.Status, "an admin invites admins")
		require.Equal(t, http.StatusCreated, invite(admin, apptest.UniqueEmail("by-admin"), "user").Status)
		require.Equal(t, http.StatusForbidden, invite(user, apptest.UniqueEmail("by-user"), "user").Status, "a user invites")

		change := func(by *apptest.Member, who uuid.UUID, role string) int {
			return by.Do("PATCH", "/api/v1/members/"+who.String(), map[string]string{"role": role}).Status
		}
		require.Equal(t, http.StatusForbidden, change(user, user.UserID, "admin"), "a user changes their own role")
		require.Equal(t, http.StatusForbidden, change(admin, admin.UserID, "user"), "an admin changes their own role")
		require.Equal(t, http.StatusForbidden, change(admin, user.UserID, "admin"), "an admin makes an admin")
		require.Equal(t, http.StatusForbidden, change(admin, otherAdmin.UserID, "user"), "an admin demotes an admin")
		require.Equal(t, http.StatusForbidden, change(admin, o.UserID, "user"), "an admin demotes the owner")
		require.Equal(t, http.StatusForbidden, change(o, o.UserID, "admin"), "the owner changes their own role")
		require.Equal(t, http.StatusBadRequest, change(o, user.UserID, "owner"), "ownership by role change")
		require.Equal(t, "user", role(t, user))
		require.Equal(t, "admin", role(t, otherAdmin))
		require.Positive(t, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND actor_user_id = $1`, admin.UserID))
	})
}

func TestMembers(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	admin := env.AddMember(t, o, "admin")
	user := env.AddMember(t, o, "user")
	agent := firstAgent(t, o)

	items := o.Do("GET", "/api/v1/members", nil).Map(t)["items"].([]any)
	require.Len(t, items, 3)
	require.Equal(t, "owner", items[0].(map[string]any)["role"])
	require.Equal(t, "admin", items[1].(map[string]any)["role"])

	// Grants: the user sees only what is granted; to them other agents do not exist.
	require.Empty(t, user.Do("GET", "/api/v1/agents", nil).Map(t)["items"])
	require.Equal(t, http.StatusNotFound, user.Do("GET", "/api/v1/agents/"+agent, nil).Status)
	resp := admin.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []string{agent, agent}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, []any{agent}, resp.Map(t)["agent_ids"])
	require.Len(t, user.Do("GET", "/api/v1/agents", nil).Map(t)["items"], 1)
	require.Equal(t, http.StatusOK, user.Do("GET", "/api/v1/agents/"+agent, nil).Status)

	resp = o.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []string{uuid.NewString()}})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "agent_ids")
	require.Len(t, user.Do("GET", "/api/v1/agents", nil).Map(t)["items"], 1, "a refused change keeps the grants")
	require.Equal(t, http.StatusBadRequest, o.Do("PUT", "/api/v1/members/"+admin.UserID.String()+"/agents", map[string]any{"agent_ids": []string{agent}}).Status)
	require.Equal(t, http.StatusBadRequest, o.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", `{}`).Status)

	// Promote, then demote: grants do not survive a trip through admin.
	require.Equal(t, http.StatusOK, o.Do("PATCH", "/api/v1/members/"+user.UserID.String(), map[string]string{"role": "admin"}).Status)
	require.Equal(t, "admin", role(t, user))
	resp = o.Do("PATCH", "/api/v1/members/"+user.UserID.String(), map[string]string{"role": "user"})
	require.Equal(t, http.StatusOK, resp.Status)
	require.Empty(t, resp.Map(t)["agent_ids"])

	// Removal: admins remove users, not admins or the owner; the removed member loses access.
	require.Equal(t, http.StatusForbidden, admin.Do("DELETE", "/api/v1/members/"+o.UserID.String(), nil).Status)
	other := env.AddMember(t, o, "admin")
	require.Equal(t, http.StatusForbidden, admin.Do("DELETE", "/api/v1/members/"+other.UserID.String(), nil).Status)
	resp = admin.Do("DELETE", "/api/v1/members/"+user.UserID.String(), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.EqualValues(t, 0, resp.Map(t)["open_assignments"])
	require.Equal(t, http.StatusForbidden, user.Do("GET", "/api/v1/agents", nil).Status, "no workspace left")
	require.Empty(t, user.Do("GET", "/api/v1/me", nil).Map(t)["workspaces"])
	require.Equal(t, http.StatusNotFound, o.Do("DELETE", "/api/v1/members/"+user.UserID.String(), nil).Status)
	require.Equal(t, http.StatusNotFound, o.Do("DELETE", "/api/v1/members/not-an-id", nil).Status)
}

func TestTransferOwnership(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	admin := env.AddMember(t, o, "admin")
	user := env.AddMember(t, o, "user")

	transfer := func(to uuid.UUID) apptest.Response {
		return o.Do("POST", "/api/v1/workspace/transfer", map[string]string{"user_id": to.String()})
	}
	require.Equal(t, http.StatusBadRequest, transfer(user.UserID).Status, "ownership goes to admins only")
	require.Equal(t, http.StatusForbidden, admin.Do("POST", "/api/v1/workspace/transfer", map[string]string{"user_id": admin.UserID.String()}).Status)
	require.Equal(t, http.StatusNoContent, transfer(admin.UserID).Status)
	require.Equal(t, "owner", role(t, admin))
	require.Equal(t, "admin", role(t, o))
	require.Equal(t, http.StatusForbidden, o.Do("PATCH", "/api/v1/workspace", map[string]string{"name": "Renamed by ex-owner"}).Status)
	require.Equal(t, http.StatusOK, admin.Do("PATCH", "/api/v1/workspace", map[string]string{"name": "Renamed by new owner"}).Status)
	require.Equal(t, 1, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM memberships WHERE role = 'owner'`))
}

func TestWorkspaceRenameAndDelete(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	env.AddMember(t, o, "user")
	bystander := env.SignUp(t)
	ctx := context.Background()

	resp := o.Do("PATCH", "/api/v1/workspace", map[string]string{"name": "  "})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "name")
	resp = o.Do("PATCH", "/api/v1/workspace", map[string]string{"name": "Acme Support"})
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, "Acme Support", o.Do("GET", "/api/v1/workspace", nil).Map(t)["name"])
	var before, after string
	env.InWorkspace(t, o.WorkspaceID, func(tx tenant.Tx) error {
		return tx.QueryRow(ctx, `SELECT before->>'name', after->>'name' FROM audit_log WHERE resource = 'workspace' AND action = 'update'`).Scan(&before, &after)
	})
	require.Contains(t, before, "Workspace of")
	require.Equal(t, "Acme Support", after)

	resp = o.Do("DELETE", "/api/v1/workspace", map[string]string{"confirm_name": "acme support"})
	require.Equal(t, http.StatusBadRequest, resp.Status, "the confirmation is exact")
	require.Equal(t, http.StatusOK, o.Do("GET", "/api/v1/workspace", nil).Status)

	// A unique field with a value: its row in contact_unique_values goes by the cascade too.
	agent := o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	resp = o.Do("POST", "/api/v1/agents/"+agent+"/fields", map[string]any{"label": "Member no", "type": "text", "unique": true})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	resp = o.Do("POST", "/api/v1/agents/"+agent+"/contacts", map[string]any{"email": "m1@example.com", "custom": map[string]string{"member_no": "M1"}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, 1, env.Count(t, o.WorkspaceID, "SELECT count(*) FROM contact_unique_values"))

	require.Equal(t, http.StatusNoContent, o.Do("DELETE", "/api/v1/workspace", map[string]string{"confirm_name": "Acme Support"}).Status)
	require.Empty(t, o.Do("GET", "/api/v1/me", nil).Map(t)["workspaces"])
	// Every tenant table is empty for the workspace; the bystander's workspace is whole.
	rows, err := env.DB.Owner.Query(ctx, `SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
		AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id')`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Contains(t, tables, "agents")
	for _, table := range append(tables, "workspaces") {
		if slices.Contains(migrate.DefinerOnlyTables, table) {
			continue // out of the app role's reach; its rows go with contacts' (foreign key)
		}
		col := "workspace_id"
		if table == "workspaces" {
			col = "id"
		}
		require.Zero(t, env.Count(t, o.WorkspaceID, "SELECT count(*) FROM "+table+" WHERE "+col+" = $1", o.WorkspaceID), table)
	}
	require.Len(t, bystander.Do("GET", "/api/v1/agents", nil).Map(t)["items"], 1)
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	user := env.AddMember(t, o, "user")
	require.Equal(t, http.StatusCreated, o.Do("POST", "/api/v1/agents", map[string]string{"name": "=HYPERLINK(\"http://evil\")"}).Status)
	require.Equal(t, http.StatusForbidden, user.Do("POST", "/api/v1/agents", map[string]string{"name": "nope"}).Status)

	list := func(m *apptest.Member, query string) []map[string]any {
		t.Helper()
		resp := m.Do("GET", "/api/v1/audit"+query, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var out []map[string]any
		for _, it := range resp.Map(t)["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	all := list(o, "")
	require.GreaterOrEqual(t, len(all), 5) // workspace, agent, invitation, accept, agent, denied
	require.Equal(t, "denied", all[0]["outcome"], "newest first")
	require.Equal(t, user.Email, all[0]["actor"].(map[string]any)["email"])

	created := list(o, "?resource=agents&action=create")
	require.Len(t, created, 3) // the first agent, the one above, and the refused attempt
	for _, e := range created {
		require.Equal(t, "agents", e["resource"])
		require.Equal(t, "create", e["action"])
		if e["outcome"] == "success" {
			require.NotNil(t, e["after"])
		}
	}
	require.Len(t, list(o, "?actor_id="+user.UserID.String()), 2) // accepted the invitation, was denied
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	require.Empty(t, list(o, "?from="+tomorrow))
	require.Empty(t, list(o, "?to="+yesterday))
	require.Len(t, list(o, "?from="+yesterday+"&to="+time.Now().UTC().Format(time.DateOnly)), len(all))
	for _, q := range []string{"?from=yesterday", "?actor_id=bob", "?from=" + tomorrow + "&to=" + yesterday, "?limit=0"} {
		require.Equal(t, http.StatusBadRequest, o.Do("GET", "/api/v1/audit"+q, nil).Status, q)
	}

	// Pages walk the whole log once.
	var seen []string
	for q := "?limit=2"; ; {
		page := o.Do("GET", "/api/v1/audit"+q, nil).Map(t)
		for _, it := range page["items"].([]any) {
			seen = append(seen, it.(map[string]any)["id"].(string))
		}
		next, ok := page["next_cursor"].(string)
		if !ok {
			break
		}
		q = "?limit=2&cursor=" + next
	}
	require.Len(t, seen, len(all))

	// A user sees only their own entries, whatever they ask for.
	mine := list(user, "?actor_id="+o.UserID.String())
	require.Len(t, mine, 2)
	for _, e := range mine {
		require.Equal(t, user.UserID.String(), e["actor"].(map[string]any)["id"])
	}

	// Export: CSV of the filtered log, with formula cells defused.
	resp := o.Do("GET", "/api/v1/audit/export?resource=agents", nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/csv")
	require.Contains(t, resp.Header.Get("Content-Disposition"), "attachment")
	records, err := csv.NewReader(strings.NewReader(string(resp.Body))).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"time", "actor_email", "actor_name", "action", "resource", "resource_id", "outcome", "ip", "request_id", "before", "after"}, records[0])
	require.Len(t, records, 1+3) // two creates and the denied attempt
	records, err = csv.NewReader(strings.NewReader(string(user.Do("GET", "/api/v1/audit/export", nil).Body))).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 1+2)
}
