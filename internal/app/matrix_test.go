package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
)

// The people of the matrix, in column order.
const (
	owner = iota
	admin
	userGranted    // a user granted the agent the routes name
	userNotGranted // a user with no grant
	outsider       // the owner of another workspace
	signedOut
	people
)

var personNames = [people]string{"owner", "admin", "user with grant", "user without grant", "member of another workspace", "signed out"}

// TestRouteRoleMatrix calls every /api/v1 route as every kind of person and checks the answer
// against the policy: a route that lets through what the policy forbids, or refuses what it
// allows, fails here. Bodies are chosen so that an allowed call stops short of destroying the
// fixture (a wrong confirmation, an unknown id). A route added without a row here fails too.
func TestRouteRoleMatrix(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	agentID := o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	a := env.AddMember(t, o, "admin")
	ug := env.AddMember(t, o, "user")
	un := env.AddMember(t, o, "user")
	resp := o.Do("PUT", "/api/v1/members/"+ug.UserID.String()+"/agents", map[string]any{"agent_ids": []string{agentID}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	out := env.SignUp(t)
	base := "/api/v1/agents/" + agentID
	lead := o.Do("GET", base+"/stages", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	contact := o.Do("POST", base+"/contacts", map[string]string{"email": "matrix@example.com"}).Map(t)["id"].(string)
	note := o.Do("POST", base+"/contacts/"+contact+"/notes", map[string]string{"body_html": "<p>owner's</p>"}).Map(t)["id"].(string)
	files := base + "/contacts/" + contact + "/files"
	multipart := *o.Client
	multipart.Header = http.Header{"Content-Type": {"multipart/form-data; boundary=b"}}
	file := multipart.Do("POST", files, "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.txt\"\r\n\r\nmatrix\r\n--b--\r\n").Map(t)["id"].(string)
	require.Eventually(t, func() bool { return o.Do("GET", files+"/"+file+"/download", nil).Status == http.StatusOK }, 15*time.Second, 20*time.Millisecond)
	field := o.Do("POST", base+"/fields", map[string]string{"label": "Matrix", "type": "text"}).Map(t)["id"].(string)
	clients := [people]*apptest.Client{o.Client, a.Client, ug.Client, un.Client, out.Client, env.Client(t)}

	unknown := uuid.Must(uuid.NewV7()).String()
	type row struct {
		method, path string // the registered route
		url          string // with its parameters filled in ("" : path)
		body         any
		want         [people]int
	}
	const (
		ok    = http.StatusOK
		empty = http.StatusNoContent
		bad   = http.StatusBadRequest
		unau  = http.StatusUnauthorized
		forb  = http.StatusForbidden
		none  = http.StatusNotFound
		//                         owner admin user+g user-g outsider signed-out
	)
	rows := []row{
		{"GET", "/api/v1/me", "", nil, [people]int{ok, ok, ok, ok, ok, unau}},
		{"PUT", "/api/v1/me/workspace", "", map[string]string{"workspace_id": o.WorkspaceID.String()}, [people]int{ok, ok, ok, ok, none, unau}},
		{"POST", "/api/v1/workspaces", "", map[string]string{"name": ""}, [people]int{bad, bad, bad, bad, bad, unau}},
		{"GET", "/api/v1/agents", "", nil, [people]int{ok, ok, ok, ok, ok, unau}},
		{"POST", "/api/v1/agents", "", map[string]string{"name": ""}, [people]int{bad, bad, forb, forb, bad, unau}},
		{"GET", "/api/v1/agents/:agentId", "/api/v1/agents/" + agentID, nil, [people]int{ok, ok, ok, none, none, unau}},
		{"PATCH", "/api/v1/agents/:agentId", "/api/v1/agents/" + agentID, `{}`, [people]int{ok, ok, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/stages", base + "/stages", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"POST", "/api/v1/agents/:agentId/stages", base + "/stages", map[string]string{"name": ""}, [people]int{bad, bad, forb, forb, none, unau}},
		{"PUT", "/api/v1/agents/:agentId/stages", base + "/stages", map[string]any{"stage_ids": []string{}}, [people]int{bad, bad, forb, forb, none, unau}},
		{"PATCH", "/api/v1/agents/:agentId/stages/:stageId", base + "/stages/" + lead, map[string]string{"name": "Lead"}, [people]int{ok, ok, forb, forb, none, unau}},
		{"DELETE", "/api/v1/agents/:agentId/stages/:stageId", base + "/stages/" + lead, nil, [people]int{bad, bad, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts", base + "/contacts", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts", base + "/contacts", `{}`, [people]int{bad, bad, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/similar", base + "/contacts/similar?email=matrix@example.com", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId", base + "/contacts/" + contact, nil, [people]int{ok, ok, ok, none, none, unau}},
		{"PATCH", "/api/v1/agents/:agentId/contacts/:contactId", base + "/contacts/" + contact, `{}`, [people]int{ok, ok, forb, forb, none, unau}},
		{"DELETE", "/api/v1/agents/:agentId/contacts/:contactId", base + "/contacts/" + unknown, nil, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts/:contactId/archive", base + "/contacts/" + unknown + "/archive", nil, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts/:contactId/restore", base + "/contacts/" + unknown + "/restore", nil, [people]int{none, none, forb, forb, none, unau}},
		{"PUT", "/api/v1/agents/:agentId/contacts/:contactId/stage", base + "/contacts/" + contact + "/stage", map[string]string{"stage_id": lead}, [people]int{ok, ok, ok, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/automations", base + "/automations", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"PUT", "/api/v1/agents/:agentId/automations/:method", base + "/automations/chat", map[string]any{"primary": map[string]string{"strategy": "creator"}, "secondary": map[string]string{"strategy": "none"}}, [people]int{bad, bad, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/automations/:method/simulate", base + "/automations/chat/simulate", map[string]int{"count": 0}, [people]int{bad, bad, bad, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/views", base + "/views", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"POST", "/api/v1/agents/:agentId/views", base + "/views", map[string]string{"name": ""}, [people]int{bad, bad, bad, none, none, unau}},
		{"PATCH", "/api/v1/agents/:agentId/views/:viewId", base + "/views/" + unknown, map[string]string{"name": "x"}, [people]int{none, none, none, none, none, unau}},
		{"DELETE", "/api/v1/agents/:agentId/views/:viewId", base + "/views/" + unknown, nil, [people]int{none, none, none, none, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts/merge", base + "/contacts/merge", map[string]string{"survivor_id": contact, "merged_id": contact}, [people]int{bad, bad, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts/bulk", base + "/contacts/bulk", map[string]any{"contact_ids": []string{}, "action": "archive"}, [people]int{bad, bad, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId/export", base + "/contacts/" + contact + "/export", nil, [people]int{ok, ok, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts/:contactId/erase", base + "/contacts/" + unknown + "/erase", nil, [people]int{none, none, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId/timeline", base + "/contacts/" + contact + "/timeline", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId/notes", base + "/contacts/" + contact + "/notes", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts/:contactId/notes", base + "/contacts/" + contact + "/notes", map[string]string{"body_html": ""}, [people]int{bad, bad, bad, none, none, unau}},
		{"PATCH", "/api/v1/agents/:agentId/contacts/:contactId/notes/:noteId", base + "/contacts/" + contact + "/notes/" + note, map[string]string{"body_html": "<p>x</p>"}, [people]int{ok, ok, forb, none, none, unau}},
		{"DELETE", "/api/v1/agents/:agentId/contacts/:contactId/notes/:noteId", base + "/contacts/" + contact + "/notes/" + unknown, nil, [people]int{none, none, none, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId/files", files, nil, [people]int{ok, ok, ok, none, none, unau}},
		{"POST", "/api/v1/agents/:agentId/contacts/:contactId/files", files, `{}`, [people]int{bad, bad, bad, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId/files/:fileId/download", files + "/" + file + "/download", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"DELETE", "/api/v1/agents/:agentId/contacts/:contactId/files/:fileId", files + "/" + unknown, nil, [people]int{none, none, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/export", base + "/contacts/export", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/imports", base + "/imports", nil, [people]int{ok, ok, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/imports", base + "/imports", `{}`, [people]int{bad, bad, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/imports/:importId", base + "/imports/" + unknown, nil, [people]int{none, none, forb, forb, none, unau}},
		{"PUT", "/api/v1/agents/:agentId/imports/:importId/mapping", base + "/imports/" + unknown + "/mapping", map[string]any{"mode": "create_only", "mapping": []string{}}, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/imports/:importId/preview", base + "/imports/" + unknown + "/preview", nil, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/imports/:importId/start", base + "/imports/" + unknown + "/start", `{}`, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/imports/:importId/cancel", base + "/imports/" + unknown + "/cancel", nil, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/imports/:importId/undo", base + "/imports/" + unknown + "/undo", nil, [people]int{none, none, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/imports/:importId/errors", base + "/imports/" + unknown + "/errors", nil, [people]int{none, none, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/fields", base + "/fields", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"POST", "/api/v1/agents/:agentId/fields", base + "/fields", `{}`, [people]int{bad, bad, forb, forb, none, unau}},
		{"PUT", "/api/v1/agents/:agentId/fields", base + "/fields", map[string]any{"field_ids": []string{}}, [people]int{bad, bad, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/fields/:fieldId", base + "/fields/" + field, nil, [people]int{ok, ok, ok, none, none, unau}},
		{"PATCH", "/api/v1/agents/:agentId/fields/:fieldId", base + "/fields/" + field, `{}`, [people]int{ok, ok, forb, forb, none, unau}},
		{"DELETE", "/api/v1/agents/:agentId/fields/:fieldId", base + "/fields/" + field + "?confirm=wrong", nil, [people]int{bad, bad, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/fields/:fieldId/archive", base + "/fields/" + unknown + "/archive", nil, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/fields/:fieldId/restore", base + "/fields/" + unknown + "/restore", nil, [people]int{none, none, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/keys", base + "/keys", nil, [people]int{ok, ok, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/keys", base + "/keys", map[string]string{"name": ""}, [people]int{bad, bad, forb, forb, none, unau}},
		{"POST", "/api/v1/agents/:agentId/keys/:keyId/revoke", base + "/keys/" + unknown + "/revoke", nil, [people]int{none, none, forb, forb, none, unau}},
		{"GET", "/api/v1/agents/:agentId/conversations", base + "/conversations", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/conversations/:conversationId", base + "/conversations/" + unknown, nil, [people]int{none, none, none, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId/conversations", base + "/contacts/" + contact + "/conversations", nil, [people]int{ok, ok, ok, none, none, unau}},
		{"GET", "/api/v1/agents/:agentId/contacts/:contactId/sources", base + "/contacts/" + contact + "/sources", nil, [people]int{ok, ok, ok, none, none, unau}},
		// The chat runtime's door takes an agent key, never a session.
		{"GET", "/api/v1/chat/schema", "", nil, [people]int{unau, unau, unau, unau, unau, unau}},
		{"POST", "/api/v1/chat/lookup", "", map[string]string{"email": "matrix@example.com"}, [people]int{unau, unau, unau, unau, unau, unau}},
		{"POST", "/api/v1/chat/exists", "", map[string]string{"email": "matrix@example.com"}, [people]int{unau, unau, unau, unau, unau, unau}},
		{"POST", "/api/v1/chat/save", "", map[string]string{"conversation_id": unknown}, [people]int{unau, unau, unau, unau, unau, unau}},
		{"POST", "/api/v1/chat/conversations", "", map[string]string{"visitor_id": "v"}, [people]int{unau, unau, unau, unau, unau, unau}},
		{"PATCH", "/api/v1/chat/conversations/:conversationId", "/api/v1/chat/conversations/" + unknown, map[string]string{"title": "x"}, [people]int{unau, unau, unau, unau, unau, unau}},
		{"POST", "/api/v1/chat/conversations/:conversationId/messages", "/api/v1/chat/conversations/" + unknown + "/messages", `{}`, [people]int{unau, unau, unau, unau, unau, unau}},
		{"POST", "/api/v1/chat/conversations/:conversationId/end", "/api/v1/chat/conversations/" + unknown + "/end", nil, [people]int{unau, unau, unau, unau, unau, unau}},
		{"GET", "/api/v1/workspace", "", nil, [people]int{ok, ok, ok, ok, ok, unau}},
		{"PATCH", "/api/v1/workspace", "", map[string]string{"name": "x"}, [people]int{bad, forb, forb, forb, bad, unau}},
		{"DELETE", "/api/v1/workspace", "", map[string]string{"confirm_name": "not the name"}, [people]int{bad, forb, forb, forb, bad, unau}},
		{"POST", "/api/v1/workspace/transfer", "", map[string]string{"user_id": unknown}, [people]int{none, forb, forb, forb, none, unau}},
		{"GET", "/api/v1/members", "", nil, [people]int{ok, ok, forb, forb, ok, unau}},
		{"PATCH", "/api/v1/members/:userId", "/api/v1/members/" + un.UserID.String(), map[string]string{"role": "user"}, [people]int{ok, ok, forb, forb, none, unau}},
		{"DELETE", "/api/v1/members/:userId", "/api/v1/members/" + unknown, nil, [people]int{none, none, forb, forb, none, unau}},
		{"PUT", "/api/v1/members/:userId/agents", "/api/v1/members/" + un.UserID.String() + "/agents", map[string]any{"agent_ids": []string{}}, [people]int{ok, ok, forb, forb, none, unau}},
		{"GET", "/api/v1/invitations", "", nil, [people]int{ok, ok, forb, forb, ok, unau}},
		{"POST", "/api/v1/invitations", "", map[string]string{"email": "not an email", "role": "user"}, [people]int{bad, bad, forb, forb, bad, unau}},
		{"DELETE", "/api/v1/invitations/:invitationId", "/api/v1/invitations/" + unknown, nil, [people]int{none, none, forb, forb, none, unau}},
		{"POST", "/api/v1/invitations/:invitationId/resend", "/api/v1/invitations/" + unknown + "/resend", nil, [people]int{none, none, forb, forb, none, unau}},
		{"GET", "/api/v1/audit", "", nil, [people]int{ok, ok, ok, ok, ok, unau}},
		{"GET", "/api/v1/audit/export", "", nil, [people]int{ok, ok, ok, ok, ok, unau}},
		// Public doors: the same for everyone.
		{"POST", "/api/v1/auth/signup", "", `{}`, [people]int{bad, bad, bad, bad, bad, bad}},
		{"POST", "/api/v1/auth/signin", "", map[string]string{"email": "nobody@example.com", "password": "x"}, [people]int{unau, unau, unau, unau, unau, unau}},
		{"POST", "/api/v1/invitations/lookup", "", map[string]string{"token": "nope"}, [people]int{none, none, none, none, none, none}},
		{"POST", "/api/v1/invitations/accept", "", map[string]string{"token": "nope", "password": "x"}, [people]int{none, none, none, none, none, none}},
		{"GET", "/api/v1/dev/outbox", "", nil, [people]int{ok, ok, ok, ok, ok, ok}},
		// Last: it ends the session of whoever calls it.
		{"POST", "/api/v1/auth/signout", "", nil, [people]int{empty, empty, empty, empty, empty, empty}},
	}

	// Every registered API route has a row.
	var registered, covered []string
	for _, r := range env.App.Handler.(*gin.Engine).Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			registered = append(registered, r.Method+" "+r.Path)
		}
	}
	for _, r := range rows {
		covered = append(covered, r.method+" "+r.path)
	}
	slices.Sort(registered)
	slices.Sort(covered)
	require.Equal(t, registered, covered, "every /api/v1 route needs a row in the matrix")

	for _, r := range rows {
		url := r.url
		if url == "" {
			url = r.path
		}
		for p := range people {
			resp := clients[p].Do(r.method, url, r.body)
			require.Equal(t, r.want[p], resp.Status, fmt.Sprintf("%s %s as %s: %s", r.method, url, personNames[p], resp.Body))
		}
	}
}
