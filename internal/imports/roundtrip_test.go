package imports_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// field creates a custom field and returns it as the API answers.
func (c crm) field(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	resp := c.owner.Do("POST", c.base+"/fields", body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

// readCSV reads a CSV answer (a BOM dropped).
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	require.NoError(t, err)
	return rows
}

// TestErrorReportIsDefusedAndImportsBack: the error report's cells and header go through
// Neutralize like an export's, and the report, fixed and uploaded again, imports the values
// the file had (phones with +, negative numbers, text beginning with =), not the apostrophes.
func TestErrorReportIsDefusedAndImportsBack(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.field(t, map[string]any{"label": "Score", "type": "number"})
	c.field(t, map[string]any{"label": "Note", "type": "text"})
	file := "email,phone,score,=note\n" +
		"a@example.com,+14155550100,-3,=1+1\n" +
		"not-an-email,+14155550101,-4,=SUM(A1)\n"
	resp := c.upload(t, "defuse.csv", []byte(file), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := resp.Map(t)
	require.Equal(t, []any{"email", "phone", "custom:score", "custom:note"}, imp["mapping"])
	id := imp["id"].(string)
	c.wait(t, id, "finished")

	resp = c.owner.Do("GET", c.base+"/imports/"+id+"/errors", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	report := readCSV(t, resp.Body)
	require.Equal(t, []string{"email", "phone", "score", "'=note", "reason"}, report[0])
	require.Len(t, report, 2)
	require.Equal(t, []string{"not-an-email", "'+14155550101", "'-4", "'=SUM(A1)"}, report[1][:4])
	require.Contains(t, report[1][4], "invalid email")

	// Fixed and uploaded again: the same mapping, the file's own values.
	report[1][0] = "b@example.com"
	var fixed bytes.Buffer
	w := csv.NewWriter(&fixed)
	require.NoError(t, w.WriteAll(report))
	resp = c.upload(t, "errors-defuse.csv", fixed.Bytes(), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	again := resp.Map(t)
	require.Equal(t, []any{"email", "phone", "score", "=note", "reason"}, again["headers"])
	require.Equal(t, []any{"email", "phone", "custom:score", "custom:note", "ignore"}, again["mapping"])
	resp = c.owner.Do("POST", c.base+"/imports/"+again["id"].(string)+"/start", map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	done := c.wait(t, again["id"].(string), "finished")
	require.EqualValues(t, 1, progress(done)["created"], "%v", done)

	all := byEmail(c.contacts(t))
	for email, want := range map[string][3]any{
		"a@example.com": {"+14155550100", -3.0, "=1+1"},
		"b@example.com": {"+14155550101", -4.0, "=SUM(A1)"},
	} {
		ct := all[email]
		require.NotNil(t, ct, email)
		custom := ct["custom"].(map[string]any)
		require.Equal(t, want, [3]any{ct["phone"], custom["score"], custom["note"]}, email)
	}
}

// TestMultiSelectCells: a multi-select cell lists options separated by ";" (or "," when it has
// no ";"), labels holding a separator are recognized whole, and an export imports back to the
// same values.
func TestMultiSelectCells(t *testing.T) {
	t.Parallel()
	c := setup(t)
	f := c.field(t, map[string]any{"label": "Tags", "type": "multi_select",
		"options": []map[string]string{{"label": "Free"}, {"label": "Pro"}, {"label": "Enterprise, EU"}, {"label": "A; B"}}})
	labelOf := map[string]string{}
	for _, o := range f["options"].([]any) {
		o := o.(map[string]any)
		labelOf[o["id"].(string)] = o["label"].(string)
	}
	labels := func(v any) []string {
		var out []string
		list, _ := v.([]any)
		for _, id := range list {
			out = append(out, labelOf[id.(string)])
		}
		slices.Sort(out)
		return out
	}

	cases := []struct {
		email, cell string
		want        []string // nil: rejected
		reason      string
	}{
		{"m1@example.com", "Free; Pro", []string{"Free", "Pro"}, ""},
		{"m2@example.com", "Free, Pro", []string{"Free", "Pro"}, ""},
		{"m3@example.com", "Enterprise, EU", []string{"Enterprise, EU"}, ""},
		{"m4@example.com", "Pro; Enterprise, EU", []string{"Enterprise, EU", "Pro"}, ""},
		{"m5@example.com", "A; B; free", []string{"A; B", "Free"}, ""},
		{"m6@example.com", "Pro;", []string{"Pro"}, ""},
		{"m7@example.com", "Free; Gold", nil, `Tags "Gold" is not an option of this field`},
		{"m8@example.com", "Free,Gold", nil, `Tags "Gold" is not an option of this field`},
	}
	var file strings.Builder
	w := csv.NewWriter(&file)
	require.NoError(t, w.Write([]string{"email", "tags"}))
	for _, tc := range cases {
		require.NoError(t, w.Write([]string{tc.email, tc.cell}))
	}
	w.Flush()
	resp := c.upload(t, "tags.csv", []byte(file.String()), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/preview", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	for i, row := range resp.Map(t)["rows"].([]any) {
		row := row.(map[string]any)
		tc := cases[i]
		if tc.want == nil {
			require.Equal(t, "reject", row["outcome"], tc.cell)
			require.Equal(t, tc.reason, row["reason"], tc.cell)
			continue
		}
		require.Equal(t, "create", row["outcome"], "%s: %v", tc.cell, row["reason"])
		require.Equal(t, tc.want, labels(row["custom"].(map[string]any)["tags"]), tc.cell)
	}
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/start", map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	c.wait(t, id, "finished")
	before := map[string][]string{}
	for email, ct := range byEmail(c.contacts(t)) {
		before[email] = labels(ct["custom"].(map[string]any)["tags"])
	}
	require.Len(t, before, 6)

	// Export, undo (the contacts are gone), import the export: the same values.
	resp = c.owner.Do("GET", c.base+"/contacts/export?columns=tags", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	exported := resp.Body
	rows := readCSV(t, exported)
	require.Equal(t, "Pro; Enterprise, EU", rowOf(t, rows, "m4@example.com")[11], "labels in the options' order, joined by \"; \"")
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil).Status)
	c.wait(t, id, "undone")
	require.Empty(t, c.contacts(t))

	resp = c.upload(t, "export.csv", exported, "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	done := c.wait(t, resp.Map(t)["id"].(string), "finished")
	require.EqualValues(t, 6, progress(done)["created"], "%v", done)
	after := map[string][]string{}
	for email, ct := range byEmail(c.contacts(t)) {
		after[email] = labels(ct["custom"].(map[string]any)["tags"])
	}
	require.Equal(t, before, after)
}

func rowOf(t *testing.T, rows [][]string, email string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) > 1 && r[1] == email {
			return r
		}
	}
	t.Fatalf("no row for %s", email)
	return nil
}

// TestRetiredOptionsStayOnTheirHolders: a retired option can no longer be chosen, but an export
// of contacts that hold one imports back onto them (the row is an update that keeps it); a
// row that would give a retired option to another contact, or to a new one, is rejected with
// the field and the option named.
func TestRetiredOptionsStayOnTheirHolders(t *testing.T) {
	t.Parallel()
	c := setup(t)
	plan := c.field(t, map[string]any{"label": "Plan", "type": "single_select",
		"options": []map[string]any{{"label": "Free"}, {"label": "Legacy"}}})
	tags := c.field(t, map[string]any{"label": "Tags", "type": "multi_select",
		"options": []map[string]any{{"label": "A"}, {"label": "Old"}}})
	optionID := func(f map[string]any, i int) string { return f["options"].([]any)[i].(map[string]any)["id"].(string) }
	free, legacy := optionID(plan, 0), optionID(plan, 1)
	a, old := optionID(tags, 0), optionID(tags, 1)
	holder := c.createContact(t, map[string]any{"name": "Holder", "email": "holder@example.com",
		"custom": map[string]any{"plan": legacy, "tags": []string{a, old}}})
	other := c.createContact(t, map[string]any{"name": "Other", "email": "other@example.com", "custom": map[string]any{"plan": free}})
	partial := c.createContact(t, map[string]any{"name": "Partial", "email": "partial@example.com", "custom": map[string]any{"tags": []string{old}}})
	c.automated(t)
	for _, f := range []struct {
		field       map[string]any
		keep, retir string
		keepLabel   string
		retireLabel string
	}{{plan, free, legacy, "Free", "Legacy"}, {tags, a, old, "A", "Old"}} {
		resp := c.owner.Do("PATCH", c.base+"/fields/"+f.field["id"].(string), map[string]any{"options": []map[string]any{
			{"id": f.keep, "label": f.keepLabel}, {"id": f.retir, "label": f.retireLabel, "retired": true}}})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	}

	// The export, with one name changed, imports back: the holder keeps its retired options.
	resp := c.owner.Do("GET", c.base+"/contacts/export?columns=plan,tags", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	rows := readCSV(t, resp.Body)
	row := rowOf(t, rows, "holder@example.com")
	require.Equal(t, []string{"Legacy", "A; Old"}, row[len(row)-2:])
	row[0] = "Holder Renamed"
	var file bytes.Buffer
	w := csv.NewWriter(&file)
	require.NoError(t, w.WriteAll(rows))
	resp = c.upload(t, "export.csv", file.Bytes(), "?start=true&mode=create_and_update")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	done := c.wait(t, resp.Map(t)["id"].(string), "finished")
	require.EqualValues(t, 1, progress(done)["updated"], "%v", done)
	require.EqualValues(t, 0, progress(done)["rejected"], "%v", done)
	all := byEmail(c.contacts(t))
	require.Equal(t, "Holder Renamed", all["holder@example.com"]["name"])
	require.Equal(t, map[string]any{"plan": legacy, "tags": []any{a, old}}, all["holder@example.com"]["custom"])

	// Chosen anew, for another contact or a new one, a retired option is refused.
	file.Reset()
	file.WriteString("email,plan,tags\nother@example.com,Legacy,\nnew@example.com,,A; Old\nholder@example.com,,old\n" +
		"partial@example.com,Legacy,Old\n")
	resp = c.upload(t, "anew.csv", file.Bytes(), "?mode=create_and_update")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/preview", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var got [][2]any
	for _, r := range resp.Map(t)["rows"].([]any) {
		r := r.(map[string]any)
		got = append(got, [2]any{r["outcome"], r["reason"]})
	}
	require.Equal(t, [][2]any{
		{"reject", `Plan "Legacy" is retired: it can no longer be chosen`},
		{"reject", `Tags "Old" is retired: it can no longer be chosen`},
		{"update", nil}, // the holder's tags narrowed to the retired option it holds
		{"reject", `Plan "Legacy" is retired: it can no longer be chosen`}, // Old it holds: not named
	}, got)
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/start", map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	done = c.wait(t, id, "finished")
	require.EqualValues(t, 1, progress(done)["updated"], "%v", done)
	require.EqualValues(t, 3, progress(done)["rejected"], "%v", done)
	all = byEmail(c.contacts(t))
	require.Equal(t, map[string]any{"plan": legacy, "tags": []any{old}}, all["holder@example.com"]["custom"])
	require.Equal(t, map[string]any{"plan": free}, all["other@example.com"]["custom"])
	require.NotContains(t, all, "new@example.com")
	require.Equal(t, map[string]any{"tags": []any{old}}, all["partial@example.com"]["custom"])
	require.Len(t, all, 3, "%v", []string{holder, other, partial})
}
