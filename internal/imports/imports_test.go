package imports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type crm struct {
	env   *apptest.Env
	owner *apptest.Member
	agent string
	base  string // /api/v1/agents/{agent}
}

func setup(t *testing.T, configure ...func(*app.Config)) crm {
	t.Helper()
	env := apptest.Start(t, configure...)
	o := env.SignUp(t)
	agent := o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	return crm{env: env, owner: o, agent: agent, base: "/api/v1/agents/" + agent}
}

// upload sends content as the file of a new import; query is added to the URL.
func (c crm) upload(t *testing.T, name string, content []byte, query string) apptest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = part.Write(content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	client := *c.owner.Client
	client.Header = http.Header{"Content-Type": {w.FormDataContentType()}}
	return client.Do("POST", c.base+"/imports"+query, body.Bytes())
}

// wait polls an import until its status is one of want.
func (c crm) wait(t *testing.T, id string, want ...string) map[string]any {
	t.Helper()
	var imp map[string]any
	require.Eventually(t, func() bool {
		imp = c.owner.Do("GET", c.base+"/imports/"+id, nil).Map(t)
		for _, w := range want {
			if imp["status"] == w {
				return true
			}
		}
		return imp["status"] == "failed"
	}, 30*time.Second, 20*time.Millisecond)
	require.Contains(t, want, imp["status"], "import: %v", imp)
	return imp
}

