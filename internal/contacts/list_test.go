package contacts_test

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
)

// listed is a contact as a list page shows it, with what the orders compare.
type listed struct {
	ID, Name, Stage string
	Updated         time.Time
}

// page reads one list page as m.
func (c crm) page(t *testing.T, m *apptest.Member, query string) ([]listed, string) {
	t.Helper()
	resp := m.Do("GET", c.base+"/contacts?"+query, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s: %s", query, resp.Body)
	body := resp.Map(t)
	var out []listed
	for _, it := range body["items"].([]any) {
		ct := it.(map[string]any)
		l := listed{ID: ct["id"].(string), Name: ct["name"].(string)}
		if st, ok := ct["stage"].(map[string]any); ok {
			l.Stage = st["id"].(string)
		}
		var err error
		l.Updated, err = time.Parse(time.RFC3339Nano, ct["updated_at"].(string))
		require.NoError(t, err)
		out = append(out, l)
	}
	next, _ := body["next_cursor"].(string)
	return out, next
}

// all follows the cursors from the first page to the last.
func (c crm) all(t *testing.T, m *apptest.Member, query string, limit int) []listed {
	t.Helper()
	var out []listed
	q := query + "&limit=" + strconv.Itoa(limit)
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "the cursors must end")
		items, next := c.page(t, m, q)
		out = append(out, items...)
		if next == "" {
			return out
		}
		q = query + "&limit=" + strconv.Itoa(limit) + "&cursor=" + next
	}
}

func names(ls []listed) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

// Every order pages through all contacts exactly once, in its order, whatever the page size,
// with many ties on the sort key (equal names in different cases, equal update times, crowded
// stages, contacts without a stage).
func TestListSortsPageWithoutGapsOrRepeats(t *testing.T) {
	t.Parallel()
	c := setup(t)
	stages := c.stages(t)
	position := map[string]int{"": 1 << 31}
	for _, s := range stages {
		position[s["id"].(string)] = int(s["position"].(float64))
	}
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		// 67 contacts: 7 names (two the same but for case, one empty), 3 update times, stages
		// 1, 2 and 4 of the 4 and none.
		_, err := tx.Exec(context.Background(), `
			INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, source, stage_id, updated_at)
			SELECT $1, $2, gen_random_uuid(), (ARRAY['ada', 'Ada', 'Bob', 'carol', '', 'Zed', 'bob'])[1 + i % 7],
			       'p' || i || '@example.com', 'p' || i || '@example.com', 'import',
			       (ARRAY[$3, $4, $5, NULL]::uuid[])[1 + i % 4],
			       '2026-01-01T00:00:00Z'::timestamptz + (i % 3) * interval '1 hour'
			FROM generate_series(1, 67) AS i`,
			c.owner.WorkspaceID, c.agent, stages[0]["id"], stages[1]["id"], stages[3]["id"])
		return err
	})
	everyone := c.all(t, c.owner, "", 200)
	require.Len(t, everyone, 67)

	byID := func(a, b listed) int { return strings.Compare(a.ID, b.ID) }
	orders := map[string]func(a, b listed) int{
		"-created_at": func(a, b listed) int { return -byID(a, b) },
		"created_at":  byID,
		"name": func(a, b listed) int {
			return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), byID(a, b))
		},
		"-name": func(a, b listed) int {
			return -cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), byID(a, b))
		},
		"updated_at":  func(a, b listed) int { return cmp.Or(a.Updated.Compare(b.Updated), byID(a, b)) },
		"-updated_at": func(a, b listed) int { return -cmp.Or(a.Updated.Compare(b.Updated), byID(a, b)) },
		"stage": func(a, b listed) int {
			return cmp.Or(cmp.Compare(position[a.Stage], position[b.Stage]), -byID(a, b))
		},
		"-stage": func(a, b listed) int {
			return cmp.Or(cmp.Compare(position[b.Stage], position[a.Stage]), -byID(a, b))
		},
	}
	for sort, order := range orders {
		want := slices.Clone(everyone)
		slices.SortFunc(want, order)
		for _, limit := range []int{1, 4, 10, 67, 200} {
			got := c.all(t, c.owner, "sort="+url.QueryEscape(sort), limit)
			require.Equal(t, want, got, "sort %s, pages of %d", sort, limit)
		}
	}

	// With a filter, in another order: only the matching contacts, each once.
	lead := stages[0]["id"].(string)
	got := c.all(t, c.owner, "sort=name&stage_id="+lead, 3)
	require.Len(t, got, 16)
	require.True(t, slices.IsSortedFunc(got, orders["name"]))
	got = c.all(t, c.owner, "sort=-stage&stage_id="+lead, 5)
	require.Len(t, got, 16)
	for _, l := range got {
		require.Equal(t, lead, l.Stage)
	}

	// A cursor belongs to its order, and to this API.
	_, next := c.page(t, c.owner, "sort=name&limit=2")
	for _, bad := range []string{"sort=-name&cursor=" + next, "cursor=" + next, "sort=name&cursor=nonsense", "sort=name&cursor=e30"} {
		resp := c.owner.Do("GET", c.base+"/contacts?"+bad, nil)
		require.Equal(t, http.StatusBadRequest, resp.Status, bad)
		require.Contains(t, fields(t, resp), "cursor", bad)
	}
}

