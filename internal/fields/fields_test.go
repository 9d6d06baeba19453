package fields_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// crm is a workspace with an agent, seen through its owner.
type crm struct {
	env   *apptest.Env
	owner *apptest.Member
	agent string
	base  string // /api/v1/agents/{agent}/fields
}

func setup(t *testing.T) crm {
	t.Helper()
	env := apptest.Start(t)
	o := env.SignUp(t)
	agent := o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	return crm{env: env, owner: o, agent: agent, base: "/api/v1/agents/" + agent + "/fields"}
}

func (c crm) mustCreate(t *testing.T, body any) map[string]any {
	t.Helper()
	resp := c.owner.Do("POST", c.base, body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

func (c crm) list(t *testing.T, query string) []map[string]any {
	t.Helper()
	resp := c.owner.Do("GET", c.base+query, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	out := []map[string]any{}
	for _, f := range resp.Map(t)["items"].([]any) {
		out = append(out, f.(map[string]any))
	}
	return out
}

func keys(fs []map[string]any) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f["key"].(string))
	}
	return out
}

func errFields(t *testing.T, r apptest.Response) map[string]any {
	t.Helper()
	f, _ := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
	return f
}

// contact stores a contact with the given custom values as they are, bypassing validation, so
// the tests can set up any stored state (the contacts API would check required fields).
func (c crm) contact(t *testing.T, email string, custom map[string]any) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), `
			INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, source, search_text)
			VALUES ($1, $2, $3, $4, $4, lower($4), 'manual', lower($4))`, tx.WorkspaceID, c.agent, id, email)
		return err
	})
	c.setCustom(t, id, custom)
	return id
}

func (c crm) setCustom(t *testing.T, id uuid.UUID, custom map[string]any) {
	t.Helper()
	raw, err := json.Marshal(custom)
	require.NoError(t, err)
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE contacts SET custom = $1 WHERE workspace_id = $2 AND id = $3`, raw, tx.WorkspaceID, id)
		return err
	})
}

func (c crm) custom(t *testing.T, id uuid.UUID) (map[string]any, int) {
	t.Helper()
	var raw []byte
	var version int
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT custom, version FROM contacts WHERE workspace_id = $1 AND id = $2`, tx.WorkspaceID, id).Scan(&raw, &version)
	})
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out, version
}

