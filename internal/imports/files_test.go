package imports_test

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
)

func utf16LE(s string) []byte { return utf16With(binary.LittleEndian, []byte{0xFF, 0xFE}, s) }

func utf16BE(s string) []byte { return utf16With(binary.BigEndian, []byte{0xFE, 0xFF}, s) }

// utf16With encodes s as UTF-16 in byte order o, after bom.
func utf16With(o binary.ByteOrder, bom []byte, s string) []byte {
	var b bytes.Buffer
	b.Write(bom)
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&b, o, u)
	}
	return b.Bytes()
}

// storedFiles counts what is left in the blob folder.
func storedFiles(t *testing.T, dir string) int {
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	}))
	return n
}

// TestRealWorldFiles imports the files spreadsheets and other CRMs really produce: each is read
// correctly, or refused with an error that says why and leaves nothing behind.
func TestRealWorldFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := setup(t, func(cfg *app.Config) { cfg.BlobURL = dir; cfg.ImportMaxRows = 50; cfg.ImportMaxBytes = 12 << 20 })

	imported := []struct {
		name      string
		content   []byte
		encoding  string
		delimiter string
		want      map[string]string // email → name
		rejected  int
	}{
		{"bom.csv", []byte("\xEF\xBB\xBFEmail,Name\r\nbom@example.com,Böm\r\n"), "utf-8", ",", map[string]string{"bom@example.com": "Böm"}, 0},
		{"semicolon.csv", []byte("E-mail;Full name;Phone\nsemi@example.com;Semi Colon;+33 1 42 68 53 00\n"), "utf-8", ";", map[string]string{"semi@example.com": "Semi Colon"}, 0},
		{"windows-1252.csv", []byte("email,name\nwin@example.com,Jos\xe9 M\xfcller \x80\n"), "windows-1252", ",", map[string]string{"win@example.com": "José Müller €"}, 0},
		{"utf-16.csv", utf16LE("email\tname\r\nsixteen@example.com\tZoë\r\n"), "utf-16le", "\t", map[string]string{"sixteen@example.com": "Zoë"}, 0},
		{"utf-16be.csv", utf16BE("email;name\r\nbig-endian@example.com;Zoë 😀 Ñandú\r\n"), "utf-16be", ";",
			map[string]string{"big-endian@example.com": "Zoë 😀 Ñandú"}, 0},
		{"pipes.csv", []byte("email|name\npipe@example.com|Pi Pe\n"), "utf-8", "|", map[string]string{"pipe@example.com": "Pi Pe"}, 0},
		{"quoted-newlines.csv", []byte("email,name\n\"quoted@example.com\",\"Two\r\nLines, and a \"\"quote\"\"\"\n"), "utf-8", ",", map[string]string{"quoted@example.com": "Two\nLines, and a \"quote\""}, 0},
		// A short row's missing cells are empty; a long row with more values is rejected.
		{"ragged.csv", []byte("email,name\nshort@example.com\nlong@example.com,Long,extra\ntrailing@example.com,Trailing,,\n"), "utf-8", ",",
			map[string]string{"short@example.com": "", "trailing@example.com": "Trailing"}, 1},
		{"no-header.csv", []byte("headless@example.com,Head Less\n"), "utf-8", ",", map[string]string{"headless@example.com": "Head Less"}, 0},
	}
	for _, f := range imported {
		resp := c.upload(t, f.name, f.content, "")
		require.Equal(t, http.StatusCreated, resp.Status, "%s: %s", f.name, resp.Body)
		imp := resp.Map(t)
		require.Equal(t, f.encoding, imp["encoding"], f.name)
		require.Equal(t, f.delimiter, imp["delimiter"], f.name)
		if f.name == "no-header.csv" {
			require.Equal(t, false, imp["has_header"])
			resp = c.owner.Do("PUT", c.base+"/imports/"+imp["id"].(string)+"/mapping", map[string]any{"mode": "create_and_update", "mapping": []string{"email", "name"}})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		}
		resp = c.owner.Do("POST", c.base+"/imports/"+imp["id"].(string)+"/start", map[string]any{})
		require.Equal(t, http.StatusAccepted, resp.Status, "%s: %s", f.name, resp.Body)
		done := c.wait(t, imp["id"].(string), "finished")
		require.EqualValues(t, f.rejected, progress(done)["rejected"], f.name)
		all := byEmail(c.contacts(t))
		for email, name := range f.want {
			require.Contains(t, all, email, f.name)
			require.Equal(t, name, all[email]["name"], f.name)
		}
	}
	before := storedFiles(t, dir)

	refused := []struct {
		name    string
		content []byte
		status  int
		message string
	}{
		{"empty.csv", nil, http.StatusBadRequest, "is empty"},
		{"header-only.csv", []byte("email,name\r\n"), http.StatusBadRequest, "no data rows"},
		{"binary.csv", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...), http.StatusBadRequest, "binary"},
		// Rows are named as the preview and the error report count them, header or not.
		{"open-quote-row-3.csv", []byte("email,notes\na@example.com,x\nb@example.com,x\nc@example.com,\"never closed\n" + strings.Repeat("more@example.com,row\n", 250000)),
			http.StatusBadRequest, "row 3 is larger than 4 MiB"},
		{"open-quote-row-3-headerless.csv", []byte("a@example.com,x\nb@example.com,x\nc@example.com,\"never closed\n" + strings.Repeat("more@example.com,row\n", 250000)),
			http.StatusBadRequest, "row 3 is larger than 4 MiB"},
		{"one-big-field.csv", []byte("email,notes\nbig@example.com,\"" + strings.Repeat("x", 10<<20) + "\"\n"), http.StatusBadRequest, "larger than 4 MiB"},
		{"open-quote.csv", []byte("email,notes\nopen@example.com,\"never closed\n" + strings.Repeat("more@example.com,row\n", 300000)), http.StatusBadRequest, "larger than 4 MiB"},
		{"too-many-rows.csv", []byte("email\n" + strings.Repeat("r@example.com\n", 51)), http.StatusBadRequest, "more than 50 data rows"},
		{"too-large.csv", []byte("email\n" + strings.Repeat("x", 13<<20)), http.StatusRequestEntityTooLarge, ""},
	}
	for _, f := range refused {
		resp := c.upload(t, f.name, f.content, "")
		require.Equal(t, f.status, resp.Status, "%s: %s", f.name, resp.Body)
		require.Contains(t, string(resp.Body), f.message, f.name)
	}
	require.Equal(t, before, storedFiles(t, dir), "a refused file left its bytes behind")
	require.Equal(t, len(imported), c.env.Count(t, c.owner.WorkspaceID, "SELECT count(*) FROM imports"))
}