// customFields makes one field of each filterable type and returns the select options' ids by
// label.
func (c crm) customFields(t *testing.T) map[string]string {
	t.Helper()
	options := map[string]string{}
	for _, body := range []map[string]any{
		{"label": "Company", "type": "text"},
		{"label": "Seats", "type": "number"},
		{"label": "Renewal", "type": "date"},
		{"label": "Last call", "type": "datetime"},
		{"label": "VIP", "type": "checkbox"},
		{"label": "Plan", "type": "single_select", "options": []map[string]any{{"label": "Free"}, {"label": "Pro"}, {"label": "Team"}}},
		{"label": "Interests", "type": "multi_select", "options": []map[string]any{{"label": "Go"}, {"label": "SQL"}, {"label": "Rust"}}},
	} {
		resp := c.owner.Do("POST", c.base+"/fields", body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		for _, o := range resp.Map(t)["options"].([]any) {
			options[o.(map[string]any)["label"].(string)] = o.(map[string]any)["id"].(string)
		}
	}
	return options
}

func TestListFiltersByCreatedDateAndCustomValues(t *testing.T) {
	t.Parallel()
	c := setup(t)
	options := c.customFields(t)
	people := []map[string]any{
		{"name": "Ada", "email": "ada@example.com", "custom": map[string]any{"company": "Analytical Engines Ltd", "seats": 5,
			"renewal": "2026-03-01", "last_call": "2026-03-01T09:30:00Z", "vip": true, "plan": "Pro", "interests": []string{"Go", "SQL"}}},
		{"name": "Grace", "email": "grace@example.com", "custom": map[string]any{"company": "US Navy", "seats": 50,
			"renewal": "2026-06-15", "last_call": "2026-06-15T23:59:00Z", "vip": false, "plan": "Team", "interests": []string{"Rust"}}},
		{"name": "Alan", "email": "alan@example.com", "custom": map[string]any{"company": "Bletchley Engines", "seats": 12.5,
			"plan": "Free"}},
		{"name": "Edsger", "email": "edsger@example.com"},
	}
	for _, p := range people {
		c.mustCreate(t, p)
	}
	// Created on three different days.
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), `
			UPDATE contacts SET created_at = CASE name WHEN 'Ada' THEN '2025-01-10T12:00:00Z'::timestamptz
			                                           WHEN 'Grace' THEN '2025-01-11T00:00:00Z'
			                                           WHEN 'Alan' THEN '2025-01-11T23:59:59.5Z'
			                                           ELSE '2025-02-01T08:00:00Z' END
			WHERE agent_id = $1`, c.agent)
		return err
	})
	list := func(query string) []string {
		t.Helper()
		got := names(c.all(t, c.owner, query+"&sort=name", 2))
		slices.Sort(got)
		return got
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"created_from=2025-01-11", []string{"Alan", "Edsger", "Grace"}},
		{"created_to=2025-01-11", []string{"Ada", "Alan", "Grace"}},
		{"created_from=2025-01-11&created_to=2025-01-11", []string{"Alan", "Grace"}},
		{"created_from=" + url.QueryEscape("2025-01-11T01:00:00+01:00") + "&created_to=" + url.QueryEscape("2025-01-11T23:59:59.5Z"), []string{"Grace"}},
		{"cf.company=engines", []string{"Ada", "Alan"}},
		{"cf.company.eq=us+navy", []string{"Grace"}},
		{"cf.company.eq=navy", nil},
		{"cf.seats.min=12.5", []string{"Alan", "Grace"}},
		{"cf.seats.max=12", []string{"Ada"}},
		{"cf.seats.min=6&cf.seats.max=49", []string{"Alan"}},
		{"cf.seats=50", []string{"Grace"}},
		{"cf.renewal.from=2026-03-01", []string{"Ada", "Grace"}},
		{"cf.renewal.to=2026-03-01", []string{"Ada"}},
		{"cf.renewal=2026-06-15", []string{"Grace"}},
		{"cf.last_call.from=2026-03-01&cf.last_call.to=2026-06-15", []string{"Ada", "Grace"}},
		{"cf.last_call.to=" + url.QueryEscape("2026-03-01T09:30:00Z"), []string{"Ada"}},
		{"cf.last_call=2026-06-15", []string{"Grace"}},
		{"cf.vip=true", []string{"Ada"}},
		{"cf.vip=false", []string{"Alan", "Edsger", "Grace"}},
		{"cf.plan=Pro", []string{"Ada"}},
		{"cf.plan=pro&cf.plan=" + options["Free"], []string{"Ada", "Alan"}},
		{"cf.interests=SQL", []string{"Ada"}},
		{"cf.interests=Rust&cf.interests=Go", []string{"Ada", "Grace"}},
		{"cf.plan=Team&cf.vip=false&created_from=2025-01-11", []string{"Grace"}},
		{"cf.company=", []string{"Ada", "Alan", "Edsger", "Grace"}},
		// Search goes through its own path; the filters apply there too.
		{"q=a&cf.company=engines&created_to=2025-01-10", []string{"Ada"}},
		{"q=example&cf.seats.min=10", []string{"Alan", "Grace"}},
	}
	for _, tc := range cases {
		if strings.HasPrefix(tc.query, "q=") {
			got := names(c.all(t, c.owner, tc.query, 1))
			slices.Sort(got)
			require.Equal(t, tc.want, got, tc.query)
			continue
		}
		if tc.want == nil {
			require.Empty(t, list(tc.query), tc.query)
			continue
		}
		require.Equal(t, tc.want, list(tc.query), tc.query)
	}
}