func TestCreateEachType(t *testing.T) {
	t.Parallel()
	c := setup(t)
	cases := []struct {
		body        map[string]any
		key         string
		wantDefault any
	}{
		{map[string]any{"label": "Company", "type": "text", "required": true, "help_text": " Legal name ", "ai_policy": "overwrite", "ai_hint": "the company they work for"}, "company", nil},
		{map[string]any{"label": "Bio", "type": "long_text"}, "bio", nil},
		{map[string]any{"label": "Seats", "type": "number", "default_value": "5"}, "seats", 5.0},
		{map[string]any{"label": "Renewal date", "type": "date", "default_value": "2026-01-01"}, "renewal_date", "2026-01-01"},
		{map[string]any{"label": "Last call", "type": "datetime", "default_value": "2026-01-01T10:00:00+01:00"}, "last_call", "2026-01-01T09:00:00Z"},
		{map[string]any{"label": "Newsletter", "type": "checkbox", "default_value": false}, "newsletter", false},
		{map[string]any{"label": "Plan", "type": "single_select", "options": []map[string]any{{"label": "Free"}, {"label": "Pro"}}, "default_value": "Free"}, "plan", "Free"},
		{map[string]any{"label": "Interests", "type": "multi_select", "options": []map[string]any{{"label": "Go"}, {"label": "SQL"}}, "default_value": []string{"SQL", "Go"}}, "interests", []string{"Go", "SQL"}},
		{map[string]any{"label": "Work email", "type": "email", "unique": true}, "work_email", nil},
		{map[string]any{"label": "Mobile", "type": "phone", "default_value": "(415) 555-2671"}, "mobile", "+14155552671"},
		{map[string]any{"label": "Website", "type": "url", "default_value": "example.com"}, "website", "https://example.com"},
	}
	for i, tc := range cases {
		f := c.mustCreate(t, tc.body)
		require.Equal(t, tc.key, f["key"])
		require.Equal(t, tc.body["type"], f["type"])
		require.EqualValues(t, i+1, f["position"])
		require.Nil(t, f["archived_at"])
		require.EqualValues(t, 1, f["version"])
		want := tc.wantDefault
		// Select defaults are stored as option ids.
		byLabel := map[string]string{}
		for _, o := range f["options"].([]any) {
			byLabel[o.(map[string]any)["label"].(string)] = o.(map[string]any)["id"].(string)
			require.Equal(t, false, o.(map[string]any)["retired"])
		}
		switch w := want.(type) {
		case string:
			if id, ok := byLabel[w]; ok {
				want = id
			}
		case []string:
			ids := []any{}
			for _, l := range w {
				ids = append(ids, byLabel[l])
			}
			if ids[0].(string) > ids[1].(string) {
				ids[0], ids[1] = ids[1], ids[0]
			}
			want = ids
		}
		require.Equal(t, want, f["default_value"], tc.key)
	}
	company := c.list(t, "")[0]
	require.Equal(t, "Legal name", company["help_text"])
	require.Equal(t, true, company["required"])
	require.Equal(t, "overwrite", company["ai_policy"])
	require.Equal(t, "the company they work for", company["ai_hint"])
	require.Equal(t, []any{}, company["options"])
	require.Equal(t, "off", c.list(t, "")[1]["ai_policy"], "the AI is off unless allowed")
	require.Equal(t, []string{"company", "bio", "seats", "renewal_date", "last_call", "newsletter", "plan", "interests", "work_email", "mobile", "website"}, keys(c.list(t, "")))

	resp := c.owner.Do("GET", c.base+"/"+company["id"].(string), nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Equal(t, `"1"`, resp.Header.Get("ETag"))
	require.Equal(t, 11, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'fields' AND action = 'create' AND after IS NOT NULL`))

	// Bad input names the field.
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"label": "X"}`, "type"},
		{`{"label": "X", "type": "color"}`, "type"},
		{`{"label": "", "type": "text"}`, "label"},
		{`{"type": "text"}`, "label"},
		{`{"label": "X", "type": "number", "default_value": "lots"}`, "default_value"},
		{`{"label": "X", "type": "single_select"}`, "options"},
		{`{"label": "X", "type": "single_select", "options": [{"label": "A"}], "default_value": "B"}`, "default_value"},
		{`{"label": "X", "type": "text", "options": [{"label": "A"}]}`, "options"},
		{`{"label": "X", "type": "checkbox", "unique": true}`, "unique"},
		{`{"label": "X", "type": "text", "ai_policy": "always"}`, "ai_policy"},
		{`{"label": "X", "type": "text", "colour": "red"}`, "colour"},
		{`{"label": "X", "type": "single_select", "options": [{"label": "A", "color": "red"}]}`, ""},
	} {
		resp := c.owner.Do("POST", c.base, tc.body)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", tc.body, resp.Body)
		if tc.field != "" {
			require.Contains(t, errFields(t, resp), tc.field, tc.body)
		}
	}
	require.Len(t, c.list(t, "?include_archived=true"), 11, "nothing was written")
}

