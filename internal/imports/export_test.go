package imports_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/imports"
)

func TestNeutralize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=SUM(A1:A2)": "'=SUM(A1:A2)", "+14155550100": "'+14155550100", "-2": "'-2", "@cmd": "'@cmd",
		"\tx": "'\tx", "\rx": "'\rx", "Ada": "Ada", "": "", "a=b": "a=b",
	} {
		require.Equal(t, want, imports.Neutralize(in), "%q", in)
	}
}

// TestExportTheListView exports what the list shows: its filters and sort, the chosen custom
// columns with option labels, formulas defused, with or without a BOM, across many pages.
func TestExportTheListView(t *testing.T) {
	t.Parallel()
	c := setup(t)
	resp := c.owner.Do("POST", c.base+"/fields", map[string]any{"label": "Plan", "type": "single_select",
		"options": []map[string]string{{"label": "Free"}, {"label": "Pro"}}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	resp = c.owner.Do("POST", c.base+"/fields", map[string]any{"label": "Remarks", "type": "text"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	var file strings.Builder
	file.WriteString("email,name,plan,remarks\n")
	for i := range 1203 {
		plan := []string{"Free", "Pro"}[i%2]
		fmt.Fprintf(&file, "e%d@example.com,Person %04d,%s,\"=HYPERLINK(\"\"x\"\")\"\n", i, i, plan)
	}
	resp = c.upload(t, "e.csv", []byte(file.String()), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	c.wait(t, resp.Map(t)["id"].(string), "finished")

	read := func(query string) (http.Header, [][]string, []byte) {
		resp := c.owner.Do("GET", c.base+"/contacts/export"+query, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(resp.Body, []byte("\uFEFF")))).ReadAll()
		require.NoError(t, err)
		return resp.Header, rows, resp.Body
	}
	h, rows, body := read("?cf.plan=Pro&sort=name&columns=plan,remarks")
	require.Contains(t, h.Get("Content-Disposition"), "attachment")
	require.False(t, bytes.HasPrefix(body, []byte("\uFEFF")))
	require.Equal(t, []string{"Name", "Email", "Phone", "Stage", "Primary owner", "Secondary owner", "Source", "External id", "Status",
		"Created at", "Updated at", "Plan", "Remarks"}, rows[0])
	require.Len(t, rows, 1+601, "every Pro contact, across pages")
	require.Equal(t, "Person 0001", rows[1][0], "sorted by name")
	require.Equal(t, "Person 1201", rows[601][0])
	require.Equal(t, "via Import", rows[1][6])
	require.Equal(t, "Pro", rows[1][11])
	require.Equal(t, `'=HYPERLINK("x")`, rows[1][12])

	_, rows, body = read("?bom=true&q=e7@example.com")
	require.True(t, bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")))
	require.Len(t, rows, 2)
	require.Equal(t, []string{"Plan", "Remarks"}, rows[0][11:], "every active custom field without columns")

	for _, bad := range []string{"?cf.nope=1", "?columns=nope", "?bom=maybe", "?sort=sideways"} {
		resp := c.owner.Do("GET", c.base+"/contacts/export"+bad, nil)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", bad, resp.Body)
	}
}

// TestExportColumnsAndHeader: `columns=` (present, empty) is a list view that shows no custom
// column, so the file has none; without the parameter every active custom field is in it; a
// label that would run as a formula is defused in the header too.
func TestExportColumnsAndHeader(t *testing.T) {
	t.Parallel()
	c := setup(t)
	for _, label := range []string{"=cmd", "Plan"} {
		resp := c.owner.Do("POST", c.base+"/fields", map[string]any{"label": label, "type": "text"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	}
	c.createContact(t, map[string]any{"name": "Ann", "email": "ann@example.com", "custom": map[string]any{"cmd": "=1+1", "plan": "Pro"}})
	base := []string{"Name", "Email", "Phone", "Stage", "Primary owner", "Secondary owner", "Source", "External id", "Status",
		"Created at", "Updated at"}
	for _, tc := range []struct {
		query  string
		header []string
	}{
		{"?columns=", base},
		{"?columns=&bom=true", base},
		{"?columns=%20", base},
		{"", append(slices.Clone(base), "'=cmd", "Plan")},
		{"?columns=plan", append(slices.Clone(base), "Plan")},
		{"?columns=plan,cmd", append(slices.Clone(base), "Plan", "'=cmd")},
	} {
		resp := c.owner.Do("GET", c.base+"/contacts/export"+tc.query, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", tc.query, resp.Body)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(resp.Body, []byte("\uFEFF")))).ReadAll()
		require.NoError(t, err)
		require.Equal(t, tc.header, rows[0], tc.query)
		require.Len(t, rows[1], len(tc.header), tc.query)
		if len(tc.header) > len(base) && tc.header[len(base)] == "'=cmd" {
			require.Equal(t, "'=1+1", rows[1][len(base)], "cells are defused as before")
		}
	}
}

func TestParseExportOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", nil},
		{"columns=", []string{}},
		{"columns=,", []string{}},
		{"columns=a", []string{"a"}},
		{"columns=a,%20b%20,", []string{"a", "b"}},
	} {
		v, err := url.ParseQuery(tc.query)
		require.NoError(t, err)
		o, err := imports.ParseExportOptions(v)
		require.NoError(t, err)
		require.Equal(t, tc.want, o.Columns, tc.query)
	}
}

func TestUnneutralize(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"=SUM(A1:A2)", "+14155550100", "-2", "@cmd", "\tx", "\rx", "Ada", "", "a=b", "'quoted", "'"} {
		require.Equal(t, s, imports.Unneutralize(imports.Neutralize(s)), "%q", s)
	}
	require.Equal(t, "'Ada", imports.Unneutralize("'Ada"), "an apostrophe before anything else is data")
}
