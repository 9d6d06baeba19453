package imports_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/imports"
)

// TestMatchingAndReasons: how rows are matched (external id before email), mapped (owner by
// a member's email, a custom field by its key), and the reasons a row is refused for.
func TestMatchingAndReasons(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.field(t, map[string]any{"label": "Customer tier", "key": "tier", "type": "text"})
	c.field(t, map[string]any{"label": "Score", "type": "number"})
	c.field(t, map[string]any{"label": "Since", "type": "date"})
	a := c.createContact(t, map[string]any{"name": "A", "email": "a@example.com", "external_id": "ext-a"})
	c.createContact(t, map[string]any{"name": "B", "email": "b@example.com"})
	c.automated(t)

	rows := []struct {
		cells   string
		outcome string
		reason  any    // nil: none; a string: the reason begins with it
		match   string // the contact matched
	}{
		// The external id matches A, though the email is B's: A is the match, and B's email
		// cannot move to it.
		{"ext-a,b@example.com,,,,,,", "reject", "email belongs to another contact", a},
		{"ext-new,a2@example.com,,A Two,,,,", "create", nil, ""},
		{",c@example.com,,Cy," + strings.ToUpper(c.owner.Email) + ",Gold,7,2024-02-29", "create", nil, ""},
		{",d@example.com,,,nobody@example.com,,,", "reject", `owner "nobody@example.com" is not a member who works in this agent`, ""},
		{",e@example.com,,,,,abc,", "reject", "Score must be a number", ""},
		{",f@example.com,,,,,,2024-13-45", "reject", "Since must be a date as YYYY-MM-DD", ""},
		{",g@example.com,12,,,,,", "reject", `invalid phone "12"`, ""},
		{",h@example.com,,,,,1e999,31/12/2024", "reject", "Score must be a number within ±1.8e308; Since must be a date as YYYY-MM-DD", ""},
	}
	var file strings.Builder
	file.WriteString("External ID,Email,Phone,Name,Owner,tier,Score,Since\n")
	for _, r := range rows {
		file.WriteString(r.cells + "\n")
	}
	resp := c.upload(t, "reasons.csv", []byte(file.String()), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := resp.Map(t)
	require.Equal(t, []any{"external_id", "email", "phone", "name", "owner", "custom:tier", "custom:score", "custom:since"}, imp["mapping"],
		"tier is the key of the field labelled Customer tier")
	id := imp["id"].(string)
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/preview", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	preview := resp.Map(t)["rows"].([]any)
	require.Len(t, preview, len(rows))
	for i, want := range rows {
		got := preview[i].(map[string]any)
		require.Equal(t, want.outcome, got["outcome"], "row %d: %v", i+1, got)
		if want.reason == nil {
			require.Nil(t, got["reason"], "row %d", i+1)
		} else {
			require.Equal(t, want.reason, got["reason"], "row %d", i+1)
		}
		if want.match != "" {
			require.Equal(t, want.match, got["match_id"], "row %d", i+1)
		}
	}
	owner := preview[2].(map[string]any)
	require.Equal(t, c.owner.UserID.String(), owner["owner_id"], "the owner found by email, whatever its case")

	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/start", map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	done := c.wait(t, id, "finished")
	require.EqualValues(t, 2, progress(done)["created"])
	require.EqualValues(t, 0, progress(done)["updated"])
	require.EqualValues(t, 6, progress(done)["rejected"])
	cy := byEmail(c.contacts(t))["c@example.com"]
	require.Equal(t, c.owner.UserID.String(), cy["primary_owner"].(map[string]any)["id"])
	require.Equal(t, map[string]any{"tier": "Gold", "score": 7.0, "since": "2024-02-29"}, cy["custom"])
}

// TestMappingTemplateIsRemembered: the mapping and mode a run started with are offered again
// for the agent's next file with the same headers (in any case and spacing), not for other
// headers, nor in another agent.
func TestMappingTemplateIsRemembered(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.field(t, map[string]any{"label": "Remarks", "type": "text"})
	resp := c.upload(t, "first.csv", []byte("E-mail,Full name,Notes\nt1@example.com,T One,hello\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	first := resp.Map(t)
	require.Equal(t, []any{"email", "name", "ignore"}, first["mapping"], "the suggestion: Notes names no field")
	id := first["id"].(string)
	chosen := []string{"email", "ignore", "custom:remarks"}
	resp = c.owner.Do("PUT", c.base+"/imports/"+id+"/mapping", map[string]any{"mode": "create_only", "mapping": chosen})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	// A mapping is remembered when its run starts, not before.
	resp = c.upload(t, "early.csv", []byte("E-mail,Full name,Notes\nt0@example.com,T Zero,x\n"), "")
	require.Equal(t, []any{"email", "name", "ignore"}, resp.Map(t)["mapping"])
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/start", map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	c.wait(t, id, "finished")

	for _, tc := range []struct {
		name, file string
		mapping    []any
		mode       string
	}{
		{"same headers", "E-mail,Full name,Notes\nt2@example.com,T Two,again\n", []any{"email", "ignore", "custom:remarks"}, "create_only"},
		{"same headers, other case and spaces", " e-MAIL ,FULL NAME,notes \nt3@example.com,T Three,x\n", []any{"email", "ignore", "custom:remarks"}, "create_only"},
		{"other headers", "E-mail,Full name,Notes,Phone\nt4@example.com,T Four,x,\n", []any{"email", "name", "ignore", "phone"}, "create_and_update"},
	} {
		resp := c.upload(t, tc.name+".csv", []byte(tc.file), "")
		require.Equal(t, http.StatusCreated, resp.Status, "%s: %s", tc.name, resp.Body)
		imp := resp.Map(t)
		require.Equal(t, tc.mapping, imp["mapping"], tc.name)
		require.Equal(t, tc.mode, imp["mode"], tc.name)
	}
	// With start=true the run takes the template's mapping and the mode asked for.
	resp = c.upload(t, "scripted.csv", []byte("E-mail,Full name,Notes\nt5@example.com,T Five,scripted\n"), "?start=true&mode=create_and_update")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := resp.Map(t)
	require.Equal(t, "create_and_update", imp["mode"])
	c.wait(t, imp["id"].(string), "finished")
	t5 := byEmail(c.contacts(t))["t5@example.com"]
	require.Equal(t, "", t5["name"], "Full name is ignored by the template")
	require.Equal(t, "scripted", t5["custom"].(map[string]any)["remarks"])

	// Another agent of the workspace has templates of its own.
	resp = c.owner.Do("POST", "/api/v1/agents", map[string]any{"name": "Other agent"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	other := crm{env: c.env, owner: c.owner, agent: resp.Map(t)["id"].(string)}
	other.base = "/api/v1/agents/" + other.agent
	resp = other.upload(t, "same.csv", []byte("E-mail,Full name,Notes\nt6@example.com,T Six,x\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, []any{"email", "name", "ignore"}, resp.Map(t)["mapping"])
}

// TestReimportNeedsConfirmation: the same bytes again into the agent warn first; confirmed
// (on start or on an upload with start=true), they run.
func TestReimportNeedsConfirmation(t *testing.T) {
	t.Parallel()
	c := setup(t)
	file := []byte("email,name\nr1@example.com,R One\nr2@example.com,R Two\n")
	resp := c.upload(t, "r.csv", file, "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	first := resp.Map(t)["id"].(string)
	c.wait(t, first, "finished")

	// Uploaded with start=true and no confirmation: refused, nothing kept.
	resp = c.upload(t, "r.csv", file, "?start=true")
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), `"confirm_reimport"`)
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM imports"))

	// Uploaded, then started: the warning names the earlier import; confirmed, the run goes.
	resp = c.upload(t, "r-again.csv", file, "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	again := resp.Map(t)
	require.Equal(t, first, again["earlier_import"].(map[string]any)["id"])
	id := again["id"].(string)
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/start", map[string]any{})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Equal(t, first, resp.Map(t)["error"].(map[string]any)["details"].(map[string]any)["earlier_import_id"])
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/start", map[string]any{"confirm_reimport": true})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	done := c.wait(t, id, "finished")
	require.EqualValues(t, 2, progress(done)["skipped"], "the same rows again change nothing")

	resp = c.upload(t, "r-third.csv", file, "?start=true&confirm_reimport=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	c.wait(t, resp.Map(t)["id"].(string), "finished")
	require.Len(t, c.contacts(t), 2)
}

// TestRateOfAOneChunkRun: a run that fits in one chunk has a rate: it is counted from when the
// job began working, to when the run ended, not within the chunk's one transaction.
func TestRateOfAOneChunkRun(t *testing.T) {
	t.Parallel()
	c := setup(t)
	var file strings.Builder
	file.WriteString("email\n")
	for i := range 500 {
		fmt.Fprintf(&file, "rate%d@example.com\n", i)
	}
	resp := c.upload(t, "rate.csv", []byte(file.String()), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := c.wait(t, resp.Map(t)["id"].(string), "finished")
	started, err := time.Parse(time.RFC3339Nano, imp["started_at"].(string))
	require.NoError(t, err)
	finished, err := time.Parse(time.RFC3339Nano, imp["finished_at"].(string))
	require.NoError(t, err)
	require.True(t, finished.After(started), "started %s, finished %s", started, finished)
	rate := progress(imp)["rows_per_second"].(float64)
	require.Positive(t, rate)
	require.InEpsilon(t, progress(imp)["rows_done"].(float64)/finished.Sub(started).Seconds(), rate, 0.01)
	require.Nil(t, progress(imp)["seconds_left"], "no time left once finished")
}

// TestSuggestIgnoresAccents: headers are matched with case, spacing, punctuation and accents
// folded away, so a French export's "Prénom" and "Téléphone" map like "prenom" and
// "telephone", and a custom field labelled "Société" matches a "Societe" column.
func TestSuggestIgnoresAccents(t *testing.T) {
	t.Parallel()
	got := imports.Suggest([]string{"Prénom", "Nom", "Courriel", "Téléphone", "SOCIETE", "Ville"},
		[]fields.Field{{Key: "societe", Label: "Société"}})
	require.Equal(t, []string{imports.TargetFirstName, imports.TargetLastName, imports.TargetEmail, imports.TargetPhone,
		"custom:societe", imports.TargetIgnore}, got)
}

// TestPreviewKeepsItsReasonsShort: a reason names the value at fault, so a file of distinct bad
// values has as many reasons as rows; the preview lists the MaxReasons with the most rows and
// folds the rest into one line per outcome, the counts adding up.
func TestPreviewKeepsItsReasonsShort(t *testing.T) {
	t.Parallel()
	c := setup(t)
	var file strings.Builder
	file.WriteString("email,phone\n")
	for i := range 5 {
		fmt.Fprintf(&file, "same%d@example.com,99\n", i) // one reason, 5 rows: listed first
	}
	for i := range imports.MaxReasons + 4 {
		fmt.Fprintf(&file, "bad%d@example.com,%d\n", i, i+100) // a reason each
	}
	resp := c.upload(t, "phones.csv", []byte(file.String()), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	resp = c.owner.Do("POST", c.base+"/imports/"+resp.Map(t)["id"].(string)+"/preview", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	preview := resp.Map(t)
	require.EqualValues(t, imports.MaxReasons+4+5, preview["reject"])
	reasons := preview["reasons"].([]any)
	require.Len(t, reasons, imports.MaxReasons+1)
	require.Equal(t, map[string]any{"outcome": "reject", "reason": `invalid phone "99"`, "rows": float64(5)}, reasons[0])
	require.Equal(t, map[string]any{"outcome": "reject", "reason": "5 other reasons", "rows": float64(5)}, reasons[imports.MaxReasons])
}