func TestKeys(t *testing.T) {
	t.Parallel()
	c := setup(t)
	require.Equal(t, "lead_score", c.mustCreate(t, map[string]any{"label": "Lead score", "type": "number"})["key"])
	require.Equal(t, "lead_score_2", c.mustCreate(t, map[string]any{"label": "Lead Score!", "type": "number"})["key"], "derived keys are made unique")
	require.Equal(t, "email_2", c.mustCreate(t, map[string]any{"label": "Email", "type": "email"})["key"], "built-in keys are never derived")
	require.Equal(t, "e_mail", c.mustCreate(t, map[string]any{"label": "E-mail", "type": "email"})["key"])
	require.Equal(t, "status_2", c.mustCreate(t, map[string]any{"label": "Status", "type": "text"})["key"])
	require.Equal(t, "cafe_grosse", c.mustCreate(t, map[string]any{"label": "Café Größe", "type": "text"})["key"])
	require.Equal(t, "crm_ref", c.mustCreate(t, map[string]any{"label": "Reference", "key": "crm_ref", "type": "text"})["key"])

	resp := c.owner.Do("POST", c.base, map[string]any{"label": "Other", "key": "lead_score", "type": "text"})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, errFields(t, resp), "key")
	for _, key := range []string{"email", "external_id", "Lead", "2fast", "a-b", ""} {
		resp := c.owner.Do("POST", c.base, map[string]any{"label": "Other", "key": key, "type": "text"})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", key, resp.Body)
		require.Contains(t, errFields(t, resp), "key", key)
	}

	// Keys are immutable; an archived field keeps its key taken.
	f := c.list(t, "")[0]
	path := c.base + "/" + f["id"].(string)
	resp = c.owner.Do("PATCH", path, map[string]any{"key": "score"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, errFields(t, resp)["key"], "cannot change")
	resp = c.owner.Do("PATCH", path, map[string]any{"key": "lead_score", "label": "Score"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "lead_score", resp.Map(t)["key"], "a relabelled field keeps its key")
	require.Equal(t, http.StatusOK, c.owner.Do("POST", path+"/archive", nil).Status)
	require.Equal(t, "lead_score_3", c.mustCreate(t, map[string]any{"label": "Lead score", "type": "number"})["key"])
}

func TestLimit(t *testing.T) {
	t.Parallel()
	c := setup(t)
	var last string
	for i := range fields.MaxFields {
		last = c.mustCreate(t, map[string]any{"label": fmt.Sprintf("Field %d", i), "type": "text"})["id"].(string)
	}
	require.Equal(t, http.StatusOK, c.owner.Do("POST", c.base+"/"+last+"/archive", nil).Status)
	resp := c.owner.Do("POST", c.base, map[string]any{"label": "One too many", "type": "text"})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, resp.Map(t)["error"].(map[string]any)["message"], "at most 100 custom fields, archived ones included")

	// Another agent has its own hundred.
	other := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Other"}).Map(t)["id"].(string)
	require.Equal(t, http.StatusCreated, c.owner.Do("POST", "/api/v1/agents/"+other+"/fields", map[string]any{"label": "Field 0", "type": "text"}).Status)

	require.Equal(t, http.StatusNoContent, c.owner.Do("DELETE", c.base+"/"+last+"?confirm=field_99", nil).Status)
	c.mustCreate(t, map[string]any{"label": "Room again", "type": "text"})
}

