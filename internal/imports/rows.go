package imports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
)

// plan is a mapping compiled against the agent: it turns one row of the file into one staged
// row, its cells validated and normalized by the rules of every other write path (E.164
// phones in the workspace's country, normalized emails, custom values through fields.Batch).
// What depends on other rows or on existing contacts is decided in SQL, set-based.
type plan struct {
	mapping []string
	columns int
	batch   *fields.Batch
	labels  map[string]string       // custom key → label, for messages
	multi   map[string]fields.Field // the multi-select fields, by key: their cells list options
	// the select fields with retired options, by key: a row naming one is kept only when it
	// updates a contact that holds it (RejectRetiredOptions)
	retiring map[string]fields.Field
	stages   map[string]uuid.UUID
	owners   map[string]uuid.UUID
	country  string
	// what a new contact gets: the fields' defaults and the required keys (checked in SQL)
	defaults []byte
	required []string
	unique   []string
}

func newPlan(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, mapping []string, columns int) (*plan, error) {
	country, err := tx.Q.GetWorkspaceCountry(ctx, tx.WorkspaceID)
	if err != nil {
		return nil, err
	}
	batch, err := fields.NewBatch(ctx, tx, agentID, country)
	if err != nil {
		return nil, err
	}
	p := &plan{mapping: mapping, columns: columns, batch: batch, labels: map[string]string{}, country: country,
		multi: map[string]fields.Field{}, retiring: map[string]fields.Field{}, stages: map[string]uuid.UUID{}, owners: map[string]uuid.UUID{}, required: batch.Required(),
		unique: batch.Unique()}
	for _, f := range batch.Fields() {
		p.labels[f.Key] = f.Label
		if f.Type == fields.MultiSelect {
			p.multi[f.Key] = f
		}
		if slices.ContainsFunc(f.Options, func(o fields.Option) bool { return o.Retired }) {
			p.retiring[f.Key] = f
		}
	}
	if p.defaults, err = json.Marshal(batch.Defaults()); err != nil {
		return nil, err
	}
	stages, err := tx.Q.ListStages(ctx, db.ListStagesParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID})
	if err != nil {
		return nil, err
	}
	for _, s := range stages {
		p.stages[strings.ToLower(s.Name)] = s.ID
	}
	members, err := tx.Q.ImportMembers(ctx, db.ImportMembersParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID})
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		p.owners[m.Email] = m.UserID
	}
	return p, nil
}

func text(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return &s
}

// row stages the cells of data row n. Everything wrong with the row is named in problem.
func (p *plan) row(n int, rec []string) db.StageImportRowsParams {
	out := db.StageImportRowsParams{RowNumber: int32(n), NewID: uuid.NullUUID{UUID: uuid.Must(uuid.NewV7()), Valid: true}}
	var problems []string
	if len(rec) > p.columns && !blank(rec[p.columns:]) {
		// The error report has the header's columns only: the extra cells travel in the reason,
		// so that fixing the row loses nothing.
		var extra []string
		for _, cell := range rec[p.columns:] {
			extra = append(extra, strconv.Quote(clip(cell)))
		}
		problems = append(problems, fmt.Sprintf("has %d cells; the header has %d (the extra cells: %s)", len(rec), p.columns, strings.Join(extra, ", ")))
	}
	var first, last *string
	custom := map[string]json.RawMessage{}
	held := retiredOptions{}
	for i, target := range p.mapping {
		if i >= len(rec) {
			break // a short row: the missing cells are empty
		}
		v := text(rec[i])
		if v != nil {
			v = text(Unneutralize(*v)) // a cell our export or error report defused
		}
		if v == nil || target == TargetIgnore {
			continue
		}
		switch target {
		case TargetName:
			out.Name = v
		case TargetFirstName:
			first = v
		case TargetLastName:
			last = v
		case TargetEmail:
			normalized, ok := mail.NormalizeEmail(*v)
			if !ok {
				problems = append(problems, fmt.Sprintf("invalid email %q", clip(*v)))
				continue
			}
			out.Email, out.EmailNormalized = v, &normalized
		case TargetPhone:
			e164, err := contacts.NormalizePhone(*v, p.country)
			if err != nil {
				problems = append(problems, fmt.Sprintf("invalid phone %q", clip(*v)))
				continue
			}
			out.Phone = &e164
		case TargetExternalID:
			if utf8.RuneCountInString(*v) > contacts.MaxExternalIDLength {
				problems = append(problems, fmt.Sprintf("external id longer than %d characters", contacts.MaxExternalIDLength))
				continue
			}
			out.ExternalID = v
		case TargetStage:
			id, ok := p.stages[strings.ToLower(*v)]
			if !ok {
				problems = append(problems, fmt.Sprintf("unknown stage %q", clip(*v)))
				continue
			}
			out.StageID = uuid.NullUUID{UUID: id, Valid: true}
		case TargetOwner:
			id, ok := p.owners[strings.ToLower(*v)]
			if !ok {
				problems = append(problems, fmt.Sprintf("owner %q is not a member who works in this agent", clip(*v)))
				continue
			}
			out.OwnerID = uuid.NullUUID{UUID: id, Valid: true}
		default:
			key := strings.TrimPrefix(target, customPrefix)
			var raw []byte
			if f, ok := p.multi[key]; ok {
				items := splitOptions(*v, f)
				if len(items) == 0 {
					continue // only separators: an empty cell
				}
				raw, _ = json.Marshal(items) // strings always encode
				held.add(p.retiring[key], items...)
			} else {
				raw, _ = json.Marshal(*v)
				held.add(p.retiring[key], *v)
			}
			custom[key] = raw
		}
	}
	if out.Name == nil && (first != nil || last != nil) {
		name := strings.TrimSpace(deref(first) + " " + deref(last))
		out.Name = &name
	}
	if out.Name != nil && utf8.RuneCountInString(*out.Name) > contacts.MaxNameLength {
		problems = append(problems, fmt.Sprintf("name longer than %d characters", contacts.MaxNameLength))
	}
	values, err := p.batch.Validate(held.values, custom)
	if err == nil && len(held.named) > 0 {
		out.Retired, _ = json.Marshal(held.named) // strings always encode
	}
	if err != nil {
		problems = append(problems, p.customProblems(err)...)
		values = map[string]any{}
	}
	out.Custom, _ = json.Marshal(values) // normalized values always encode
	if out.EmailNormalized == nil && out.Phone == nil && out.ExternalID == nil && len(problems) == 0 {
		if blank(rec) {
			problems = append(problems, "empty row")
		} else {
			problems = append(problems, "no email and no phone")
		}
	}
	if len(problems) > 0 {
		msg := strings.Join(problems, "; ")
		out.Problem = &msg
	}
	return out
}

