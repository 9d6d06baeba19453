package fields

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/nyaruka/phonenumbers"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
)

// Writer says who writes values: a member (all fields, required ones enforced) or the AI agent
// (only fields whose AI policy is not off; fill_empty never overwrites an existing value).
type Writer int

const (
	// WriterMember is a person: the app, the API, an import, a form submission.
	WriterMember Writer = iota
	// WriterAI is the chat agent.
	WriterAI
)

// Validate checks patch (field key → raw JSON value; null clears) against the agent's active
// fields and returns the new full value map: current with patch applied, values normalized to
// what encoding/json decodes them to (numbers float64, dates "YYYY-MM-DD", datetimes RFC 3339
// UTC, emails lower-cased, phones E.164 read in country when they have no country code, URLs
// http/https, a single select's option id, a multi select's sorted unique option ids as []any,
// checkboxes bool). An empty string or list clears a value like null does.
//
// Refused, with apperr fields named custom.<key>: unknown keys, archived fields, invalid values,
// retired options chosen anew (one already stored may stay), clearing a required field that
// has a value, for WriterMember leaving a required field without a value on create, and for
// WriterAI fields whose AI policy is off. A fill_empty field that already has a value is left as it is when the AI
// writes it (not an error). Defaults fill the fields absent from current and patch on create.
// Values of fields that are not in patch (archived fields' included) are kept as they are.
//
// Call CheckUnique with the result before writing it.
func Validate(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, current map[string]any, patch map[string]json.RawMessage,
	creating bool, w Writer, country string) (map[string]any, error) {
	fs, err := ListTx(ctx, tx, agentID, true)
	if err != nil {
		return nil, err
	}
	return validate(fs, current, patch, creating, w, country)
}

// validate is Validate over the agent's fields fs.
func validate(fs []Field, current map[string]any, patch map[string]json.RawMessage, creating bool, w Writer, country string) (map[string]any, error) {
	byKey := make(map[string]Field, len(fs))
	for _, f := range fs {
		byKey[f.Key] = f
	}
	out := make(map[string]any, len(current)+len(patch))
	maps.Copy(out, current)
	bad := apperr.Fields{}
	for key, raw := range patch {
		name := "custom." + key
		f, ok := byKey[key]
		switch {
		case !ok:
			bad.Add(name, "is not a field of this agent")
			continue
		case f.Archived():
			bad.Add(name, "is archived; restore the field to write it")
			continue
		case w == WriterAI && f.AIPolicy != AIFillEmpty && f.AIPolicy != AIOverwrite:
			bad.Add(name, "is not open to the AI (its AI policy is off)")
			continue
		}
		old := current[key]
		if w == WriterAI && f.AIPolicy == AIFillEmpty && old != nil {
			continue // fill_empty: the value already there stays
		}
		v, problem := normalize(f, raw, old, country)
		switch {
		case problem != "":
			bad.Add(name, problem)
		case v == nil && f.Required && (w == WriterMember || old != nil):
			bad.Add(name, "is required") // nobody clears a required field
		case v == nil:
			delete(out, key)
		default:
			out[key] = v
		}
	}
	if creating {
		for _, f := range fs {
			if f.Archived() {
				continue
			}
			_, given := patch[f.Key]
			if out[f.Key] == nil && !given && f.DefaultValue != nil {
				out[f.Key] = clone(f.DefaultValue)
			}
			if w == WriterMember && f.Required && out[f.Key] == nil {
				bad.Add("custom."+f.Key, "is required")
			}
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func clone(v any) any {
	if l, ok := v.([]any); ok {
		return slices.Clone(l)
	}
	return v
}

var decimal = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// normalize reads raw as a value of f and returns it normalized, nil for no value (null, an
// empty string or list), or a problem. old is the value stored before: a retired option is
// accepted only when old already holds it.
func normalize(f Field, raw json.RawMessage, old any, country string) (any, string) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, "is not a valid JSON value"
	}
	if v == nil {
		return nil, ""
	}
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, ""
		}
		if strings.ContainsRune(s, 0) {
			return nil, "must not contain NUL characters"
		}
		v = s
	}
	switch f.Type {
	case Text, LongText:
		s, ok := v.(string)
		if !ok {
			return nil, "must be a string"
		}
		max := MaxTextLength
		if f.Type == LongText {
			max = MaxLongTextLength
		}
		if utf8.RuneCountInString(s) > max {
			return nil, fmt.Sprintf("must be at most %d characters", max)
		}
		return s, ""
	case Number:
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case string:
			var err error
			if !decimal.MatchString(x) {
				return nil, "must be a number"
			}
			if n, err = strconv.ParseFloat(x, 64); err != nil {
				return nil, "must be a number within ±1.8e308"
			}
		default:
			return nil, "must be a number"
		}
		if math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, "must be a finite number"
		}
		return n + 0, "" // +0 turns -0 into 0
	case Date:
		s, ok := v.(string)
		if !ok {
			return nil, "must be a date as YYYY-MM-DD"
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, "must be a date as YYYY-MM-DD"
		}
		return d.Format(time.DateOnly), ""
	case DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, "must be an RFC 3339 date and time with a zone, such as 2025-01-31T14:30:00Z"
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, "must be an RFC 3339 date and time with a zone, such as 2025-01-31T14:30:00Z"
		}
		return t.UTC().Format(time.RFC3339Nano), ""
	case Checkbox:
		switch x := v.(type) {
		case bool:
			return x, ""
		case string:
			if b, ok := map[string]bool{"true": true, "false": false}[strings.ToLower(x)]; ok {
				return b, ""
			}
		}
		return nil, "must be true or false"
	case Email:
		s, ok := v.(string)
		if !ok {
			return nil, "must be an email address such as name@example.com"
		}
		e, ok := mail.NormalizeEmail(s)
		if !ok {
			return nil, "must be an email address such as name@example.com"
		}
		return e, ""
	case Phone:
		s, ok := v.(string)
		if !ok {
			return nil, "must be a phone number as a string"
		}
		n, err := phonenumbers.Parse(s, country)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			return nil, "must be a valid phone number; add the country code (+44 ...) for numbers outside " + country
		}
		return phonenumbers.Format(n, phonenumbers.E164), ""
	case URL:
		s, ok := v.(string)
		if !ok {
			return nil, "must be a web address as a string"
		}
		return normalizeURL(s)
	case SingleSelect:
		s, ok := v.(string)
		if !ok {
			return nil, "must be an option's id or label"
		}
		oldID, _ := old.(string)
		id, problem := chooseOption(f, s, func(id string) bool { return id == oldID })
		if problem != "" {
			return nil, problem
		}
		return id, ""
	case MultiSelect:
		var items []any
		switch x := v.(type) {
		case []any:
			items = x
		case string:
			items = []any{x}
		default:
			return nil, "must be a list of options' ids or labels"
		}
		var had []any
		switch o := old.(type) {
		case []any:
			had = o
		case []string:
			for _, s := range o {
				had = append(had, s)
			}
		}
		ids := []string{}
		for _, it := range items {
			s, ok := it.(string)
			if !ok {
				return nil, "must be a list of options' ids or labels"
			}
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			id, problem := chooseOption(f, s, func(id string) bool { return slices.Contains(had, any(id)) })
			if problem != "" {
				return nil, problem
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil, ""
		}
		slices.Sort(ids)
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = id
		}
		return out, ""
	}
	return nil, "has an unknown type"
}