func TestOptions(t *testing.T) {
	t.Parallel()
	c := setup(t)
	f := c.mustCreate(t, map[string]any{"label": "Plan", "type": "single_select", "ai_policy": "overwrite",
		"options": []map[string]any{{"label": "Free"}, {"label": "Pro"}, {"label": "Team"}}})
	path := c.base + "/" + f["id"].(string)
	opts := f["options"].([]any)
	id := func(i int) string { return opts[i].(map[string]any)["id"].(string) }
	free, pro, team := id(0), id(1), id(2)
	contact := c.contact(t, "plan@example.com", map[string]any{"plan": pro})

	// Rename Pro, move Team first, retire Free, add Enterprise: one list.
	resp := c.owner.Do("PATCH", path, map[string]any{"options": []map[string]any{
		{"id": team, "label": "Team"}, {"id": pro, "label": "Professional"}, {"id": free, "label": "Free", "retired": true}, {"label": "Enterprise"},
	}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	got := resp.Map(t)
	require.EqualValues(t, 2, got["version"])
	require.Equal(t, `"2"`, resp.Header.Get("ETag"))
	after := got["options"].([]any)
	require.Len(t, after, 4)
	require.Equal(t, map[string]any{"id": team, "label": "Team", "retired": false}, after[0])
	require.Equal(t, map[string]any{"id": pro, "label": "Professional", "retired": false}, after[1])
	require.Equal(t, map[string]any{"id": free, "label": "Free", "retired": true}, after[2])
	require.Equal(t, "Enterprise", after[3].(map[string]any)["label"])
	custom, _ := c.custom(t, contact)
	require.Equal(t, pro, custom["plan"], "a rename never touches stored values")

	// Options are never dropped; unknown ids are refused; labels stay unique.
	for problem, list := range map[string][]map[string]any{
		"cannot be removed": {{"id": team, "label": "Team"}, {"id": pro, "label": "Professional"}},
		"not an option":     {{"id": uuid.NewString(), "label": "Ghost"}, {"id": team, "label": "Team"}, {"id": pro, "label": "Professional"}, {"id": free, "label": "Free"}, {"id": after[3].(map[string]any)["id"], "label": "Enterprise"}},
		"must differ":       {{"id": team, "label": "Team"}, {"id": pro, "label": "team"}, {"id": free, "label": "Free"}, {"id": after[3].(map[string]any)["id"], "label": "Enterprise"}},
	} {
		resp := c.owner.Do("PATCH", path, map[string]any{"options": list})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, errFields(t, resp)["options"], problem)
	}

	// Retired: valid where stored, refused as a new choice, by id or label.
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		ctx, agent := context.Background(), uuid.MustParse(c.agent)
		out, err := fields.Validate(ctx, tx, agent, map[string]any{"plan": free}, map[string]json.RawMessage{"plan": json.RawMessage(`"Free"`)}, false, fields.WriterMember, "US")
		require.NoError(t, err, "re-sending a stored retired option is fine")
		require.Equal(t, free, out["plan"])
		for _, v := range []string{`"Free"`, `"` + free + `"`} {
			_, err = fields.Validate(ctx, tx, agent, map[string]any{"plan": pro}, map[string]json.RawMessage{"plan": json.RawMessage(v)}, false, fields.WriterMember, "US")
			require.Contains(t, fieldErrors(err)["custom.plan"], "retired", v)
		}
		out, err = fields.Validate(ctx, tx, agent, nil, map[string]json.RawMessage{"plan": json.RawMessage(`"professional"`)}, true, fields.WriterAI, "US")
		require.NoError(t, err)
		require.Equal(t, pro, out["plan"], "labels match case-insensitively and store the id")
		return nil
	})

	// Un-retiring works too.
	resp = c.owner.Do("PATCH", path, map[string]any{"options": []map[string]any{
		{"id": team, "label": "Team"}, {"id": pro, "label": "Professional"}, {"id": free, "label": "Free"}, {"id": after[3].(map[string]any)["id"], "label": "Enterprise"},
	}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, false, resp.Map(t)["options"].([]any)[2].(map[string]any)["retired"])
	require.Equal(t, 2, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'fields' AND action = 'update' AND before IS NOT NULL AND after IS NOT NULL`))
}

func fieldErrors(err error) map[string]string {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return nil
	}
	return e.Fields
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	c := setup(t)
	f := c.mustCreate(t, map[string]any{"label": "Seats", "type": "number", "default_value": 3})
	path := c.base + "/" + f["id"].(string)

	resp := c.owner.Do("PATCH", path, map[string]any{"type": "text"})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, errFields(t, resp)["type"], "cannot change")

	c.owner.Header.Set("If-Match", `"1"`)
	resp = c.owner.Do("PATCH", path, map[string]any{"label": "Licensed seats", "help_text": "How many", "required": true, "ai_policy": "fill_empty", "default_value": nil})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	got := resp.Map(t)
	require.Equal(t, "Licensed seats", got["label"])
	require.Equal(t, "seats", got["key"])
	require.Nil(t, got["default_value"], "null clears the default")
	require.Equal(t, "fill_empty", got["ai_policy"])
	resp = c.owner.Do("PATCH", path, map[string]any{"label": "Stale"})
	require.Equal(t, http.StatusPreconditionFailed, resp.Status)
	c.owner.Header.Del("If-Match")

	// No change, no new version.
	resp = c.owner.Do("PATCH", path, map[string]any{"label": "Licensed seats"})
	require.Equal(t, http.StatusOK, resp.Status)
	require.EqualValues(t, 2, resp.Map(t)["version"])

	// Unique only when no two active contacts share a value.
	email := c.mustCreate(t, map[string]any{"label": "Work email", "type": "email"})
	a := c.contact(t, "a@example.com", map[string]any{"work_email": "same@example.com"})
	c.contact(t, "b@example.com", map[string]any{"work_email": "same@example.com"})
	resp = c.owner.Do("PATCH", c.base+"/"+email["id"].(string), map[string]any{"unique": true})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, errFields(t, resp), "unique")
	require.Equal(t, http.StatusOK, c.owner.Do("POST", "/api/v1/agents/"+c.agent+"/contacts/"+a.String()+"/archive", nil).Status)
	resp = c.owner.Do("PATCH", c.base+"/"+email["id"].(string), map[string]any{"unique": true})
	require.Equal(t, http.StatusOK, resp.Status, "archived contacts do not count: %s", resp.Body)
}

func TestArchiveAndRestore(t *testing.T) {
	t.Parallel()
	c := setup(t)
	f := c.mustCreate(t, map[string]any{"label": "Tier", "type": "text", "required": true})
	c.mustCreate(t, map[string]any{"label": "Region", "type": "text"})
	path := c.base + "/" + f["id"].(string)
	contact := c.contact(t, "tier@example.com", map[string]any{"tier": "gold"})

	resp := c.owner.Do("POST", path+"/archive", nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.NotNil(t, resp.Map(t)["archived_at"])
	require.Equal(t, []string{"region"}, keys(c.list(t, "")))
	require.Equal(t, []string{"tier", "region"}, keys(c.list(t, "?include_archived=true")))
	require.Equal(t, []string{"region"}, keys(c.list(t, "?include_archived=false")))
	require.Equal(t, http.StatusBadRequest, c.owner.Do("GET", c.base+"?include_archived=maybe", nil).Status)
	require.Equal(t, http.StatusOK, c.owner.Do("GET", path, nil).Status, "an archived field can still be read by id")
	custom, _ := c.custom(t, contact)
	require.Equal(t, "gold", custom["tier"], "archiving keeps the values")
	require.Equal(t, http.StatusOK, c.owner.Do("POST", path+"/archive", nil).Status, "archiving twice changes nothing")

	// An archived field takes no values and is not required.
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		ctx, agent := context.Background(), uuid.MustParse(c.agent)
		_, err := fields.Validate(ctx, tx, agent, nil, map[string]json.RawMessage{"tier": json.RawMessage(`"x"`)}, true, fields.WriterMember, "US")
		require.Contains(t, fieldErrors(err)["custom.tier"], "archived")
		out, err := fields.Validate(ctx, tx, agent, map[string]any{"tier": "gold"}, nil, true, fields.WriterMember, "US")
		require.NoError(t, err)
		require.Equal(t, map[string]any{"tier": "gold"}, out, "its stored value is kept")
		return nil
	})

	resp = c.owner.Do("POST", path+"/restore", nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Nil(t, resp.Map(t)["archived_at"])
	require.Equal(t, []string{"tier", "region"}, keys(c.list(t, "")))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'fields' AND action = 'archive'`))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'fields' AND action = 'restore'`))
}

func TestDelete(t *testing.T) {
	t.Parallel()
	c := setup(t)
	f := c.mustCreate(t, map[string]any{"label": "Tier", "type": "text"})
	c.mustCreate(t, map[string]any{"label": "Region", "type": "text"})
	path := c.base + "/" + f["id"].(string)
	holder := c.contact(t, "holder@example.com", map[string]any{"tier": "gold", "region": "EU"})
	bystander := c.contact(t, "bystander@example.com", map[string]any{"region": "US"})
	_, holderVersion := c.custom(t, holder)
	_, bystanderVersion := c.custom(t, bystander)
	// The same key on another agent's contact is another field's value: it stays.
	other := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Other"}).Map(t)["id"].(string)
	require.Equal(t, http.StatusCreated, c.owner.Do("POST", "/api/v1/agents/"+other+"/fields", map[string]any{"label": "Tier", "type": "text"}).Status)
	elsewhere := uuid.MustParse(c.owner.Do("POST", "/api/v1/agents/"+other+"/contacts", map[string]string{"email": "else@example.com"}).Map(t)["id"].(string))
	c.setCustom(t, elsewhere, map[string]any{"tier": "silver"})

	for _, q := range []string{"", "?confirm=", "?confirm=Tier", "?confirm=region"} {
		resp := c.owner.Do("DELETE", path+q, nil)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", q, resp.Body)
		require.Contains(t, errFields(t, resp)["confirm"], "(tier)")
	}
	custom, _ := c.custom(t, holder)
	require.Equal(t, "gold", custom["tier"], "nothing was deleted")

	require.Equal(t, http.StatusNoContent, c.owner.Do("DELETE", path+"?confirm=tier", nil).Status)
	require.Equal(t, http.StatusNotFound, c.owner.Do("GET", path, nil).Status)
	require.Equal(t, []string{"region"}, keys(c.list(t, "?include_archived=true")))
	custom, version := c.custom(t, holder)
	require.Equal(t, map[string]any{"region": "EU"}, custom, "the value went with the field")
	require.Equal(t, holderVersion+1, version, "the contact changed: its version moves")
	custom, version = c.custom(t, bystander)
	require.Equal(t, map[string]any{"region": "US"}, custom)
	require.Equal(t, bystanderVersion, version, "contacts without the value are untouched")
	custom, _ = c.custom(t, elsewhere)
	require.Equal(t, map[string]any{"tier": "silver"}, custom)
	// The holder's timeline shows the value it lost; the others' show nothing of it.
	timeline := func(contact uuid.UUID) []any {
		resp := c.owner.Do("GET", "/api/v1/agents/"+c.agent+"/contacts/"+contact.String()+"/timeline", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		return resp.Map(t)["items"].([]any)
	}
	lost := timeline(holder)[0].(map[string]any)
	require.Equal(t, "contacts update", lost["resource"].(string)+" "+lost["action"].(string))
	require.Equal(t, map[string]any{"custom": map[string]any{"tier": "gold"}}, lost["before"])
	require.Equal(t, map[string]any{"custom": map[string]any{}}, lost["after"])
	require.Equal(t, c.owner.UserID.String(), lost["actor"].(map[string]any)["id"])
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'contacts' AND action = 'update' AND before->'custom' ? 'tier'`),
		"one entry, the holder's: the bystander and the other agent's contact lost nothing")
	require.Empty(t, timeline(bystander))
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'fields' AND action = 'delete' AND before->>'key' = 'tier' AND (after->>'values_removed')::int = 1`))

	// The key is free again.
	require.Equal(t, "tier", c.mustCreate(t, map[string]any{"label": "Tier", "type": "number"})["key"])
	require.Equal(t, http.StatusNotFound, c.owner.Do("DELETE", path+"?confirm=tier", nil).Status)
}

func TestReorder(t *testing.T) {
	t.Parallel()
	c := setup(t)
	a := c.mustCreate(t, map[string]any{"label": "A", "type": "text"})["id"].(string)
	b := c.mustCreate(t, map[string]any{"label": "B", "type": "text"})["id"].(string)
	d := c.mustCreate(t, map[string]any{"label": "D", "type": "text"})["id"].(string)
	require.Equal(t, http.StatusOK, c.owner.Do("POST", c.base+"/"+b+"/archive", nil).Status)

	resp := c.owner.Do("PUT", c.base, map[string]any{"field_ids": []string{d, b, a}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	items := resp.Map(t)["items"].([]any)
	require.Len(t, items, 3, "every field, archived ones too")
	require.EqualValues(t, 1, items[0].(map[string]any)["position"])
	require.Equal(t, []string{"d", "b", "a"}, keys(c.list(t, "?include_archived=true")))
	require.Equal(t, []string{"d", "a"}, keys(c.list(t, "")))

	for _, ids := range [][]string{{d, a}, {d, b, a, a}, {d, b, b}, {d, b, a, uuid.NewString()}, {}} {
		resp := c.owner.Do("PUT", c.base, map[string]any{"field_ids": ids})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%v: %s", ids, resp.Body)
		require.Contains(t, errFields(t, resp), "field_ids")
	}
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'fields' AND action = 'reorder'`))
	// New fields go last.
	require.EqualValues(t, 4, c.mustCreate(t, map[string]any{"label": "E", "type": "text"})["position"])
}

