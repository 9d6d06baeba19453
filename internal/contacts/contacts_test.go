package contacts_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// crm is a workspace with an agent, seen through its owner.
type crm struct {
	env   *apptest.Env
	owner *apptest.Member
	agent string
	base  string // /api/v1/agents/{agent}
}

func setup(t *testing.T) crm {
	t.Helper()
	env := apptest.Start(t)
	o := env.SignUp(t)
	agent := o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	// These tests are about contacts as their creator leaves them: no automation assigns owners
	// behind their back (internal/automations tests that).
	resp := o.Do("PUT", "/api/v1/agents/"+agent+"/automations/manual", map[string]any{
		"primary": map[string]string{"strategy": "none"}, "secondary": map[string]string{"strategy": "none"}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return crm{env: env, owner: o, agent: agent, base: "/api/v1/agents/" + agent}
}

func (c crm) create(t *testing.T, as *apptest.Member, body any) apptest.Response {
	t.Helper()
	return as.Do("POST", c.base+"/contacts", body)
}

func (c crm) mustCreate(t *testing.T, body any) map[string]any {
	t.Helper()
	resp := c.create(t, c.owner, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

func fields(t *testing.T, r apptest.Response) map[string]any {
	t.Helper()
	f, _ := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
	return f
}

func (c crm) stages(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, s := range c.owner.Do("GET", c.base+"/stages", nil).Map(t)["items"].([]any) {
		out = append(out, s.(map[string]any))
	}
	return out
}

func TestCreateAndGet(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ct := c.mustCreate(t, map[string]string{"name": "  Ada Lovelace ", "email": " Ada@Example.COM ", "phone": "(415) 555-2671"})
	require.Equal(t, "Ada Lovelace", ct["name"])
	require.Equal(t, "Ada@Example.COM", ct["email"])
	require.Equal(t, "+14155552671", ct["phone"], "phones are stored in E.164, read in the workspace's country")
	require.Equal(t, "manual", ct["source"])
	require.Equal(t, "via Manual", ct["source_label"])
	require.Equal(t, "active", ct["status"])
	require.Equal(t, "Lead", ct["stage"].(map[string]any)["name"], "new contacts start in the first stage")
	require.Equal(t, c.owner.UserID.String(), ct["created_by"])
	require.EqualValues(t, 1, ct["version"])

	resp := c.owner.Do("GET", c.base+"/contacts/"+ct["id"].(string), nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, `"1"`, resp.Header.Get("ETag"))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'contacts' AND action = 'create' AND after->>'name' = 'Ada Lovelace'`))

	// A phone alone is enough; so is an email alone.
	c.mustCreate(t, map[string]string{"phone": "+44 20 7946 0958"})
	c.mustCreate(t, map[string]string{"email": "solo@example.com"})
}

func TestBadInputIsRefusedWithTheField(t *testing.T) {
	t.Parallel()
	c := setup(t)
	stranger := c.env.SignUp(t)
	user := c.env.AddMember(t, c.owner, "user") // no grant of the agent
	cases := []struct {
		body  string
		field string
	}{
		{`{"name": "No way to reach"}`, "email"},
		{`{"email": "not-an-email"}`, "email"},
		{`{"phone": "12"}`, "phone"},
		{`{"email": "a@example.com", "name": "` + string(make([]byte, 0)) + fmt.Sprintf("%0201d", 0) + `"}`, "name"},
		{`{"email": "a@example.com", "external_id": "` + fmt.Sprintf("%0201d", 0) + `"}`, "external_id"},
		{`{"email": "a@example.com", "secondary_owner_id": "` + c.owner.UserID.String() + `"}`, "secondary_owner_id"},
		{`{"email": "a@example.com", "primary_owner_id": "` + c.owner.UserID.String() + `", "secondary_owner_id": "` + c.owner.UserID.String() + `"}`, "secondary_owner_id"},
		{`{"email": "a@example.com", "stage_id": "` + c.agent + `"}`, "stage_id"},
		{`{"email": "a@example.com", "primary_owner_id": "` + stranger.UserID.String() + `"}`, "primary_owner_id"},
		{`{"email": "a@example.com", "primary_owner_id": "` + user.UserID.String() + `"}`, "primary_owner_id"},
		{`{"email": "a@example.com", "source": "chat"}`, "source"},
		{`{"email": 42}`, "email"},
		{`{"email": "a@example.com", "stage_id": "not-a-uuid"}`, ""},
	}
	for _, tc := range cases {
		resp := c.create(t, c.owner, tc.body)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", tc.body, resp.Body)
		if tc.field != "" {
			require.Contains(t, fields(t, resp), tc.field, tc.body)
		}
	}
	require.Empty(t, c.owner.Do("GET", c.base+"/contacts", nil).Map(t)["items"], "nothing was written")
}

func TestDuplicates(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ada := c.mustCreate(t, map[string]string{"name": "Ada Lovelace", "email": "ada@example.com", "phone": "415-555-2671", "external_id": "crm-1"})
	id := ada["id"].(string)

	for field, body := range map[string]map[string]string{
		"email":       {"email": "ADA@example.com"},
		"phone":       {"phone": "+1 (415) 555 2671"},
		"external_id": {"email": "other@example.com", "external_id": "crm-1"},
	} {
		resp := c.create(t, c.owner, body)
		require.Equal(t, http.StatusConflict, resp.Status, "%s: %s", field, resp.Body)
		e := resp.Map(t)["error"].(map[string]any)
		require.Contains(t, e["fields"], field)
		require.Contains(t, e["message"], "Ada Lovelace")
		require.Equal(t, id, e["details"].(map[string]any)["existing_contact_id"])
	}

	// The warning while typing.
	sim := c.owner.Do("GET", c.base+"/contacts/similar?"+url.Values{"email": {"Ada@Example.com"}}.Encode(), nil).Map(t)["items"].([]any)
	require.Len(t, sim, 1)
	require.Equal(t, []any{"email"}, sim[0].(map[string]any)["reasons"])
	sim = c.owner.Do("GET", c.base+"/contacts/similar?"+url.Values{"name": {"Ada Lovelace"}}.Encode(), nil).Map(t)["items"].([]any)
	require.Len(t, sim, 1)
	require.Contains(t, sim[0].(map[string]any)["reasons"], "name")
	require.Empty(t, c.owner.Do("GET", c.base+"/contacts/similar?"+url.Values{"name": {"Grace Hopper"}, "email": {"grace@example.com"}}.Encode(), nil).Map(t)["items"])
	require.Empty(t, c.owner.Do("GET", c.base+"/contacts/similar?email=ada@example.com&exclude="+id, nil).Map(t)["items"], "the contact being edited is not its own duplicate")

	// Archiving frees the details; restoring checks them again.
	require.Equal(t, http.StatusOK, c.owner.Do("POST", c.base+"/contacts/"+id+"/archive", nil).Status)
	second := c.mustCreate(t, map[string]string{"email": "ada@example.com"})
	resp := c.owner.Do("POST", c.base+"/contacts/"+id+"/restore", nil)
	require.Equal(t, http.StatusConflict, resp.Status)
	require.Equal(t, second["id"], resp.Map(t)["error"].(map[string]any)["details"].(map[string]any)["existing_contact_id"])
	require.Equal(t, "archived", c.owner.Do("GET", c.base+"/contacts/"+id, nil).Map(t)["status"])

	// An archived contact's edits are still checked (stage of this agent, real owners).
	archivedPath := c.base + "/contacts/" + id
	otherStage := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Elsewhere"}).Map(t)["id"].(string)
	foreign := c.owner.Do("GET", "/api/v1/agents/"+otherStage+"/stages", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	require.Equal(t, http.StatusBadRequest, c.owner.Do("PUT", archivedPath+"/stage", map[string]string{"stage_id": foreign}).Status)
	require.Equal(t, http.StatusBadRequest, c.owner.Do("PUT", archivedPath+"/stage", map[string]string{"stage_id": id}).Status)
	require.Equal(t, http.StatusBadRequest, c.owner.Do("PATCH", archivedPath, map[string]string{"primary_owner_id": id}).Status)
	require.Equal(t, http.StatusOK, c.owner.Do("PATCH", archivedPath, map[string]string{"name": "Ada L."}).Status, "an archived contact keeps its email beside the active one")

	// Another agent of the same workspace has its own CRM: the same email is fine there.
	other := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Other"}).Map(t)["id"].(string)
	require.Equal(t, http.StatusCreated, c.owner.Do("POST", "/api/v1/agents/"+other+"/contacts", map[string]string{"email": "ada@example.com"}).Status)
}

// The duplicate warning matches a phone typed in any format, read in the workspace's country.
func TestSimilarMatchesPhone(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ada := c.mustCreate(t, map[string]string{"name": "Ada Lovelace", "phone": "+1 415 555 2671"})
	c.mustCreate(t, map[string]string{"name": "Someone Else", "phone": "+1 650 253 0000"})
	similar := func(v url.Values) []any {
		t.Helper()
		resp := c.owner.Do("GET", c.base+"/contacts/similar?"+v.Encode(), nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		return resp.Map(t)["items"].([]any)
	}
	for _, typed := range []string{"(415) 555-2671", "415.555.2671", "+14155552671", "+1 (415) 555 2671"} {
		sim := similar(url.Values{"phone": {typed}, "name": {"Grace Hopper"}})
		require.Len(t, sim, 1, typed)
		require.Equal(t, ada["id"], sim[0].(map[string]any)["id"], typed)
		require.Equal(t, []any{"phone"}, sim[0].(map[string]any)["reasons"], typed)
		require.Equal(t, "+14155552671", sim[0].(map[string]any)["phone"])
	}
	require.Empty(t, similar(url.Values{"phone": {"+1 415 555 2672"}}), "another number")
	require.Empty(t, similar(url.Values{"phone": {"555"}}), "an invalid number is ignored while typing")
	require.Empty(t, similar(url.Values{"phone": {"(415) 555-2671"}, "exclude": {ada["id"].(string)}}), "the contact being edited")
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ct := c.mustCreate(t, map[string]string{"name": "Grace", "email": "grace@example.com", "phone": "650.253.0000"})
	path := c.base + "/contacts/" + ct["id"].(string)

	c.owner.Header.Set("If-Match", `"1"`)
	resp := c.owner.Do("PATCH", path, map[string]any{"name": "Grace Hopper", "phone": nil})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "Grace Hopper", resp.Map(t)["name"])
	require.Nil(t, resp.Map(t)["phone"])
	require.Equal(t, "grace@example.com", resp.Map(t)["email"], "absent fields keep their value")
	require.Equal(t, `"2"`, resp.Header.Get("ETag"))

	resp = c.owner.Do("PATCH", path, map[string]any{"name": "Stale write"})
	require.Equal(t, http.StatusPreconditionFailed, resp.Status)
	c.owner.Header.Del("If-Match")

	resp = c.owner.Do("PATCH", path, map[string]any{"email": nil})
	require.Equal(t, http.StatusBadRequest, resp.Status, "an email or a phone must remain")
	// Every contact is in a stage: null does not clear it (and is named beside other faults).
	resp = c.owner.Do("PATCH", path, map[string]any{"stage_id": nil})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, fields(t, resp), "stage_id")
	resp = c.owner.Do("PATCH", path, map[string]any{"stage_id": nil, "phone": "12"})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, fields(t, resp), "stage_id")
	require.Contains(t, fields(t, resp), "phone")
	require.Equal(t, "Lead", c.owner.Do("GET", path, nil).Map(t)["stage"].(map[string]any)["name"], "the stage stays")
	primary := c.owner.UserID.String()
	resp = c.owner.Do("PATCH", path, map[string]any{"primary_owner_id": primary})
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, "Test Owner", resp.Map(t)["primary_owner"].(map[string]any)["name"])

	got := c.owner.Do("GET", path, nil).Map(t)
	require.Equal(t, "Grace Hopper", got["name"])
	require.EqualValues(t, 3, got["version"])
	require.Equal(t, 2, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'contacts' AND action = 'update' AND before IS NOT NULL AND after IS NOT NULL`))

	require.Equal(t, http.StatusNoContent, c.owner.Do("DELETE", path, nil).Status)
	require.Equal(t, http.StatusNotFound, c.owner.Do("GET", path, nil).Status)
}

func TestListSearchAndFilters(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ada := c.mustCreate(t, map[string]any{"name": "Ada Lovelace", "email": "ada@analytical.org", "phone": "415 555 2671", "primary_owner_id": c.owner.UserID})
	c.mustCreate(t, map[string]any{"name": "Grace Hopper", "email": "grace@navy.mil"})
	c.mustCreate(t, map[string]any{"name": "Alan Turing", "email": "alan@bletchley.uk", "phone": "+44 20 7946 0958"})
	c.mustCreate(t, map[string]any{"name": "100% real_name", "email": "percent@example.com"})
	names := func(query string) []string {
		t.Helper()
		resp := c.owner.Do("GET", c.base+"/contacts?"+query, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", query, resp.Body)
		var out []string
		for _, it := range resp.Map(t)["items"].([]any) {
			out = append(out, it.(map[string]any)["name"].(string))
		}
		return out
	}
	require.Equal(t, []string{"100% real_name", "Alan Turing", "Grace Hopper", "Ada Lovelace"}, names(""), "newest first")
	require.Equal(t, []string{"Ada Lovelace"}, names("q=analytical"), "a fragment of the email")
	require.Equal(t, []string{"Grace Hopper"}, names("q=HOPP"), "case-insensitive name")
	require.Equal(t, []string{"Ada Lovelace"}, names("q="+url.QueryEscape("(415) 555")), "a phone fragment, formatted")
	require.Equal(t, []string{"Alan Turing"}, names("q=7946"))
	require.Equal(t, []string{"100% real_name"}, names("q="+url.QueryEscape("0% r")), "% is a character, not a wildcard")
	require.Empty(t, names("q="+url.QueryEscape("_")+"zz"))
	require.Equal(t, []string{"Ada Lovelace"}, names("owner_id="+c.owner.UserID.String()))
	require.Len(t, names("source=manual"), 4)
	require.Empty(t, names("source=chat"))
	lead := c.stages(t)[0]["id"].(string)
	require.Len(t, names("stage_id="+lead), 4)

	require.Equal(t, http.StatusOK, c.owner.Do("POST", c.base+"/contacts/"+ada["id"].(string)+"/archive", nil).Status)
	require.Equal(t, []string{"Ada Lovelace"}, names("status=archived"))
	require.NotContains(t, names(""), "Ada Lovelace")

	var seen []string
	for q := "limit=2"; ; {
		page := c.owner.Do("GET", c.base+"/contacts?"+q, nil).Map(t)
		for _, it := range page["items"].([]any) {
			seen = append(seen, it.(map[string]any)["name"].(string))
		}
		next, ok := page["next_cursor"].(string)
		if !ok {
			break
		}
		q = "limit=2&cursor=" + next
	}
	require.Equal(t, []string{"100% real_name", "Alan Turing", "Grace Hopper"}, seen)
	for _, bad := range []string{"status=deleted", "source=fax", "stage_id=x", "owner_id=x", "limit=500"} {
		require.Equal(t, http.StatusBadRequest, c.owner.Do("GET", c.base+"/contacts?"+bad, nil).Status, bad)
	}
}

func TestStages(t *testing.T) {
	t.Parallel()
	c := setup(t)
	st := c.stages(t)
	require.Len(t, st, 4)
	require.Equal(t, "Lead", st[0]["name"])
	require.Equal(t, "Old Customer", st[3]["name"])

	resp := c.owner.Do("POST", c.base+"/stages", map[string]string{"name": "Churned"})
	require.Equal(t, http.StatusCreated, resp.Status)
	churned := resp.Map(t)["id"].(string)
	require.Equal(t, http.StatusConflict, c.owner.Do("POST", c.base+"/stages", map[string]string{"name": "churned"}).Status)
	require.Equal(t, http.StatusBadRequest, c.owner.Do("POST", c.base+"/stages", map[string]string{"name": " "}).Status)
	require.Equal(t, http.StatusOK, c.owner.Do("PATCH", c.base+"/stages/"+churned, map[string]string{"name": "Lost"}).Status)

	// Reorder: Lost first.
	ids := []string{churned}
	for _, s := range st {
		ids = append(ids, s["id"].(string))
	}
	resp = c.owner.Do("PUT", c.base+"/stages", map[string]any{"stage_ids": ids})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "Lost", c.stages(t)[0]["name"])
	require.Equal(t, http.StatusBadRequest, c.owner.Do("PUT", c.base+"/stages", map[string]any{"stage_ids": ids[1:]}).Status)
	require.Equal(t, http.StatusBadRequest, c.owner.Do("PUT", c.base+"/stages", map[string]any{"stage_ids": append(ids[1:], ids[1])}).Status)

	// Remove a stage with contacts: they move where the admin says.
	ct := c.mustCreate(t, map[string]any{"email": "mover@example.com", "stage_id": churned})
	require.Equal(t, http.StatusBadRequest, c.owner.Do("DELETE", c.base+"/stages/"+churned, nil).Status, "move_to is required")
	require.Equal(t, http.StatusBadRequest, c.owner.Do("DELETE", c.base+"/stages/"+churned+"?move_to="+churned, nil).Status)
	require.Equal(t, http.StatusNoContent, c.owner.Do("DELETE", c.base+"/stages/"+churned+"?move_to="+st[2]["id"].(string), nil).Status)
	require.Equal(t, "Customer", c.owner.Do("GET", c.base+"/contacts/"+ct["id"].(string), nil).Map(t)["stage"].(map[string]any)["name"])
	require.Len(t, c.stages(t), 4)
	// Each moved contact's timeline says it moved, as a move on the board would.
	timeline := c.owner.Do("GET", c.base+"/contacts/"+ct["id"].(string)+"/timeline", nil).Map(t)["items"].([]any)
	moved := timeline[0].(map[string]any)
	require.Equal(t, "contacts update", moved["resource"].(string)+" "+moved["action"].(string))
	require.Equal(t, "Lost", moved["before"].(map[string]any)["stage"].(map[string]any)["name"])
	require.Equal(t, "Customer", moved["after"].(map[string]any)["stage"].(map[string]any)["name"])
	require.Equal(t, st[2]["id"], moved["after"].(map[string]any)["stage"].(map[string]any)["id"])
	require.Equal(t, c.owner.UserID.String(), moved["actor"].(map[string]any)["id"])
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'contacts' AND action = 'update' AND before->'stage'->>'name' = 'Lost'`),
		"one entry per moved contact, none for the others")

	// A user with the agent moves contacts between stages but does not shape the pipeline.
	user := c.env.AddMember(t, c.owner, "user")
	require.Equal(t, http.StatusOK, c.owner.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []string{c.agent}}).Status)
	require.Equal(t, http.StatusForbidden, user.Do("POST", c.base+"/stages", map[string]string{"name": "Mine"}).Status)
	resp = user.Do("PUT", c.base+"/contacts/"+ct["id"].(string)+"/stage", map[string]string{"stage_id": st[0]["id"].(string)})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "Lead", resp.Map(t)["stage"].(map[string]any)["name"])
	require.Equal(t, http.StatusForbidden, user.Do("PATCH", c.base+"/contacts/"+ct["id"].(string), map[string]string{"name": "x"}).Status)
	require.Equal(t, http.StatusBadRequest, user.Do("PUT", c.base+"/contacts/"+ct["id"].(string)+"/stage", map[string]string{"stage_id": c.agent}).Status)
}

func TestNotes(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ct := c.mustCreate(t, map[string]string{"email": "noted@example.com"})
	notes := c.base + "/contacts/" + ct["id"].(string) + "/notes"

	resp := c.owner.Do("POST", notes, map[string]string{"body_html": `<p>Called <strong>today</strong>, <em>keen</em>.</p><ul><li>budget</li></ul>` +
		`<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">bad</a><a href="https://example.com" onclick="x()">site</a>`})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	body := resp.Map(t)["body_html"].(string)
	require.Contains(t, body, "<strong>today</strong>")
	require.Contains(t, body, "<li>budget</li>")
	require.Contains(t, body, `href="https://example.com"`)
	for _, evil := range []string{"<script", "alert(1)", "onerror", "javascript:", "onclick"} {
		require.NotContains(t, body, evil)
	}
	require.Equal(t, "Test Owner", resp.Map(t)["author_name"])
	ownerNote := resp.Map(t)["id"].(string)

	resp = c.owner.Do("POST", notes, map[string]string{"body_html": `<script>only this</script>`})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "body_html")

	// A user writes notes and changes their own, not others'; an admin changes any.
	user := c.env.AddMember(t, c.owner, "user")
	require.Equal(t, http.StatusOK, c.owner.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []string{c.agent}}).Status)
	resp = user.Do("POST", notes, map[string]string{"body_html": "<p>mine</p>"})
	require.Equal(t, http.StatusCreated, resp.Status)
	userNote := resp.Map(t)["id"].(string)
	resp = user.Do("PATCH", notes+"/"+userNote, map[string]string{"body_html": "<p>mine, edited</p>"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "Test user", resp.Map(t)["author_name"], "an edit answers with the author's name")
	require.Equal(t, http.StatusForbidden, user.Do("PATCH", notes+"/"+ownerNote, map[string]string{"body_html": "<p>hijack</p>"}).Status)
	require.Equal(t, http.StatusForbidden, user.Do("DELETE", notes+"/"+ownerNote, nil).Status)
	admin := c.env.AddMember(t, c.owner, "admin")
	resp = admin.Do("PATCH", notes+"/"+userNote, map[string]string{"body_html": "<p>tidied by admin</p>"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "Test user", resp.Map(t)["author_name"], "the author stays the author when an admin edits")
	require.Equal(t, user.UserID.String(), resp.Map(t)["author_id"])
	require.Equal(t, http.StatusNoContent, admin.Do("DELETE", notes+"/"+ownerNote, nil).Status)

	list := c.owner.Do("GET", notes, nil).Map(t)["items"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, "<p>tidied by admin</p>", list[0].(map[string]any)["body_html"])

	// The contact's timeline holds its creation and every note change, newest first.
	timeline := c.owner.Do("GET", c.base+"/contacts/"+ct["id"].(string)+"/timeline", nil).Map(t)["items"].([]any)
	var seen []string
	for _, e := range timeline {
		e := e.(map[string]any)
		seen = append(seen, e["resource"].(string)+" "+e["action"].(string))
	}
	require.Equal(t, []string{"contact_notes delete", "contact_notes update", "contact_notes update", "contact_notes create",
		"contact_notes create", "contacts create"}, seen)
}

// Ids of another agent, another workspace, or an agent not granted answer 404.
func TestOtherAgentsAndWorkspacesAreNotFound(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ct := c.mustCreate(t, map[string]string{"email": "private@example.com"})
	id := ct["id"].(string)
	other := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Other"}).Map(t)["id"].(string)
	for _, path := range []string{"", "/notes"} {
		require.Equal(t, http.StatusNotFound, c.owner.Do("GET", "/api/v1/agents/"+other+"/contacts/"+id+path, nil).Status, "another agent: "+path)
	}
	stranger := c.env.SignUp(t)
	require.Equal(t, http.StatusNotFound, stranger.Do("GET", c.base+"/contacts/"+id, nil).Status)
	require.Equal(t, http.StatusNotFound, stranger.Do("GET", c.base+"/contacts", nil).Status)
	require.Equal(t, http.StatusNotFound, stranger.Do("PATCH", c.base+"/contacts/"+id, map[string]string{"name": "x"}).Status)
	require.Equal(t, http.StatusNotFound, stranger.Do("POST", c.base+"/contacts", map[string]string{"email": "planted@example.com"}).Status)
	user := c.env.AddMember(t, c.owner, "user")
	require.Equal(t, http.StatusNotFound, user.Do("GET", c.base+"/contacts/"+id, nil).Status, "an agent not granted")
	require.Equal(t, "private@example.com", c.owner.Do("GET", c.base+"/contacts/"+id, nil).Map(t)["email"])
}

// Every id-taking endpoint of the CRM answers 404 for another agent's ids (same workspace), for
// another workspace's ids, and for another workspace's agent, and changes nothing.
func TestForeignIDsAreNotFoundEverywhere(t *testing.T) {
	t.Parallel()
	c := setup(t)
	// The foreign things: agent B of the same workspace holds them.
	resp := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Agent B"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	b := crm{env: c.env, owner: c.owner, agent: resp.Map(t)["id"].(string)}
	b.base = "/api/v1/agents/" + b.agent
	bContact := b.mustCreate(t, map[string]string{"name": "Bea Foreign", "email": "bea@foreign.test", "phone": "+1 415 555 2671"})["id"].(string)
	resp = c.owner.Do("POST", b.base+"/contacts/"+bContact+"/notes", map[string]string{"body_html": "<p>foreign note</p>"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	bNote := resp.Map(t)["id"].(string)
	bStage := b.stages(t)[0]["id"].(string)
	resp = c.owner.Do("POST", b.base+"/views", map[string]any{"name": "B's view", "shared": true})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	bView := resp.Map(t)["id"].(string)
	resp = c.owner.Do("POST", b.base+"/fields", map[string]any{"label": "Tier", "type": "text"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	bField := resp.Map(t)["id"].(string)
	resp = c.owner.Do("POST", b.base+"/fields", map[string]any{"label": "Retired", "type": "text"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	bArchivedField := resp.Map(t)["id"].(string)
	require.Equal(t, http.StatusOK, c.owner.Do("POST", b.base+"/fields/"+bArchivedField+"/archive", nil).Status)
	bArchived := b.mustCreate(t, map[string]string{"name": "Archie Foreign", "email": "archie@foreign.test"})["id"].(string)
	require.Equal(t, http.StatusOK, c.owner.Do("POST", b.base+"/contacts/"+bArchived+"/archive", nil).Status)
	upload := *c.owner.Client
	upload.Header = http.Header{"Content-Type": {"multipart/form-data; boundary=b"}}
	resp = upload.Do("POST", b.base+"/contacts/"+bContact+"/files", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"foreign.txt\"\r\n\r\nforeign\r\n--b--\r\n")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	bFile := resp.Map(t)["id"].(string)

	// A caller: who asks, through which agent's path, with which contact and stages of its own.
	type caller struct {
		name    string
		as      *apptest.Member
		base    string
		contact string
		stages  []string
	}
	ownOf := func(x crm, as *apptest.Member) caller {
		ct := x.create(t, as, map[string]string{"email": "own-" + uuid.NewString() + "@example.com"})
		require.Equal(t, http.StatusCreated, ct.Status, "%s", ct.Body)
		var stages []string
		for _, s := range as.Do("GET", x.base+"/stages", nil).Map(t)["items"].([]any) {
			stages = append(stages, s.(map[string]any)["id"].(string))
		}
		return caller{as: as, base: x.base, contact: ct.Map(t)["id"].(string), stages: stages}
	}
	anotherAgent := ownOf(c, c.owner)
	anotherAgent.name = "another agent's ids"
	stranger := crm{env: c.env, owner: c.env.SignUp(t)}
	stranger.agent = stranger.owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	stranger.base = "/api/v1/agents/" + stranger.agent
	anotherWorkspace := ownOf(stranger, stranger.owner)
	anotherWorkspace.name = "another workspace's ids"
	// The stranger through B's own path: another workspace's agent id.
	anotherWorkspacesAgent := caller{name: "another workspace's agent", as: stranger.owner, base: b.base, contact: bContact, stages: []string{bStage}}

	type request struct {
		name, method, path string
		body               any
	}
	requests := func(w caller) []request {
		otherStages := append(slices.Clone(w.stages[1:]), bStage) // one of theirs swapped for B's
		if w.base == b.base {
			otherStages = []string{bStage}
		}
		return []request{
			{"stage rename", "PATCH", "/stages/" + bStage, map[string]string{"name": "Renamed"}},
			{"stage delete", "DELETE", "/stages/" + bStage + "?move_to=" + w.stages[0], nil},
			{"stage reorder", "PUT", "/stages", map[string]any{"stage_ids": otherStages}},
			{"view update", "PATCH", "/views/" + bView, map[string]string{"name": "Hijacked"}},
			{"view delete", "DELETE", "/views/" + bView, nil},
			{"note edit", "PATCH", "/contacts/" + bContact + "/notes/" + bNote, map[string]string{"body_html": "<p>x</p>"}},
			{"note delete", "DELETE", "/contacts/" + bContact + "/notes/" + bNote, nil},
			{"note edit through an own contact", "PATCH", "/contacts/" + w.contact + "/notes/" + bNote, map[string]string{"body_html": "<p>x</p>"}},
			{"note delete through an own contact", "DELETE", "/contacts/" + w.contact + "/notes/" + bNote, nil},
			{"notes", "GET", "/contacts/" + bContact + "/notes", nil},
			{"note add", "POST", "/contacts/" + bContact + "/notes", map[string]string{"body_html": "<p>planted</p>"}},
			{"contact", "GET", "/contacts/" + bContact, nil},
			{"contact update", "PATCH", "/contacts/" + bContact, map[string]string{"name": "x"}},
			{"contact archive", "POST", "/contacts/" + bContact + "/archive", nil},
			{"contact restore", "POST", "/contacts/" + bArchived + "/restore", nil},
			{"contact delete", "DELETE", "/contacts/" + bContact, nil},
			{"contact delete, archived", "DELETE", "/contacts/" + bArchived, nil},
			{"conversations", "GET", "/contacts/" + bContact + "/conversations", nil},
			{"sources", "GET", "/contacts/" + bContact + "/sources", nil},
			{"files", "GET", "/contacts/" + bContact + "/files", nil},
			{"file download", "GET", "/contacts/" + bContact + "/files/" + bFile + "/download", nil},
			{"file delete", "DELETE", "/contacts/" + bContact + "/files/" + bFile, nil},
			{"file delete through an own contact", "DELETE", "/contacts/" + w.contact + "/files/" + bFile, nil},
			{"contact stage", "PUT", "/contacts/" + bContact + "/stage", map[string]string{"stage_id": w.stages[0]}},
			{"timeline", "GET", "/contacts/" + bContact + "/timeline", nil},
			{"merge, foreign merged", "POST", "/contacts/merge", map[string]any{"survivor_id": w.contact, "merged_id": bContact}},
			{"merge, foreign survivor", "POST", "/contacts/merge", map[string]any{"survivor_id": bContact, "merged_id": w.contact}},
			{"bulk archive", "POST", "/contacts/bulk", map[string]any{"contact_ids": []string{w.contact, bContact}, "action": "archive"}},
			{"bulk stage", "POST", "/contacts/bulk", map[string]any{"contact_ids": []string{bContact}, "action": "stage", "stage_id": w.stages[0]}},
			{"bulk delete", "POST", "/contacts/bulk", map[string]any{"contact_ids": []string{bContact}, "action": "delete"}},
			{"export", "GET", "/contacts/" + bContact + "/export", nil},
			{"erase", "POST", "/contacts/" + bContact + "/erase", nil},
			{"field", "GET", "/fields/" + bField, nil},
			{"field update", "PATCH", "/fields/" + bField, map[string]string{"label": "Hijacked"}},
			{"field archive", "POST", "/fields/" + bField + "/archive", nil},
			{"field restore", "POST", "/fields/" + bArchivedField + "/restore", nil},
			{"field delete", "DELETE", "/fields/" + bField + "?confirm=tier", nil},
		}
	}
	for _, w := range []caller{anotherAgent, anotherWorkspace, anotherWorkspacesAgent} {
		for _, r := range requests(w) {
			resp := w.as.Do(r.method, w.base+r.path, r.body)
			require.Equal(t, http.StatusNotFound, resp.Status, "%s, %s: %s", w.name, r.name, resp.Body)
		}
		// The duplicate warning never names B's contact, however alike the details.
		resp := w.as.Do("GET", w.base+"/contacts/similar?"+url.Values{"name": {"Bea Foreign"}, "email": {"bea@foreign.test"}, "phone": {"+14155552671"}}.Encode(), nil)
		if w.base == b.base {
			require.Equal(t, http.StatusNotFound, resp.Status, "%s: %s", w.name, resp.Body)
		} else {
			require.Equal(t, http.StatusOK, resp.Status, "%s: %s", w.name, resp.Body)
			require.Empty(t, resp.Map(t)["items"], w.name)
		}
	}

	// Nothing of B's changed.
	got := c.owner.Do("GET", b.base+"/contacts/"+bContact, nil).Map(t)
	require.Equal(t, "Bea Foreign", got["name"])
	require.Equal(t, "active", got["status"])
	require.Equal(t, bStage, got["stage"].(map[string]any)["id"])
	notes := c.owner.Do("GET", b.base+"/contacts/"+bContact+"/notes", nil).Map(t)["items"].([]any)
	require.Len(t, notes, 1, "no note planted")
	require.Equal(t, "<p>foreign note</p>", notes[0].(map[string]any)["body_html"])
	require.Equal(t, "archived", c.owner.Do("GET", b.base+"/contacts/"+bArchived, nil).Map(t)["status"])
	require.Equal(t, "Lead", b.stages(t)[0]["name"])
	require.Equal(t, "B's view", c.owner.Do("GET", b.base+"/views", nil).Map(t)["items"].([]any)[0].(map[string]any)["name"])
	field := c.owner.Do("GET", b.base+"/fields/"+bField, nil).Map(t)
	require.Equal(t, "Tier", field["label"])
	require.Nil(t, field["archived_at"])
	require.NotNil(t, c.owner.Do("GET", b.base+"/fields/"+bArchivedField, nil).Map(t)["archived_at"])
	files := c.owner.Do("GET", b.base+"/contacts/"+bContact+"/files", nil).Map(t)["items"].([]any)
	require.Len(t, files, 1)
	require.Equal(t, bFile, files[0].(map[string]any)["id"])
	require.Equal(t, 2, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contacts WHERE agent_id = $1`, b.agent))
}

// Removing a member reports the contacts they owned, which keep their other owner.
func TestRemovingAnOwnerReportsTheirContacts(t *testing.T) {
	t.Parallel()
	c := setup(t)
	admin := c.env.AddMember(t, c.owner, "admin")
	ct := c.mustCreate(t, map[string]any{"email": "owned@example.com", "primary_owner_id": admin.UserID, "secondary_owner_id": c.owner.UserID})
	resp := c.owner.Do("DELETE", "/api/v1/members/"+admin.UserID.String(), nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.EqualValues(t, 1, resp.Map(t)["open_assignments"])
	got := c.owner.Do("GET", c.base+"/contacts/"+ct["id"].(string), nil).Map(t)
	require.Nil(t, got["primary_owner"])
	require.Equal(t, c.owner.UserID.String(), got["secondary_owner"].(map[string]any)["id"])
}

// Search reads the newest 5,000 contacts first and goes to the trigram index for the rest: a
// match anywhere is found, once, in order, across pages.
func TestSearchBeyondTheRecentWindow(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		// 6,000 contacts; every 100th is "common", every 200th also "sparse"; the oldest id is the
		// only "needle".
		_, err := tx.Exec(context.Background(), `
			INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, source, search_text)
			SELECT $1, $2, CASE WHEN i = 0 THEN '00000000-0000-7000-8000-000000000001'::uuid ELSE gen_random_uuid() END,
			       n, e, e, 'import', lower(n) || ' ' || e
			FROM generate_series(0, 5999) AS i,
			     LATERAL (SELECT 'person ' || i || CASE WHEN i % 100 = 0 THEN ' common' ELSE '' END
			                                      || CASE WHEN i % 200 = 0 THEN ' sparse' ELSE '' END
			                                      || CASE WHEN i = 0 THEN ' needle' ELSE '' END AS n,
			                     'p' || i || '@example.com' AS e) AS v`, c.owner.WorkspaceID, c.agent)
		return err
	})
	search := func(q string) (ids []string) {
		t.Helper()
		for query := "limit=50&q=" + q; ; {
			page := c.owner.Do("GET", c.base+"/contacts?"+query, nil).Map(t)
			for _, it := range page["items"].([]any) {
				ids = append(ids, it.(map[string]any)["id"].(string))
			}
			next, ok := page["next_cursor"].(string)
			if !ok {
				return ids
			}
			query = "limit=50&q=" + q + "&cursor=" + next
		}
	}
	require.Equal(t, []string{"00000000-0000-7000-8000-000000000001"}, search("needle"))
	for q, want := range map[string]int{"common": 60, "sparse": 30, "person": 6000} {
		ids := search(q)
		require.Len(t, ids, want, q)
		require.True(t, slices.IsSortedFunc(ids, func(a, b string) int { return strings.Compare(b, a) }), "%s: newest first", q)
		require.Len(t, slices.Compact(slices.Clone(ids)), want, "%s: no contact twice", q)
	}
}

// Custom field values are validated by type on create and update, required ones enforced,
// unique ones kept unique among active contacts.
func TestCustomValues(t *testing.T) {
	t.Parallel()
	c := setup(t)
	field := func(body map[string]any) {
		t.Helper()
		resp := c.owner.Do("POST", c.base+"/fields", body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	}
	field(map[string]any{"label": "Budget", "type": "number"})
	field(map[string]any{"label": "Member number", "type": "text", "unique": true})
	field(map[string]any{"label": "Renewal", "type": "date", "required": true})

	resp := c.create(t, c.owner, map[string]any{"email": "a@example.com", "custom": map[string]any{"budget": "lots"}})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "custom.budget")
	require.Contains(t, fields(t, resp), "custom.renewal", "required on create")

	ct := c.mustCreate(t, map[string]any{"email": "a@example.com", "custom": map[string]any{"budget": 1200.5, "member_number": "M-1", "renewal": "2027-01-31"}})
	require.Equal(t, map[string]any{"budget": 1200.5, "member_number": "M-1", "renewal": "2027-01-31"}, ct["custom"])

	resp = c.create(t, c.owner, map[string]any{"email": "b@example.com", "custom": map[string]any{"member_number": "M-1", "renewal": "2027-02-01"}})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, fields(t, resp), "custom.member_number")

	path := c.base + "/contacts/" + ct["id"].(string)
	resp = c.owner.Do("PATCH", path, map[string]any{"custom": map[string]any{"budget": nil}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, map[string]any{"member_number": "M-1", "renewal": "2027-01-31"}, resp.Map(t)["custom"], "null clears; other keys keep their value")
	resp = c.owner.Do("PATCH", path, map[string]any{"custom": map[string]any{"renewal": nil}})
	require.Equal(t, http.StatusBadRequest, resp.Status, "a required value cannot be cleared")
	resp = c.owner.Do("PATCH", path, map[string]any{"custom": map[string]any{"nope": 1}})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "custom.nope")
}

func TestBulk(t *testing.T) {
	t.Parallel()
	c := setup(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, c.mustCreate(t, map[string]string{"email": fmt.Sprintf("bulk%d@example.com", i)})["id"].(string))
	}
	bulk := func(body map[string]any) apptest.Response { return c.owner.Do("POST", c.base+"/contacts/bulk", body) }

	resp := bulk(map[string]any{"contact_ids": ids[:2], "action": "assign", "primary_owner_id": c.owner.UserID})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.EqualValues(t, 2, resp.Map(t)["done"])
	customer := c.stages(t)[2]["id"].(string)
	require.Equal(t, http.StatusOK, bulk(map[string]any{"contact_ids": ids, "action": "stage", "stage_id": customer}).Status)
	for _, id := range ids {
		require.Equal(t, "Customer", c.owner.Do("GET", c.base+"/contacts/"+id, nil).Map(t)["stage"].(map[string]any)["name"])
	}

	// All or nothing: one unknown contact refuses the whole request, naming it.
	unknown := uuid.NewString()
	resp = bulk(map[string]any{"contact_ids": append([]string{ids[0]}, unknown), "action": "archive"})
	require.Equal(t, http.StatusNotFound, resp.Status)
	require.Contains(t, resp.Map(t)["error"].(map[string]any)["message"], unknown)
	require.Equal(t, "active", c.owner.Do("GET", c.base+"/contacts/"+ids[0], nil).Map(t)["status"])

	require.Equal(t, http.StatusOK, bulk(map[string]any{"contact_ids": ids[:2], "action": "archive"}).Status)
	require.Len(t, c.owner.Do("GET", c.base+"/contacts?status=archived", nil).Map(t)["items"], 2)
	require.Equal(t, http.StatusOK, bulk(map[string]any{"contact_ids": ids[:1], "action": "restore"}).Status)
	require.Equal(t, http.StatusOK, bulk(map[string]any{"contact_ids": ids[1:], "action": "delete"}).Status)
	require.Len(t, c.owner.Do("GET", c.base+"/contacts", nil).Map(t)["items"], 1)

	for _, bad := range []map[string]any{
		{"contact_ids": []string{}, "action": "archive"},
		{"contact_ids": ids[:1], "action": "explode"},
		{"contact_ids": ids[:1], "action": "stage"},
	} {
		require.Equal(t, http.StatusBadRequest, bulk(bad).Status, "%v", bad)
	}
	user := c.env.AddMember(t, c.owner, "user")
	require.Equal(t, http.StatusOK, c.owner.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []string{c.agent}}).Status)
	require.Equal(t, http.StatusForbidden, user.Do("POST", c.base+"/contacts/bulk", map[string]any{"contact_ids": ids[:1], "action": "archive"}).Status)
}

func TestMerge(t *testing.T) {
	t.Parallel()
	c := setup(t)
	survivor := c.mustCreate(t, map[string]string{"name": "Ada", "email": "ada@example.com"})
	merged := c.mustCreate(t, map[string]string{"name": "Ada Lovelace", "email": "countess@example.com", "phone": "415-555-2671"})
	sid, mid := survivor["id"].(string), merged["id"].(string)
	require.Equal(t, http.StatusCreated, c.owner.Do("POST", c.base+"/contacts/"+mid+"/notes", map[string]string{"body_html": "<p>from the duplicate</p>"}).Status)
	file := c.addFile(t, mid, "contract.pdf")

	resp := c.owner.Do("POST", c.base+"/contacts/merge", map[string]any{"survivor_id": sid, "merged_id": mid, "take": []string{"name", "phone"}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	got := resp.Map(t)
	require.Equal(t, "Ada Lovelace", got["name"])
	require.Equal(t, "+14155552671", got["phone"])
	require.Equal(t, "ada@example.com", got["email"], "not taken: the survivor's value stays")
	require.Equal(t, http.StatusNotFound, c.owner.Do("GET", c.base+"/contacts/"+mid, nil).Status)
	notes := c.owner.Do("GET", c.base+"/contacts/"+sid+"/notes", nil).Map(t)["items"].([]any)
	require.Len(t, notes, 1, "notes move to the survivor")
	files := c.owner.Do("GET", c.base+"/contacts/"+sid+"/files", nil).Map(t)["items"].([]any)
	require.Len(t, files, 1, "files move to the survivor")
	require.Equal(t, file.String(), files[0].(map[string]any)["id"])
	require.Equal(t, "contract.pdf", files[0].(map[string]any)["name"])
	// The merged contact's email is free again.
	c.mustCreate(t, map[string]string{"email": "countess@example.com"})
	timeline := c.owner.Do("GET", c.base+"/contacts/"+sid+"/timeline", nil).Map(t)["items"].([]any)
	require.Equal(t, "merged_into", timeline[0].(map[string]any)["action"])

	for _, bad := range []map[string]any{
		{"survivor_id": sid, "merged_id": sid},
		{"survivor_id": sid, "merged_id": uuid.NewString()},
		{"survivor_id": sid, "merged_id": c.mustCreate(t, map[string]string{"email": "x@example.com"})["id"], "take": []string{"shoe_size"}},
	} {
		resp := c.owner.Do("POST", c.base+"/contacts/merge", bad)
		require.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, resp.Status, "%v: %s", bad, resp.Body)
	}
	require.Len(t, c.owner.Do("GET", c.base+"/contacts", nil).Map(t)["items"], 3, "refused merges delete nothing")
}

// Export gives everything about a person; erase removes them and every value recorded about
// them, leaving one entry that says an erase happened.
func TestExportAndErase(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ct := c.mustCreate(t, map[string]string{"name": "Grace Hopper", "email": "grace@navy.mil"})
	id := ct["id"].(string)
	require.Equal(t, http.StatusCreated, c.owner.Do("POST", c.base+"/contacts/"+id+"/notes", map[string]string{"body_html": "<p>COBOL</p>"}).Status)
	require.Equal(t, http.StatusOK, c.owner.Do("PATCH", c.base+"/contacts/"+id, map[string]string{"name": "Rear Admiral Hopper"}).Status)

	resp := c.owner.Do("GET", c.base+"/contacts/"+id+"/export", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "application/zip", resp.Header.Get("Content-Type"))
	zr, err := zip.NewReader(bytes.NewReader(resp.Body), int64(len(resp.Body)))
	require.NoError(t, err)
	require.Equal(t, "contact.json", zr.File[0].Name)
	f, err := zr.File[0].Open()
	require.NoError(t, err)
	var rec map[string]any
	require.NoError(t, json.NewDecoder(f).Decode(&rec))
	require.Equal(t, "grace@navy.mil", rec["contact"].(map[string]any)["email"])
	require.Len(t, rec["notes"], 1)
	require.Len(t, rec["history"], 3) // created, note, renamed

	require.Equal(t, http.StatusNoContent, c.owner.Do("POST", c.base+"/contacts/"+id+"/erase", nil).Status)
	require.Equal(t, http.StatusNotFound, c.owner.Do("GET", c.base+"/contacts/"+id, nil).Status)
	// Nothing personal is left in the audit log: no entry about the contact keeps its values.
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE subject_id = $1 AND (before IS NOT NULL OR after IS NOT NULL)`, id))
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE before::text LIKE '%navy.mil%' OR after::text LIKE '%navy.mil%'`))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE action = 'erase' AND resource_id = $1`, id))
	require.Equal(t, http.StatusNotFound, c.owner.Do("POST", c.base+"/contacts/"+id+"/erase", nil).Status)
}

func TestSavedViews(t *testing.T) {
	t.Parallel()
	c := setup(t)
	user := c.env.AddMember(t, c.owner, "user")
	require.Equal(t, http.StatusOK, c.owner.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []string{c.agent}}).Status)
	views := c.base + "/views"

	resp := c.owner.Do("POST", views, map[string]any{"name": "Team leads", "shared": true, "query": map[string]any{"q": "gmail", "status": "active", "columns": []string{"name", "email"}}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	shared := resp.Map(t)
	require.Equal(t, true, shared["shared"])
	require.Nil(t, shared["owner_id"])
	require.Equal(t, "gmail", shared["query"].(map[string]any)["q"])

	resp = user.Do("POST", views, map[string]any{"name": "Mine", "query": map[string]any{"status": "archived"}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	mine := resp.Map(t)["id"].(string)
	require.Equal(t, http.StatusForbidden, user.Do("POST", views, map[string]any{"name": "Everyone's", "shared": true}).Status, "users do not share views")
	require.Equal(t, http.StatusForbidden, user.Do("PATCH", views+"/"+shared["id"].(string), map[string]any{"name": "Hijacked"}).Status)
	require.Equal(t, http.StatusConflict, user.Do("POST", views, map[string]any{"name": "mine"}).Status, "names are unique per owner")
	require.Equal(t, http.StatusCreated, c.owner.Do("POST", views, map[string]any{"name": "Mine"}).Status, "another owner may use the name")

	names := func(m *apptest.Member) (out []string) {
		for _, v := range m.Do("GET", views, nil).Map(t)["items"].([]any) {
			out = append(out, v.(map[string]any)["name"].(string))
		}
		return out
	}
	require.Equal(t, []string{"Team leads", "Mine"}, names(user), "shared first, then their own")
	require.Equal(t, []string{"Team leads", "Mine"}, names(c.owner))
	require.Equal(t, http.StatusNotFound, c.owner.Do("DELETE", views+"/"+mine, nil).Status, "another member's view is not theirs to see")

	resp = user.Do("PATCH", views+"/"+mine, map[string]any{"query": map[string]any{"status": "active", "source": "import"}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "import", resp.Map(t)["query"].(map[string]any)["source"])
	for _, bad := range []map[string]any{{"name": ""}, {"name": "x", "query": map[string]any{"status": "deleted"}}, {"name": "x", "query": map[string]any{"stage": "Lead"}}} {
		require.Equal(t, http.StatusBadRequest, user.Do("POST", views, bad).Status, "%v", bad)
	}
	require.Equal(t, http.StatusNoContent, user.Do("DELETE", views+"/"+mine, nil).Status)
	require.Equal(t, []string{"Team leads"}, names(user))
}

func TestDefaultCountryReadsPhones(t *testing.T) {
	t.Parallel()
	c := setup(t)
	resp := c.owner.Do("PATCH", "/api/v1/workspace", map[string]string{"default_country": "ZZ"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "default_country")
	resp = c.owner.Do("PATCH", "/api/v1/workspace", map[string]string{"default_country": "gb"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "GB", resp.Map(t)["default_country"])
	require.Contains(t, resp.Map(t)["name"], "Workspace of", "the name is kept")
	require.Equal(t, "+442079460958", c.mustCreate(t, map[string]string{"phone": "020 7946 0958"})["phone"])
}