func TestListRefusesBadFiltersNamingTheParameter(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.customFields(t)
	resp := c.owner.Do("POST", c.base+"/fields", map[string]any{"label": "Old", "type": "text"})
	require.Equal(t, http.StatusCreated, resp.Status)
	require.Equal(t, http.StatusOK, c.owner.Do("POST", c.base+"/fields/"+resp.Map(t)["id"].(string)+"/archive", nil).Status)
	c.mustCreate(t, map[string]any{"email": "someone@example.com"})
	cases := map[string]string{
		"cf.nope=x":                          "cf.nope",
		"cf.Company=x":                       "cf.Company",
		"cf.old=x":                           "cf.old",
		"cf.company.min=3":                   "cf.company.min",
		"cf.company.like=3":                  "cf.company.like",
		"cf.company=a&cf.company=b":          "cf.company",
		"cf.seats.min=many":                  "cf.seats.min",
		"cf.seats=NaN":                       "cf.seats",
		"cf.seats.from=1":                    "cf.seats.from",
		"cf.renewal.from=2026-13-01":         "cf.renewal.from",
		"cf.renewal.from=tomorrow":           "cf.renewal.from",
		"cf.last_call.to=yesterday":          "cf.last_call.to",
		"cf.vip=yes":                         "cf.vip",
		"cf.vip.eq=true":                     "cf.vip.eq",
		"cf.plan=Enterprise":                 "cf.plan",
		"cf.plan.eq=Pro":                     "cf.plan.eq",
		"cf.interests=Go&cf.interests=Cobol": "cf.interests",
		"created_from=2025-02-30":            "created_from",
		"created_to=last+week":               "created_to",
		"created_from=2025-02-02&created_to=2025-02-01": "created_to",
		"sort=email":      "sort",
		"sort=name&q=ada": "sort",
		"stage_id=lead":   "stage_id",
		"limit=0":         "limit",
	}
	for query, param := range cases {
		resp := c.owner.Do("GET", c.base+"/contacts?"+query, nil)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", query, resp.Body)
		require.Contains(t, fields(t, resp), param, "%s: %s", query, resp.Body)
	}
}