func TestRolesAndScope(t *testing.T) {
	t.Parallel()
	c := setup(t)
	f := c.mustCreate(t, map[string]any{"label": "Tier", "type": "text"})
	path := c.base + "/" + f["id"].(string)
	user := c.env.AddMember(t, c.owner, "user")
	require.Equal(t, http.StatusOK, c.owner.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []string{c.agent}}).Status)
	admin := c.env.AddMember(t, c.owner, "admin")

	// A user reads, never writes.
	require.Equal(t, http.StatusOK, user.Do("GET", c.base, nil).Status)
	require.Equal(t, http.StatusOK, user.Do("GET", path, nil).Status)
	for _, r := range []struct{ method, path string }{
		{"POST", c.base}, {"PUT", c.base}, {"PATCH", path}, {"DELETE", path + "?confirm=tier"}, {"POST", path + "/archive"}, {"POST", path + "/restore"},
	} {
		resp := user.Do(r.method, r.path, `{"label": "Mine", "type": "text", "field_ids": []}`)
		require.Equal(t, http.StatusForbidden, resp.Status, "%s %s: %s", r.method, r.path, resp.Body)
	}
	// An admin writes.
	resp := admin.Do("POST", c.base, map[string]any{"label": "Region", "type": "text"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, http.StatusOK, admin.Do("PATCH", path, map[string]any{"label": "Level"}).Status)
	require.Equal(t, 6, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'fields' AND outcome = 'denied'`))

	// Another agent's field, another workspace's agent, a malformed id: not found.
	other := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Other"}).Map(t)["id"].(string)
	otherBase := "/api/v1/agents/" + other + "/fields"
	for _, r := range []struct{ method, path string }{
		{"GET", otherBase + "/" + f["id"].(string)},
		{"PATCH", otherBase + "/" + f["id"].(string)},
		{"POST", otherBase + "/" + f["id"].(string) + "/archive"},
		{"DELETE", otherBase + "/" + f["id"].(string) + "?confirm=tier"},
		{"GET", c.base + "/not-a-uuid"},
		{"GET", c.base + "/" + uuid.NewString()},
	} {
		resp := c.owner.Do(r.method, r.path, `{}`)
		require.Equal(t, http.StatusNotFound, resp.Status, "%s %s: %s", r.method, r.path, resp.Body)
	}
	stranger := c.env.SignUp(t)
	for _, r := range []struct{ method, path string }{
		{"GET", c.base}, {"GET", path}, {"PATCH", path}, {"DELETE", path + "?confirm=tier"}, {"POST", path + "/archive"},
		{"POST", c.base}, {"PUT", c.base},
	} {
		resp := stranger.Do(r.method, r.path, `{"label": "Mine", "type": "text", "field_ids": []}`)
		require.Equal(t, http.StatusNotFound, resp.Status, "%s %s: %s", r.method, r.path, resp.Body)
	}
	require.Equal(t, "Level", c.owner.Do("GET", path, nil).Map(t)["label"])
}

// TestValidateAndCheckUnique runs the exported value rules against the database, as the
// contacts service will.
func TestValidateAndCheckUnique(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.mustCreate(t, map[string]any{"label": "Company", "type": "text", "required": true})
	c.mustCreate(t, map[string]any{"label": "Budget", "type": "number", "ai_policy": "overwrite"})
	c.mustCreate(t, map[string]any{"label": "Source detail", "type": "text", "ai_policy": "fill_empty", "default_value": "website"})
	c.mustCreate(t, map[string]any{"label": "Internal note", "type": "long_text"})
	c.mustCreate(t, map[string]any{"label": "Work email", "type": "email", "unique": true, "ai_policy": "fill_empty"})
	c.mustCreate(t, map[string]any{"label": "Mobile", "type": "phone"})
	ctx, agent := context.Background(), uuid.MustParse(c.agent)
	patch := func(kv ...string) map[string]json.RawMessage {
		out := map[string]json.RawMessage{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = json.RawMessage(kv[i+1])
		}
		return out
	}

	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		// Member, create: required enforced, defaults filled, values normalized.
		_, err := fields.Validate(ctx, tx, agent, nil, patch("budget", `100`), true, fields.WriterMember, "GB")
		require.Equal(t, "is required", fieldErrors(err)["custom.company"])
		out, err := fields.Validate(ctx, tx, agent, nil, patch("company", `" Acme "`, "budget", `"1500.50"`, "work_email", `"Ada@Acme.COM"`, "mobile", `"020 7946 0958"`), true, fields.WriterMember, "GB")
		require.NoError(t, err)
		require.Equal(t, map[string]any{"company": "Acme", "budget": 1500.5, "source_detail": "website", "work_email": "ada@acme.com", "mobile": "+442079460958"}, out)

		// Unknown keys and bad values are named custom.<key>.
		_, err = fields.Validate(ctx, tx, agent, nil, patch("company", `"Acme"`, "shoe_size", `42`, "budget", `"lots"`), true, fields.WriterMember, "US")
		require.Equal(t, map[string]string{"custom.shoe_size": "is not a field of this agent", "custom.budget": "must be a number"}, fieldErrors(err))
		require.Equal(t, apperr.Invalid, apperr.CodeOf(err))

		// The AI: no required check; off fields refused; fill_empty keeps, overwrite replaces.
		out, err = fields.Validate(ctx, tx, agent, nil, patch("budget", `10`), true, fields.WriterAI, "US")
		require.NoError(t, err)
		require.Equal(t, map[string]any{"budget": 10.0, "source_detail": "website"}, out)
		_, err = fields.Validate(ctx, tx, agent, out, patch("internal_note", `"the AI should not"`), false, fields.WriterAI, "US")
		require.Contains(t, fieldErrors(err)["custom.internal_note"], "not open to the AI")
		out, err = fields.Validate(ctx, tx, agent, out, patch("budget", `20`, "source_detail", `"chat"`, "work_email", `"x@example.com"`), false, fields.WriterAI, "US")
		require.NoError(t, err)
		require.Equal(t, map[string]any{"budget": 20.0, "source_detail": "website", "work_email": "x@example.com"}, out)
		out, err = fields.Validate(ctx, tx, agent, out, patch("budget", `null`), false, fields.WriterAI, "US")
		require.NoError(t, err)
		require.NotContains(t, out, "budget", "overwrite may clear")
		return nil
	})

	// Unique values: another active contact holding the value is a conflict naming it.
	ada := c.contact(t, "ada@example.com", map[string]any{"work_email": "ada@acme.com"})
	grace := c.contact(t, "grace@example.com", map[string]any{})
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		err := fields.CheckUnique(ctx, tx, agent, grace, map[string]any{"work_email": "ada@acme.com", "company": "Acme"})
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Equal(t, apperr.Conflict, ae.Code)
		require.Equal(t, "already belongs to ada@example.com", ae.Fields["custom.work_email"])
		require.Equal(t, ada, ae.Details["existing_contact_id"])
		require.NoError(t, fields.CheckUnique(ctx, tx, agent, ada, map[string]any{"work_email": "ada@acme.com"}), "a contact does not conflict with itself")
		require.NoError(t, fields.CheckUnique(ctx, tx, agent, grace, map[string]any{"work_email": "grace@acme.com"}))
		require.NoError(t, fields.CheckUnique(ctx, tx, agent, grace, map[string]any{"company": "Acme"}))
		return nil
	})
	require.Equal(t, http.StatusOK, c.owner.Do("POST", "/api/v1/agents/"+c.agent+"/contacts/"+ada.String()+"/archive", nil).Status)
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		require.NoError(t, fields.CheckUnique(ctx, tx, agent, grace, map[string]any{"work_email": "ada@acme.com"}), "archived contacts do not hold values")
		return nil
	})

	// Numbers compare as numbers.
	c.mustCreate(t, map[string]any{"label": "Member no", "type": "number", "unique": true})
	c.setCustom(t, grace, map[string]any{"member_no": 42})
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		require.Error(t, fields.CheckUnique(ctx, tx, agent, ada, map[string]any{"member_no": 42.0}))
		require.NoError(t, fields.CheckUnique(ctx, tx, agent, ada, map[string]any{"member_no": 42.5}))
		return nil
	})
}