// chooseOption finds the option s names (Field.Option). A retired option is refused unless
// stored says it is already stored.
func chooseOption(f Field, s string, stored func(id string) bool) (string, string) {
	found, ok := f.Option(s)
	if !ok {
		return "", fmt.Sprintf("%q is not an option of this field", s)
	}
	id := found.ID.String()
	if found.Retired && !stored(id) {
		return "", fmt.Sprintf("%q is retired: it can no longer be chosen", found.Label)
	}
	return id, ""
}

// Option is the option s names, by id or by label (case-insensitive, as labels are unique that
// way), retired or not.
func (f Field) Option(s string) (Option, bool) {
	if id, err := uuid.Parse(s); err == nil {
		for _, o := range f.Options {
			if o.ID == id {
				return o, true
			}
		}
	}
	for _, o := range f.Options {
		if strings.EqualFold(o.Label, s) {
			return o, true
		}
	}
	return Option{}, false
}

// normalizeURL accepts http and https addresses; one without a scheme ("example.com/pricing")
// is read as https.
func normalizeURL(s string) (any, string) {
	const problem = "must be a web address (http or https), such as https://example.com"
	if utf8.RuneCountInString(s) > MaxURLLength {
		return nil, fmt.Sprintf("must be at most %d characters", MaxURLLength)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, problem
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Opaque != "" {
		return nil, problem
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || (!strings.Contains(host, ".") && host != "localhost") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return nil, problem
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), ""
}

// UniqueValueConstraint is contact_unique_values' key (migration 00025): the database's own
// refusal of a unique value another active contact holds, for what slips past CheckUnique.
const UniqueValueConstraint = "contact_unique_values_taken"

// CheckUnique refuses values (a full value map from Validate) when another active contact of the
// agent, not contactID, already holds the same value in a unique field: a conflict naming the
// field (custom.<key>) and that contact (details.existing_contact_id). It takes a
// transaction-scoped lock per value checked, so two writers of the same value wait for each
// other and the second sees the first's row: call it in the transaction that writes the values.
func CheckUnique(ctx context.Context, tx tenant.Tx, agentID, contactID uuid.UUID, values map[string]any) error {
	fs, err := ListTx(ctx, tx, agentID, false)
	if err != nil {
		return err
	}
	return checkUnique(ctx, tx, agentID, contactID, fs, values)
}

// checkUnique is CheckUnique over the agent's active fields fs (which it reorders).
func checkUnique(ctx context.Context, tx tenant.Tx, agentID, contactID uuid.UUID, fs []Field, values map[string]any) error {
	// Locks are taken in key order, so two writers never wait on each other in a circle.
	slices.SortFunc(fs, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
	for _, f := range fs {
		v := values[f.Key]
		if !f.Unique || v == nil {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := tx.Q.LockFieldValue(ctx, fmt.Sprintf("custom_field_value:%s:%s:%s:%s", tx.WorkspaceID, agentID, f.Key, raw)); err != nil {
			return err
		}
		holder, err := tx.Q.FindFieldValueHolder(ctx, db.FindFieldValueHolderParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID,
			ExcludeID: contactID, Key: f.Key, Value: raw})
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		name := holder.Name
		if name == "" {
			name = "an unnamed contact"
		}
		return &apperr.Error{Code: apperr.Conflict,
			Message: fmt.Sprintf("a contact with this %s already exists: %s", f.Label, name),
			Fields:  map[string]string{"custom." + f.Key: "already belongs to " + name},
			Details: map[string]any{"existing_contact_id": holder.ID, "existing_contact_name": holder.Name, "field": f.Key}}
	}
	return nil
}