// Filters only ever narrow what the caller may see: another agent's and another workspace's
// contacts with matching values never show, and another agent's fields are unknown here.
func TestListFiltersNeverRevealOtherAgentsOrWorkspaces(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.customFields(t)
	c.mustCreate(t, map[string]any{"name": "Mine", "email": "mine@example.com", "custom": map[string]any{"company": "Acme", "vip": true}})

	other := crm{env: c.env, owner: c.env.SignUp(t)}
	other.agent = other.owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	other.base = "/api/v1/agents/" + other.agent
	other.customFields(t)
	other.mustCreate(t, map[string]any{"name": "Theirs", "email": "theirs@example.com", "custom": map[string]any{"company": "Acme", "vip": true}})

	resp := c.owner.Do("POST", "/api/v1/agents", map[string]any{"name": "Second agent"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	second := crm{env: c.env, owner: c.owner, agent: resp.Map(t)["id"].(string)}
	second.base = "/api/v1/agents/" + second.agent
	resp = c.owner.Do("POST", second.base+"/fields", map[string]any{"label": "Region", "type": "text"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	second.customFields(t)
	second.mustCreate(t, map[string]any{"name": "Sibling", "email": "sibling@example.com", "custom": map[string]any{"company": "Acme", "vip": true}})

	for _, q := range []string{"cf.company=acme", "cf.vip=true", "cf.company=acme&q=example", "sort=stage&cf.vip=true", "created_from=2000-01-01&sort=-name"} {
		require.Equal(t, []string{"Mine"}, names(c.all(t, c.owner, q, 1)), q)
		require.Equal(t, []string{"Theirs"}, names(other.all(t, other.owner, q, 1)), q)
		require.Equal(t, []string{"Sibling"}, names(second.all(t, c.owner, q, 1)), q)
	}
	resp = c.owner.Do("GET", c.base+"/contacts?cf.region=north", nil)
	require.Equal(t, http.StatusBadRequest, resp.Status, "another agent's field is not this agent's")
	require.Contains(t, fields(t, resp), "cf.region")
	require.Equal(t, http.StatusNotFound, c.owner.Do("GET", other.base+"/contacts?cf.company=acme", nil).Status)
}

// Search with filters it cannot apply itself reads on through its candidates: a rare match
// deep in a big agent is found, page after page, each contact once.
func TestSearchWithCustomFiltersReadsOn(t *testing.T) {
	t.Parallel()
	c := setup(t)
	resp := c.owner.Do("POST", c.base+"/fields", map[string]any{"label": "VIP", "type": "checkbox"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		// 3,000 "person" contacts; every 250th a VIP.
		_, err := tx.Exec(context.Background(), `
			INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, source, search_text, custom)
			SELECT $1, $2, gen_random_uuid(), 'person ' || i, 'p' || i || '@example.com', 'p' || i || '@example.com', 'import',
			       'person ' || i || ' p' || i || '@example.com',
			       CASE WHEN i % 250 = 0 THEN '{"vip": true}'::jsonb ELSE '{}'::jsonb END
			FROM generate_series(1, 3000) AS i`, c.owner.WorkspaceID, c.agent)
		return err
	})
	got := c.all(t, c.owner, "q=person&cf.vip=true", 5)
	require.Len(t, got, 12)
	ids := make([]string, len(got))
	for i, l := range got {
		ids[i] = l.ID
	}
	require.True(t, slices.IsSortedFunc(ids, func(a, b string) int { return strings.Compare(b, a) }), "newest first")
	require.Len(t, slices.Compact(ids), 12, "each once")
}

// A saved view keeps the whole list query (sort, created dates, custom filters), checked like
// the list's own parameters.
func TestSavedViewsKeepTheListQuery(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.customFields(t)
	query := map[string]any{"sort": "-name", "created_from": "2025-01-01", "created_to": "2025-12-31",
		"custom":  []map[string]any{{"key": "seats", "op": "min", "values": []string{"10"}}, {"key": "plan", "values": []string{"Pro", "Team"}}},
		"columns": []string{"seats"}}
	resp := c.owner.Do("POST", c.base+"/views", map[string]any{"name": "Big", "query": query})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	saved := resp.Map(t)["query"].(map[string]any)
	require.Equal(t, "-name", saved["sort"])
	require.Equal(t, "2025-01-01", saved["created_from"])
	require.Len(t, saved["custom"], 2)
	got := c.owner.Do("GET", c.base+"/views", nil).Map(t)["items"].([]any)[0].(map[string]any)["query"].(map[string]any)
	require.Equal(t, saved, got)

	for body, field := range map[string]map[string]any{
		"query.cf.nope":      {"custom": []map[string]any{{"key": "nope", "values": []string{"x"}}}},
		"query.cf.seats.min": {"custom": []map[string]any{{"key": "seats", "op": "min", "values": []string{"lots"}}}},
		"query.sort":         {"sort": "random"},
		"query.created_from": {"created_from": "soon"},
		"query.cf.plan":      {"custom": []map[string]any{{"key": "plan", "values": []string{"Gold"}}}},
	} {
		resp := c.owner.Do("POST", c.base+"/views", map[string]any{"name": "Bad", "query": field})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", body, resp.Body)
		require.Contains(t, fields(t, resp), body, "%s", resp.Body)
	}
}

// A saved view's stage and owner are checked in its transaction: another workspace's stage or
// user, or another agent's stage, is refused naming the field (query.stage_id, query.owner_id),
// and nothing is stored. The list itself answers such ids with nothing: row-level security
// keeps the other workspace's and agent's contacts out whatever the filter.
func TestSavedViewsRefuseForeignStagesAndOwners(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ownStage := c.stages(t)[1]["id"].(string)
	member := c.env.AddMember(t, c.owner, "user") // a member of the workspace: a fine owner filter
	resp := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Second agent"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	second := crm{env: c.env, owner: c.owner, agent: resp.Map(t)["id"].(string)}
	second.base = "/api/v1/agents/" + second.agent
	siblingStage := second.stages(t)[0]["id"].(string)
	stranger := crm{env: c.env, owner: c.env.SignUp(t)}
	stranger.agent = stranger.owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	stranger.base = "/api/v1/agents/" + stranger.agent
	strangerStage := stranger.stages(t)[0]["id"].(string)
	stranger.mustCreate(t, map[string]any{"email": "theirs@example.com", "stage_id": strangerStage, "primary_owner_id": stranger.owner.UserID})

	resp = c.owner.Do("POST", c.base+"/views", map[string]any{"name": "Kept", "query": map[string]any{"stage_id": ownStage, "owner_id": member.UserID}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	kept := resp.Map(t)
	require.Equal(t, ownStage, kept["query"].(map[string]any)["stage_id"])

	cases := []struct {
		name   string
		query  map[string]any
		fields []string
	}{
		{"another workspace's stage", map[string]any{"stage_id": strangerStage}, []string{"query.stage_id"}},
		{"another agent's stage", map[string]any{"stage_id": siblingStage}, []string{"query.stage_id"}},
		{"an unknown stage", map[string]any{"stage_id": uuid.NewString()}, []string{"query.stage_id"}},
		{"another workspace's owner", map[string]any{"owner_id": stranger.owner.UserID}, []string{"query.owner_id"}},
		{"both", map[string]any{"stage_id": strangerStage, "owner_id": stranger.owner.UserID, "status": "archived"}, []string{"query.stage_id", "query.owner_id"}},
	}
	for _, tc := range cases {
		for _, r := range []struct{ method, path string }{{"POST", c.base + "/views"}, {"PATCH", c.base + "/views/" + kept["id"].(string)}} {
			resp := c.owner.Do(r.method, r.path, map[string]any{"name": "Foreign", "query": tc.query})
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s, %s: %s", tc.name, r.method, resp.Body)
			require.Len(t, fields(t, resp), len(tc.fields), "%s, %s: %s", tc.name, r.method, resp.Body)
			for _, f := range tc.fields {
				require.Contains(t, fields(t, resp), f, "%s, %s: %s", tc.name, r.method, resp.Body)
			}
		}
	}
	// Nothing stored: the one view, as it was.
	views := c.owner.Do("GET", c.base+"/views", nil).Map(t)["items"].([]any)
	require.Len(t, views, 1)
	require.Equal(t, kept, views[0])
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM saved_views`))
	require.Zero(t, c.env.Count(t, stranger.owner.WorkspaceID, `SELECT count(*) FROM saved_views`))

	// The list answers the same ids with no contacts (200): they only narrow what it shows.
	for _, q := range []string{"stage_id=" + strangerStage, "owner_id=" + stranger.owner.UserID.String(), "stage_id=" + siblingStage} {
		items, _ := c.page(t, c.owner, q)
		require.Empty(t, items, q)
	}
}

// A saved view whose custom-field filter names a field archived or deleted since still applies:
// the view answers without that filter and names it in dropped_filters (a restored field filters
// again). An explicit filter on an archived field is still refused.
func TestSavedViewsDropFiltersOnGoneFields(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.customFields(t)
	fieldIDs := map[string]string{}
	for _, f := range c.owner.Do("GET", c.base+"/fields", nil).Map(t)["items"].([]any) {
		fieldIDs[f.(map[string]any)["key"].(string)] = f.(map[string]any)["id"].(string)
	}
	c.mustCreate(t, map[string]any{"name": "Pro buyer", "email": "pro@example.com", "custom": map[string]any{"plan": "Pro", "seats": 20, "company": "Acme"}})
	c.mustCreate(t, map[string]any{"name": "Free rider", "email": "free@example.com", "custom": map[string]any{"plan": "Free"}})
	query := map[string]any{"sort": "name", "custom": []map[string]any{
		{"key": "seats", "op": "min", "values": []string{"10"}},
		{"key": "plan", "values": []string{"Pro"}},
		{"key": "company", "values": []string{"acme"}},
	}}
	resp := c.owner.Do("POST", c.base+"/views", map[string]any{"name": "Big Pro", "query": query})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	require.Nil(t, resp.Map(t)["dropped_filters"], "nothing dropped while every field is there")

	require.Equal(t, http.StatusOK, c.owner.Do("POST", c.base+"/fields/"+fieldIDs["seats"]+"/archive", nil).Status)
	require.Equal(t, http.StatusNoContent, c.owner.Do("DELETE", c.base+"/fields/"+fieldIDs["company"]+"?confirm=company", nil).Status)

	view := func() map[string]any {
		t.Helper()
		resp := c.owner.Do("GET", c.base+"/views", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		return resp.Map(t)["items"].([]any)[0].(map[string]any)
	}
	// applied runs the list with the view's query, as the app applies a view.
	applied := func(v map[string]any) []string {
		t.Helper()
		q := url.Values{"sort": {v["query"].(map[string]any)["sort"].(string)}}
		custom, _ := v["query"].(map[string]any)["custom"].([]any)
		for _, f := range custom {
			f := f.(map[string]any)
			param := "cf." + f["key"].(string)
			if op, ok := f["op"].(string); ok {
				param += "." + op
			}
			for _, val := range f["values"].([]any) {
				q.Add(param, val.(string))
			}
		}
		return names(c.all(t, c.owner, q.Encode(), 10))
	}
	v := view()
	require.Equal(t, []any{"cf.seats.min", "cf.company"}, v["dropped_filters"])
	require.Len(t, v["query"].(map[string]any)["custom"], 1, "the plan filter stays")
	require.Equal(t, []string{"Pro buyer"}, applied(v), "the view applies without the gone fields")

	// A rename answers the view the same way.
	resp = c.owner.Do("PATCH", c.base+"/views/"+id, map[string]any{"name": "Pro"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, []any{"cf.seats.min", "cf.company"}, resp.Map(t)["dropped_filters"])

	// Explicit filters on an archived field are still refused, naming the parameter.
	resp = c.owner.Do("GET", c.base+"/contacts?cf.seats.min=10", nil)
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "cf.seats.min")
	resp = c.owner.Do("PATCH", c.base+"/views/"+id, map[string]any{"query": query})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, fields(t, resp), "query.cf.seats.min")

	// Restoring the field brings its filter back.
	require.Equal(t, http.StatusOK, c.owner.Do("POST", c.base+"/fields/"+fieldIDs["seats"]+"/restore", nil).Status)
	v = view()
	require.Equal(t, []any{"cf.company"}, v["dropped_filters"])
	require.Len(t, v["query"].(map[string]any)["custom"], 2)
	require.Equal(t, []string{"Pro buyer"}, applied(v))
}