func (c crm) contacts(t *testing.T) []map[string]any {
	t.Helper()
	resp := c.owner.Do("GET", c.base+"/contacts?limit=200", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out []map[string]any
	for _, it := range resp.Map(t)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func byEmail(list []map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, c := range list {
		if e, ok := c["email"].(string); ok {
			out[strings.ToLower(e)] = c
		}
	}
	return out
}

func progress(imp map[string]any) map[string]any { return imp["progress"].(map[string]any) }

func TestImportPreviewRunErrorsUndo(t *testing.T) {
	t.Parallel()
	c := setup(t)
	resp := c.owner.Do("POST", c.base+"/fields", map[string]any{"label": "Plan", "type": "single_select",
		"options": []map[string]string{{"label": "Free"}, {"label": "Pro"}}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	resp = c.owner.Do("POST", c.base+"/contacts", map[string]any{"name": "Existing", "email": "old@example.com", "phone": "+14155550100"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	existing := resp.Map(t)["id"].(string)

	file := "First Name,Last Name,Email,Phone,Plan,Stage\r\n" +
		"Ada,Lovelace,ada@example.com,+44 20 7946 0958,Pro,Prospect\r\n" +
		"Bad,Email,not-an-email,,Free,\r\n" +
		"Grace,Hopper,grace@example.com,,Gold,\r\n" +
		"Old,Friend,OLD@example.com,,Free,\r\n" + // updates the existing contact (its phone stays)
		"Ada,Again,ada@example.com,,,\r\n" + // a duplicate inside the file
		"\"Multi\nLine\",Name,multi@example.com,,,\r\n"
	resp = c.upload(t, "contacts.csv", []byte(file), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := resp.Map(t)
	id := imp["id"].(string)
	require.Equal(t, "uploaded", imp["status"])
	require.Equal(t, ",", imp["delimiter"])
	require.Equal(t, "utf-8", imp["encoding"])
	require.Equal(t, []any{"first_name", "last_name", "email", "phone", "custom:plan", "stage"}, imp["mapping"])
	require.EqualValues(t, 6, progress(imp)["total"])

	// The preview writes nothing and says what would happen, with reasons.
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/preview", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	p := resp.Map(t)
	require.EqualValues(t, 2, p["create"], "%s", resp.Body)
	require.EqualValues(t, 1, p["update"])
	require.EqualValues(t, 3, p["reject"])
	rows := p["rows"].([]any)
	require.Len(t, rows, 6)
	require.Equal(t, "Ada Lovelace", rows[0].(map[string]any)["name"])
	require.Equal(t, "+442079460958", rows[0].(map[string]any)["phone"])
	require.Contains(t, rows[1].(map[string]any)["reason"], "invalid email")
	require.Contains(t, rows[2].(map[string]any)["reason"], `"Gold" is not an option`)
	require.Equal(t, existing, rows[3].(map[string]any)["match_id"])
	require.Contains(t, rows[4].(map[string]any)["reason"], "duplicate inside the file: row 1")
	require.Equal(t, "Multi\nLine Name", rows[5].(map[string]any)["name"])
	require.Len(t, c.contacts(t), 1)

	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/start", map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	imp = c.wait(t, id, "finished")
	require.EqualValues(t, map[string]any{"rows_done": 6.0, "total": 6.0, "created": 2.0, "updated": 1.0, "skipped": 0.0, "rejected": 3.0},
		map[string]any{"rows_done": progress(imp)["rows_done"], "total": progress(imp)["total"], "created": progress(imp)["created"],
			"updated": progress(imp)["updated"], "skipped": progress(imp)["skipped"], "rejected": progress(imp)["rejected"]})
	all := byEmail(c.contacts(t))
	require.Len(t, all, 3)
	ada := all["ada@example.com"]
	require.Equal(t, "Ada Lovelace", ada["name"])
	require.Equal(t, "import", ada["source"])
	require.Equal(t, "Prospect", ada["stage"].(map[string]any)["name"])
	old := all["old@example.com"]
	require.Equal(t, "Old Friend", old["name"])
	require.Equal(t, "+14155550100", old["phone"], "an empty cell keeps the value")
	require.NotEmpty(t, old["custom"].(map[string]any)["plan"])

	// The error report: the rejected rows as they were, with the reason.
	resp = c.owner.Do("GET", c.base+"/imports/"+id+"/errors", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	report, err := csv.NewReader(bytes.NewReader(resp.Body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"First Name", "Last Name", "Email", "Phone", "Plan", "Stage", "reason"}, report[0])
	require.Len(t, report, 4)
	require.Equal(t, "not-an-email", report[1][2])
	require.Contains(t, report[1][6], "invalid email")
	require.Equal(t, "Gold", report[2][4])
	require.Contains(t, report[3][6], "duplicate")

	// The same file again: a warning first.
	resp = c.upload(t, "again.csv", []byte(file), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	again := resp.Map(t)
	require.Equal(t, id, again["earlier_import"].(map[string]any)["id"])
	resp = c.owner.Do("POST", c.base+"/imports/"+again["id"].(string)+"/start", map[string]any{})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)

	// Someone edits the updated contact; undo keeps that one and reverts the rest.
	resp = c.owner.Do("PATCH", c.base+"/contacts/"+existing, map[string]any{"name": "Edited Since"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil)
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	imp = c.wait(t, id, "undone")
	require.Len(t, imp["undo_kept"], 1)
	require.Equal(t, existing, imp["undo_kept"].([]any)[0].(map[string]any)["id"])
	all = byEmail(c.contacts(t))
	require.Len(t, all, 1)
	require.Equal(t, "Edited Since", all["old@example.com"]["name"])
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM audit_log WHERE resource = 'imports' AND action = 'undo'"))
}

func TestUndoRestoresUpdatedValues(t *testing.T) {
	t.Parallel()
	c := setup(t)
	resp := c.owner.Do("POST", c.base+"/contacts", map[string]any{"name": "Before", "email": "b@example.com"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	resp = c.upload(t, "u.csv", []byte("email;name\nb@example.com;After\n"), "?start=true&mode=update_only")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	imp := c.wait(t, id, "finished")
	require.EqualValues(t, 1, progress(imp)["updated"])
	require.Equal(t, "After", byEmail(c.contacts(t))["b@example.com"]["name"])
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil).Status)
	c.wait(t, id, "undone")
	require.Equal(t, "Before", byEmail(c.contacts(t))["b@example.com"]["name"])
}

func TestImportInChunksMatchesOneChunk(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("external id,email,phone,name\n")
	for i := range 250 {
		fmt.Fprintf(&b, "x%d,p%d@example.com,,Person %d\n", i, i, i)
		if i%50 == 0 {
			fmt.Fprintf(&b, "y%d,p%d@example.com,,Repeat %d\n", i, i, i) // a duplicate, possibly across chunks
		}
	}
	c := setup(t, func(cfg *app.Config) { cfg.ImportChunkRows = 7 })
	resp := c.upload(t, "many.csv", []byte(b.String()), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := c.wait(t, resp.Map(t)["id"].(string), "finished")
	require.EqualValues(t, 250, progress(imp)["created"])
	require.EqualValues(t, 5, progress(imp)["rejected"])
	require.Equal(t, 250, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM contacts WHERE source = 'import'"))
	// Automations: one job per chunk's new contacts.
	require.Positive(t, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM river.river_job WHERE kind = 'automate_contacts'"))
}

func TestImportReasons(t *testing.T) {
	t.Parallel()
	c := setup(t)
	for _, body := range []map[string]any{
		{"name": "Ann", "email": "ann@example.com"},
		{"name": "Bob", "email": "bob@example.com", "phone": "+14155550101"},
	} {
		resp := c.owner.Do("POST", c.base+"/contacts", body)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	}
	file := "name,email,phone\n" +
		"Ann Two,ann@example.com,+14155550101\n" + // updates Ann with Bob's phone
		"Nobody,,\n" +
		"Bob Two,bob@example.com,\n" +
		"Cy,cy@example.com,\n"
	preview := func(mode string) []any {
		resp := c.upload(t, "reasons.csv", []byte(file), "?mode="+mode)
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		resp = c.owner.Do("POST", c.base+"/imports/"+resp.Map(t)["id"].(string)+"/preview", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		return resp.Map(t)["rows"].([]any)
	}
	outcome := func(row any) (string, any) {
		return row.(map[string]any)["outcome"].(string), row.(map[string]any)["reason"]
	}
	rows := preview("create_and_update")
	for i, want := range [][2]any{
		{"reject", "phone belongs to another contact"},
		{"reject", "no email and no phone"},
		{"update", nil},
		{"create", nil},
	} {
		o, r := outcome(rows[i])
		require.Equal(t, want, [2]any{o, r}, "row %d", i+1)
	}
	rows = preview("create_only")
	for i, want := range []string{"skip", "reject", "skip", "create"} {
		o, _ := outcome(rows[i])
		require.Equal(t, want, o, "row %d", i+1)
	}
	o, r := outcome(rows[0])
	require.Equal(t, [2]any{"skip", "already exists (create only)"}, [2]any{o, r})
	rows = preview("update_only")
	o, r = outcome(rows[3])
	require.Equal(t, [2]any{"skip", "no matching contact (update only)"}, [2]any{o, r})
}

func TestCancelStopsAfterACommittedChunk(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "c%d@example.com,Person %d\n", i, i)
	}
	c := setup(t, func(cfg *app.Config) { cfg.ImportChunkRows = 10 })
	resp := c.upload(t, "cancel.csv", []byte(b.String()), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	require.Eventually(t, func() bool {
		return progress(c.owner.Do("GET", c.base+"/imports/"+id, nil).Map(t))["rows_done"].(float64) > 0
	}, 30*time.Second, 10*time.Millisecond)
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/cancel", nil)
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	imp := c.wait(t, id, "cancelled")
	done := int(progress(imp)["rows_done"].(float64))
	require.Less(t, done, 3000)
	require.Zero(t, done%10, "the checkpoint is a chunk's end")
	// What committed is exactly the chunks before the checkpoint, and nothing after it.
	require.EqualValues(t, done, progress(imp)["created"])
	require.Equal(t, done, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM contacts WHERE source = 'import'"))
	require.Equal(t, done, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM import_changes"))
	time.Sleep(200 * time.Millisecond) // a chunk in flight when the cancel committed is rolled back, not written later
	require.Equal(t, done, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM contacts WHERE source = 'import'"))
}

// A run stops at a committed chunk when its time slice is over and its job runs it again at
// once: here every chunk is a slice of its own, and the result is the same as in one go.
func TestRunsInSlices(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("external id,email,name\n")
	for i := range 120 {
		fmt.Fprintf(&b, "s%d,s%d@example.com,Person %d\n", i, i, i)
		if i%40 == 0 {
			fmt.Fprintf(&b, "t%d,s%d@example.com,Repeat %d\n", i, i, i) // a duplicate inside the file
		}
	}
	c := setup(t, func(cfg *app.Config) { cfg.ImportChunkRows = 10; cfg.ImportSlice = time.Nanosecond })
	resp := c.upload(t, "sliced.csv", []byte(b.String()), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	imp := c.wait(t, id, "finished")
	require.EqualValues(t, 123, progress(imp)["rows_done"])
	require.EqualValues(t, 120, progress(imp)["created"])
	require.EqualValues(t, 3, progress(imp)["rejected"])
	require.Equal(t, 120, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(DISTINCT email_normalized) FROM contacts WHERE source = 'import'"))
	require.Equal(t, 120, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM contacts WHERE source = 'import'"))
	// One job, run again after each slice (snoozed, so no attempt was spent on it).
	var runs, attempt, snoozes int
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) OVER (), attempt, COALESCE((metadata->>'snoozes')::int, 0)
			FROM river.river_job WHERE kind = 'run_import' AND args->>'import_id' = $1`, id).Scan(&runs, &attempt, &snoozes)
	})
	require.Equal(t, 1, runs)
	require.Equal(t, 1, attempt)
	require.GreaterOrEqual(t, snoozes, 10, "13 chunks: a run per chunk, or close to it")
}

// TestAnImportRefreshesStaleStatistics: a chunk that leaves contacts' statistics stale has the
// table analyzed (00028), so the next chunks and the automations are planned for the agent's
// real size rather than walking its contacts for every lookup by id (a fresh deployment's
// first import stood still for a minute or two until autovacuum came by). Not parallel: no
// other test of the package writes meanwhile.
func TestAnImportRefreshesStaleStatistics(t *testing.T) {
	c := setup(t)
	analyzed := func() int {
		return c.env.Count(t, c.owner.WorkspaceID,
			`SELECT COALESCE(extract(epoch FROM last_analyze) * 1000, 0)::bigint % 1000000000 FROM pg_stat_user_tables WHERE relname = 'contacts'`)
	}
	before := analyzed()
	var file strings.Builder
	file.WriteString("email,name\n")
	for i := range 1500 {
		fmt.Fprintf(&file, "stats%d@example.com,Stats %d\n", i, i)
	}
	resp := c.upload(t, "stats.csv", []byte(file.String()), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := c.wait(t, resp.Map(t)["id"].(string), "finished")
	require.EqualValues(t, 1500, progress(imp)["created"], "%v", imp)
	// The chunk commits (and the import is finished) before the statistics are asked for.
	require.Eventually(t, func() bool { return analyzed() != before }, 10*time.Second, 50*time.Millisecond,
		"contacts were analyzed after the chunk")
}