// TestTheMemberSaysWhetherTheFirstRowIsAHeader: the guess (a first row holding an email or a
// phone number is data) can be wrong either way, so the mapping step can say otherwise: the
// headers, the row count and the suggested mapping follow, and the run reads the file so.
func TestTheMemberSaysWhetherTheFirstRowIsAHeader(t *testing.T) {
	t.Parallel()
	c := setup(t, func(cfg *app.Config) { cfg.ImportMaxRows = 50 })
	mapping := func(id string, body map[string]any) map[string]any {
		t.Helper()
		resp := c.owner.Do("PUT", c.base+"/imports/"+id+"/mapping", body)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		return resp.Map(t)
	}

	// Phones only, no header: the first row is data.
	resp := c.upload(t, "phones.csv", []byte("+1 415 555 0100,Ada\n+1 415 555 0101,Grace\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, false, resp.Map(t)["has_header"])

	// Names only, no header: nothing tells, so the first row is taken for a header...
	resp = c.upload(t, "names.csv", []byte("Ada Lovelace,ada@example.com\nGrace Hopper,grace@example.com\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, false, resp.Map(t)["has_header"], "an email in the first row is data")
	resp = c.upload(t, "guess.csv", []byte("Full name,E-mail address\nAda Lovelace,ada@example.com\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	imp := resp.Map(t)
	id := imp["id"].(string)
	require.Equal(t, true, imp["has_header"])
	require.Equal(t, []any{"Full name", "E-mail address"}, imp["headers"])
	require.Equal(t, []any{"name", "email"}, imp["mapping"])
	require.EqualValues(t, 1, progress(imp)["total"])

	// ...which the member corrects: columns by position, two rows, a mapping suggested anew.
	imp = mapping(id, map[string]any{"mode": "create_and_update", "has_header": false})
	require.Equal(t, false, imp["has_header"])
	require.Equal(t, []any{"Column 1", "Column 2"}, imp["headers"])
	require.Equal(t, []any{"ignore", "ignore"}, imp["mapping"])
	require.EqualValues(t, 2, progress(imp)["total"])
	// And back: the header's names and their suggestion again.
	imp = mapping(id, map[string]any{"mode": "create_and_update", "has_header": true})
	require.Equal(t, []any{"Full name", "E-mail address"}, imp["headers"])
	require.Equal(t, []any{"name", "email"}, imp["mapping"])
	require.EqualValues(t, 1, progress(imp)["total"])

	// A mapping given with the change is the one kept; the run reads the first row as data.
	imp = mapping(id, map[string]any{"mode": "create_and_update", "has_header": false, "mapping": []string{"name", "email"}})
	require.Equal(t, []any{"name", "email"}, imp["mapping"])
	resp = c.owner.Do("POST", c.base+"/imports/"+id+"/preview", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	rows := resp.Map(t)["rows"].([]any)
	require.Len(t, rows, 2)
	require.Equal(t, "reject", rows[0].(map[string]any)["outcome"])
	require.Contains(t, rows[0].(map[string]any)["reason"], "invalid email", "the old header row is a row now")
	require.Equal(t, "create", rows[1].(map[string]any)["outcome"])

	// A one-row file cannot be all header; a started import's header cannot change.
	resp = c.upload(t, "one.csv", []byte("ada@example.com,Ada Lovelace\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	one := resp.Map(t)
	require.Equal(t, false, one["has_header"], "a file of one row is data")
	resp = c.owner.Do("PUT", c.base+"/imports/"+one["id"].(string)+"/mapping", map[string]any{"mode": "create_only", "has_header": true})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), `"has_header"`)
	// At the row limit (50 here), the first row cannot become one more data row.
	resp = c.upload(t, "full.csv", []byte("email\n"+strings.Repeat("r@example.com\n", 50)), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	resp = c.owner.Do("PUT", c.base+"/imports/"+resp.Map(t)["id"].(string)+"/mapping", map[string]any{"mode": "create_only", "has_header": false})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), "more than 50 data rows")

	// A file without a header leaves no template: its columns have positions, not names, and
	// the next headerless file of as many columns is no reason to map it the same way.
	resp = c.upload(t, "first-headless.csv", []byte("a@example.com,Ada\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	first := resp.Map(t)["id"].(string)
	mapping(first, map[string]any{"mode": "create_only", "mapping": []string{"email", "name"}})
	resp = c.owner.Do("POST", c.base+"/imports/"+first+"/start", map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, "%s", resp.Body)
	c.wait(t, first, "finished")
	resp = c.upload(t, "second-headless.csv", []byte("+1 415 555 0199,Notes about Bob\n"), "")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, []any{"ignore", "ignore"}, resp.Map(t)["mapping"])

	resp = c.upload(t, "started.csv", []byte("email\nx@example.com\n"), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	resp = c.owner.Do("PUT", c.base+"/imports/"+resp.Map(t)["id"].(string)+"/mapping", map[string]any{"mode": "create_only", "has_header": false})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
}

// TestLongRowKeepsItsExtraCells: a row with more cells than the header is rejected, and its
// extra cells travel in the reason: the error report has the header's columns only, and fixing
// the row must not lose what was in them.
func TestLongRowKeepsItsExtraCells(t *testing.T) {
	t.Parallel()
	c := setup(t)
	resp := c.upload(t, "long.csv", []byte("email,name\nlong@example.com,Long,\"Acme, Inc\",42\n"), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	c.wait(t, id, "finished")
	resp = c.owner.Do("GET", c.base+"/imports/"+id+"/errors", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	report := readCSV(t, resp.Body)
	require.Equal(t, []string{"email", "name", "reason"}, report[0])
	require.Equal(t, []string{"long@example.com", "Long", `has 4 cells; the header has 2 (the extra cells: "Acme, Inc", "42")`}, report[1])
}