// retiredOptions are the retired options one row names: as held values for Validate, which
// then accepts them, and as what the staged row records for RejectRetiredOptions.
type retiredOptions struct {
	values map[string]any // key → option id (single select) or []any of ids (multi select)
	named  []retiredOption
}

type retiredOption struct {
	Key    string `json:"key"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// add records the retired options of f (nil: f has none) among the names of a cell.
func (r *retiredOptions) add(f fields.Field, names ...string) {
	for _, name := range names {
		o, ok := f.Option(name)
		if !ok || !o.Retired {
			continue
		}
		if r.values == nil {
			r.values = map[string]any{}
		}
		id := o.ID.String()
		if f.Type == fields.MultiSelect {
			list, _ := r.values[f.Key].([]any)
			r.values[f.Key] = append(list, id)
		} else {
			r.values[f.Key] = id
		}
		r.named = append(r.named, retiredOption{Key: f.Key, ID: id,
			Reason: fmt.Sprintf("%s %q is retired: it can no longer be chosen", f.Label, o.Label)})
	}
}

// splitOptions reads a multi-select cell as the options it lists. Options are separated by
// ";" (what an export writes: "Free; Pro"); a cell without ";" may separate them with ","
// ("Free, Pro"). A label that holds the separator itself is still one option: the cell whole,
// then the longest run of pieces that names an option (by label, case-insensitive, or id),
// wins; so "Enterprise, EU" is one option when a label says so, and an export imports back as
// it was. A piece that names no option is kept as it is, for fields.Validate to refuse.
func splitOptions(cell string, f fields.Field) []string {
	names := func(s string) bool {
		s = strings.TrimSpace(s)
		for _, o := range f.Options {
			if strings.EqualFold(o.Label, s) || o.ID.String() == s {
				return true
			}
		}
		return false
	}
	if names(cell) {
		return []string{strings.TrimSpace(cell)}
	}
	sep := ";"
	if !strings.Contains(cell, sep) {
		sep = ","
	}
	// The most pieces one label can span: labels with the separator in them, plus one.
	span := 1
	for _, o := range f.Options {
		span = max(span, strings.Count(o.Label, sep)+1)
	}
	pieces := strings.Split(cell, sep)
	var out []string
	for i := 0; i < len(pieces); {
		n := 1
		for j := min(len(pieces), i+span); j > i+1; j-- {
			if names(strings.Join(pieces[i:j], sep)) {
				n = j - i
				break
			}
		}
		if item := strings.TrimSpace(strings.Join(pieces[i:i+n], sep)); item != "" {
			out = append(out, item)
		}
		i += n
	}
	return out
}

// customProblems turns fields.Validate's errors into messages naming the field by its label.
func (p *plan) customProblems(err error) []string {
	var e *apperr.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return []string{err.Error()}
	}
	var out []string
	for name, msg := range e.Fields {
		key := strings.TrimPrefix(name, "custom.")
		label := p.labels[key]
		if label == "" {
			label = key
		}
		out = append(out, label+" "+msg)
	}
	slices.Sort(out)
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// clip shortens a cell quoted in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:57]) + "..."
}
