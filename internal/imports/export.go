package imports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/fields"
)

// exportPage is how many contacts each of an export's reads takes.
const exportPage = 500

// ExportOptions are an export's own parameters; the list's filters come as a contacts.ListQuery.
type ExportOptions struct {
	// Columns are the custom fields' keys to include, in order; nil (the parameter absent)
	// includes every active one, empty (present but empty) none.
	Columns []string
	// BOM starts the file with a UTF-8 byte order mark, which Excel needs to read UTF-8.
	BOM bool
}

// ParseExportOptions reads columns and bom. columns is the custom field keys to include,
// comma-separated, in order: `columns=` (present, empty) includes none, as a list view that
// shows no custom column; without the parameter every active custom field is included.
func ParseExportOptions(v url.Values) (ExportOptions, error) {
	var o ExportOptions
	if v.Has("columns") {
		o.Columns = []string{}
		for k := range strings.SplitSeq(v.Get("columns"), ",") {
			if k = strings.TrimSpace(k); k != "" {
				o.Columns = append(o.Columns, k)
			}
		}
	}
	if s := v.Get("bom"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return o, apperr.Field("bom", "must be true or false")
		}
		o.BOM = b
	}
	return o, nil
}

// formulaStarts are the first characters that make a spreadsheet run a cell as a formula.
const formulaStarts = "=+-@\t\r"

// Neutralize keeps a spreadsheet from running a cell as a formula: a cell that begins with =,
// +, -, @, a tab or a carriage return gets a leading apostrophe (OWASP's advice for CSV
// injection). Phones in E.164 begin with + and are prefixed too. An import reads such a cell
// back without the apostrophe (Unneutralize), so exports and error reports import as they were.
func Neutralize(s string) string {
	if s != "" && strings.ContainsRune(formulaStarts, rune(s[0])) {
		return "'" + s
	}
	return s
}

// Unneutralize undoes Neutralize: a cell that is an apostrophe followed by one of the formula
// characters loses the apostrophe. Any other cell is left as it is (an apostrophe before a
// letter or a digit is data).
func Unneutralize(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune(formulaStarts, rune(s[1])) {
		return s[1:]
	}
	return s
}

var baseColumns = []string{"Name", "Email", "Phone", "Stage", "Primary owner", "Secondary owner", "Source", "External id", "Status", "Created at", "Updated at"}

// Export writes the agent's contacts that match q, in q's order, as CSV: the list's columns
// and the chosen custom fields. The contacts are read page by page (each page its own read),
// so memory stays constant; a contact changed while the export runs may show either version.
// The first page is read before anything is written, so a bad query is an error, not a file.
func (s *Service) Export(ctx context.Context, ws, agentID uuid.UUID, q contacts.ListQuery, o ExportOptions, start func(), w io.Writer) error {
	defs, err := fields.NewService(s.tenants).List(ctx, ws, agentID, true)
	if err != nil {
		return err
	}
	byKey := map[string]fields.Field{}
	for _, d := range defs {
		byKey[d.Key] = d
	}
	var custom []fields.Field
	if o.Columns == nil {
		for _, d := range defs {
			if !d.Archived() {
				custom = append(custom, d)
			}
		}
	} else {
		for _, k := range o.Columns {
			d, ok := byKey[k]
			if !ok {
				return apperr.Field("columns", fmt.Sprintf("%q is not a custom field of this agent", k))
			}
			custom = append(custom, d)
		}
	}
	page, err := s.contacts.List(ctx, ws, agentID, q, contacts.Page{Limit: exportPage})
	if err != nil {
		return err
	}
	start()
	if o.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	out := csv.NewWriter(w)
	header := slices.Clone(baseColumns)
	for _, d := range custom {
		header = append(header, Neutralize(d.Label)) // a label is the member's text too
	}
	if err := out.Write(header); err != nil {
		return err
	}
	for {
		for _, c := range page.Items {
			if err := out.Write(exportRow(c, custom)); err != nil {
				return err
			}
		}
		out.Flush()
		if err := out.Error(); err != nil || page.NextCursor == "" {
			return err
		}
		if page, err = s.contacts.List(ctx, ws, agentID, q, contacts.Page{Limit: exportPage, Cursor: page.NextCursor}); err != nil {
			return err
		}
	}
}

func exportRow(c contacts.Contact, custom []fields.Field) []string {
	ref := func(r *contacts.Ref) string {
		if r == nil {
			return ""
		}
		return r.Name
	}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	row := []string{c.Name, str(c.Email), str(c.Phone), ref(c.Stage), ref(c.PrimaryOwner), ref(c.SecondaryOwner),
		c.SourceLabel, str(c.ExternalID), c.Status, c.CreatedAt.UTC().Format(time.RFC3339), c.UpdatedAt.UTC().Format(time.RFC3339)}
	for _, d := range custom {
		row = append(row, customCell(d, c.Custom[d.Key]))
	}
	for i, cell := range row {
		row[i] = Neutralize(cell)
	}
	return row
}

// customCell shows a stored custom value as text: options by their labels.
func customCell(d fields.Field, v any) string {
	label := func(id any) string {
		s, _ := id.(string)
		for _, o := range d.Options {
			if o.ID.String() == s {
				return o.Label
			}
		}
		return s
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if d.Type == fields.SingleSelect {
			return label(x)
		}
		return x
	case []any:
		parts := make([]string, len(x))
		for i, id := range x {
			parts[i] = label(id)
		}
		return strings.Join(parts, "; ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
