// Package fields defines an agent's custom fields: typed fields (text, number, date, select,
// ...) its contacts carry besides the built-in ones. A field has a stable key, immutable after
// creation, under which contacts keep their values (contacts.custom); select values are option
// ids, so renaming an option never touches stored data. Validate and CheckUnique are what every
// write path of contact values calls (the app, the API, imports, chat, forms).
package fields

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/unicode/norm"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
)

// Type is a field's type; it cannot change after creation.
type Type string

// The field types.
const (
	Text         Type = "text"
	LongText     Type = "long_text"
	Number       Type = "number"
	Date         Type = "date"
	DateTime     Type = "datetime"
	Checkbox     Type = "checkbox"
	SingleSelect Type = "single_select"
	MultiSelect  Type = "multi_select"
	Email        Type = "email"
	Phone        Type = "phone"
	URL          Type = "url"
)

// Types lists every field type.
var Types = []Type{Text, LongText, Number, Date, DateTime, Checkbox, SingleSelect, MultiSelect, Email, Phone, URL}

func (t Type) valid() bool { return slices.Contains(Types, t) }

// HasOptions reports whether fields of type t choose among options.
func (t Type) HasOptions() bool { return t == SingleSelect || t == MultiSelect }

// canBeUnique: a value that identifies a contact. A checkbox, a long text or a set of options
// does not.
func (t Type) canBeUnique() bool {
	switch t {
	case Text, Number, Date, DateTime, Email, Phone, URL:
		return true
	}
	return false
}

// AIPolicy says whether the agent may write a field from chat ("Allow for AI").
type AIPolicy string

const (
	// AIOff: the AI never writes the field (the toggle off).
	AIOff AIPolicy = "off"
	// AIFillEmpty: the AI fills the field when it has no value, and never overwrites one.
	AIFillEmpty AIPolicy = "fill_empty"
	// AIOverwrite: the AI may also change (or clear) a value already there.
	AIOverwrite AIPolicy = "overwrite"
)

func (p AIPolicy) valid() bool { return p == AIOff || p == AIFillEmpty || p == AIOverwrite }

// Limits.
const (
	MaxFields            = 100 // per agent, archived ones included
	MaxLabelLength       = 80
	MaxKeyLength         = 64
	MaxHelpTextLength    = 500
	MaxAIHintLength      = 500
	MaxOptions           = 200 // per select field, retired ones included
	MaxOptionLabelLength = 100
	MaxTextLength        = 2000
	MaxLongTextLength    = 20000
	MaxURLLength         = 2000
)

// ReservedKeys are the built-in contact keys (and the contact's other API names) a custom
// field's key may not take: imports, forms and the AI address fields by key next to them.
var ReservedKeys = []string{
	"name", "email", "phone", "stage", "status", "owner", "source", "external_id",
	"id", "agent_id", "stage_id", "primary_owner", "secondary_owner", "primary_owner_id", "secondary_owner_id",
	"source_label", "created_by", "created_at", "updated_at", "version", "custom", "notes",
}

// Option is a choice of a select field. Its id is what contacts store; its label may change.
// A retired option stays valid in stored values but cannot be chosen again.
type Option struct {
	ID      uuid.UUID `json:"id"`
	Label   string    `json:"label"`
	Retired bool      `json:"retired"`
}

// Field is a custom field as the API shows it.
type Field struct {
	ID       uuid.UUID `json:"id"`
	AgentID  uuid.UUID `json:"agent_id"`
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Type     Type      `json:"type"`
	HelpText string    `json:"help_text"`
	Required bool      `json:"required"`
	Unique   bool      `json:"unique"`
	// DefaultValue is normalized like a stored value; nil when there is none.
	DefaultValue any        `json:"default_value"`
	Options      []Option   `json:"options"`
	Position     int32      `json:"position"`
	AIPolicy     AIPolicy   `json:"ai_policy"`
	AIHint       string     `json:"ai_hint"`
	ArchivedAt   *time.Time `json:"archived_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Version      int32      `json:"version"`
}

// ETag is the field's version for If-Match.
func (f Field) ETag() string { return fmt.Sprintf(`"%d"`, f.Version) }

// Archived reports whether the field is archived (hidden, its values kept).
func (f Field) Archived() bool { return f.ArchivedAt != nil }

func fromRow(r db.CustomField) (Field, error) {
	f := Field{ID: r.ID, AgentID: r.AgentID, Key: r.Key, Label: r.Label, Type: Type(r.Type), HelpText: r.HelpText,
		Required: r.Required, Unique: r.IsUnique, Position: r.Position, AIPolicy: AIPolicy(r.AiPolicy), AIHint: r.AiHint,
		ArchivedAt: r.ArchivedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version, Options: []Option{}}
	if err := json.Unmarshal(r.Options, &f.Options); err != nil {
		return f, fmt.Errorf("fields: options of %s: %w", r.ID, err)
	}
	if r.DefaultValue != nil {
		if err := json.Unmarshal(r.DefaultValue, &f.DefaultValue); err != nil {
			return f, fmt.Errorf("fields: default of %s: %w", r.ID, err)
		}
	}
	return f, nil
}

// Input creates or patches a field. Absent (or null) fields keep their value, or take the
// default on create; default_value alone tells null (clear the default) from absent.
type Input struct {
	Key          *string                           `json:"key"`
	Label        *string                           `json:"label"`
	Type         *string                           `json:"type"`
	HelpText     *string                           `json:"help_text"`
	Required     *bool                             `json:"required"`
	Unique       *bool                             `json:"unique"`
	DefaultValue httpapi.Optional[json.RawMessage] `json:"default_value"`
	Options      *[]OptionInput                    `json:"options"`
	AIPolicy     *string                           `json:"ai_policy"`
	AIHint       *string                           `json:"ai_hint"`
}

// OptionInput is an option in a PATCH or POST: no id for a new option, the id of an existing
// one to keep (and rename, move or retire) it.
type OptionInput struct {
	ID      *uuid.UUID `json:"id"`
	Label   string     `json:"label"`
	Retired bool       `json:"retired"`
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkKey validates a key given by the client.
func checkKey(key string) string {
	switch {
	case len(key) == 0 || len(key) > MaxKeyLength || !keyPattern.MatchString(key):
		return fmt.Sprintf("must be 1 to %d characters: lowercase letters a-z, digits and _, starting with a letter", MaxKeyLength)
	case slices.Contains(ReservedKeys, key):
		return "is a built-in contact field; choose another key"
	}
	return ""
}

// foldLetters spells the letters that do not decompose into a base letter and a mark, and drops
// apostrophes ("Customer's" → customers).
var foldLetters = strings.NewReplacer("ß", "ss", "ẞ", "ss", "æ", "ae", "Æ", "ae", "œ", "oe", "Œ", "oe", "ø", "o", "Ø", "o",
	"đ", "d", "Đ", "d", "ð", "d", "Ð", "d", "ł", "l", "Ł", "l", "þ", "th", "Þ", "th", "ı", "i", "'", "", "’", "")

// DeriveKey turns a label into a key: ASCII lower-case snake_case ("Lead score" → lead_score,
// "Café-Größe" → cafe_grosse). A label with no Latin letter or digit gives "field"; one that
// starts with a digit gets the prefix field_. The key still has to be made unique (uniqueKey).
func DeriveKey(label string) string {
	var b strings.Builder
	gap := false
	for _, r := range norm.NFKD.String(foldLetters.Replace(strings.ToLower(label))) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		case unicode.Is(unicode.Mn, r):
			// a diacritic of the letter before it: é → e
		default:
			gap = true
		}
	}
	key := b.String()
	if key == "" {
		key = "field"
	}
	if key[0] >= '0' && key[0] <= '9' {
		key = "field_" + key
	}
	if len(key) > MaxKeyLength {
		key = strings.TrimRight(key[:MaxKeyLength], "_")
	}
	return key
}

// uniqueKey returns base, or base_2, base_3, ... : the first that is neither reserved nor taken.
func uniqueKey(base string, taken map[string]bool) string {
	free := func(k string) bool { return !taken[k] && !slices.Contains(ReservedKeys, k) }
	if free(base) {
		return base
	}
	for n := 2; ; n++ {
		suffix := "_" + strconv.Itoa(n)
		stem := base
		if len(stem)+len(suffix) > MaxKeyLength {
			stem = strings.TrimRight(stem[:MaxKeyLength-len(suffix)], "_")
		}
		if k := stem + suffix; free(k) {
			return k
		}
	}
}

// apply validates in over f (a new field when creating) and returns the result, naming every
// field at fault. The key is checked for form here and for collisions by the caller. country
// reads a phone default that has no country code.
func (in Input) apply(f Field, creating bool, country string) (Field, error) {
	bad := apperr.Fields{}
	if creating {
		if in.Type == nil || !Type(*in.Type).valid() {
			bad.Add("type", "must be one of "+typeList())
		} else {
			f.Type = Type(*in.Type)
		}
		if in.Key != nil {
			f.Key = strings.TrimSpace(*in.Key)
			if p := checkKey(f.Key); p != "" {
				bad.Add("key", p)
			}
		}
	} else {
		if in.Type != nil && Type(*in.Type) != f.Type {
			bad.Add("type", "cannot change after creation; create a new field and archive this one")
		}
		if in.Key != nil && *in.Key != f.Key {
			bad.Add("key", "cannot change after creation: contacts keep their values under it")
		}
	}
	if in.Label != nil {
		f.Label = strings.TrimSpace(*in.Label)
	}
	if n := utf8.RuneCountInString(f.Label); n < 1 || n > MaxLabelLength {
		bad.Add("label", fmt.Sprintf("must be 1 to %d characters", MaxLabelLength))
	}
	text := func(name string, v *string, into *string, max int) {
		if v != nil {
			*into = strings.TrimSpace(*v)
		}
		if utf8.RuneCountInString(*into) > max {
			bad.Add(name, fmt.Sprintf("must be at most %d characters", max))
		}
	}
	text("help_text", in.HelpText, &f.HelpText, MaxHelpTextLength)
	text("ai_hint", in.AIHint, &f.AIHint, MaxAIHintLength)
	if in.Required != nil {
		f.Required = *in.Required
	}
	if in.Unique != nil {
		f.Unique = *in.Unique
	}
	if f.Unique && f.Type != "" && !f.Type.canBeUnique() {
		bad.Add("unique", "is only for text, number, date, datetime, email, phone and url fields")
	}
	if f.AIPolicy == "" {
		f.AIPolicy = AIOff
	}
	if in.AIPolicy != nil {
		f.AIPolicy = AIPolicy(*in.AIPolicy)
		if !f.AIPolicy.valid() {
			bad.Add("ai_policy", "must be off, fill_empty or overwrite")
		}
	}
	if f.Options == nil {
		f.Options = []Option{}
	}
	if in.Options != nil {
		if f.Type != "" && !f.Type.HasOptions() {
			bad.Add("options", "only single_select and multi_select fields have options")
		} else {
			opts, problem := mergeOptions(f.Options, *in.Options)
			if problem != "" {
				bad.Add("options", problem)
			} else {
				f.Options = opts
			}
		}
	}
	if f.Type.HasOptions() && len(f.Options) == 0 {
		bad.Add("options", "a select field needs at least one option")
	}
	if f.Type == "" {
		return f, bad.Err() // no type to read a default with
	}
	// The default is checked against the field as it ends up, whichever of them changed: a
	// default naming a retired option is refused.
	var rawDefault json.RawMessage
	switch {
	case in.DefaultValue.Set:
		if in.DefaultValue.Value != nil {
			rawDefault = *in.DefaultValue.Value
		}
	case f.DefaultValue != nil:
		rawDefault, _ = json.Marshal(f.DefaultValue)
	}
	f.DefaultValue = nil
	if rawDefault != nil {
		if _, optsBad := bad["options"]; !optsBad {
			v, problem := normalize(f, rawDefault, nil, country)
			if problem != "" {
				bad.Add("default_value", problem)
			}
			f.DefaultValue = v
		}
	}
	if f.Unique && f.DefaultValue != nil {
		bad.Add("default_value", "a unique field cannot have a default: every new contact would share it")
	}
	return f, bad.Err()
}

func typeList() string {
	s := make([]string, len(Types))
	for i, t := range Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// mergeOptions applies the list a client sent to the options a field has: the list replaces the
// order, labels and retired flags; options without an id are new; every existing option must be
// in it (options are never removed, only retired, so stored ids keep resolving).
func mergeOptions(have []Option, in []OptionInput) ([]Option, string) {
	if len(in) > MaxOptions {
		return nil, fmt.Sprintf("a field has at most %d options", MaxOptions)
	}
	byID := map[uuid.UUID]Option{}
	for _, o := range have {
		byID[o.ID] = o
	}
	seen := map[uuid.UUID]bool{}
	labels := map[string]bool{}
	out := make([]Option, 0, len(in))
	for _, o := range in {
		label := strings.TrimSpace(o.Label)
		if n := utf8.RuneCountInString(label); n < 1 || n > MaxOptionLabelLength {
			return nil, fmt.Sprintf("every option needs a label of 1 to %d characters", MaxOptionLabelLength)
		}
		if labels[strings.ToLower(label)] {
			return nil, fmt.Sprintf("two options are labelled %q; labels must differ", label)
		}
		labels[strings.ToLower(label)] = true
		id := uuid.Must(uuid.NewV7())
		if o.ID != nil {
			if _, ok := byID[*o.ID]; !ok {
				return nil, fmt.Sprintf("%s is not an option of this field (leave id out for a new option)", *o.ID)
			}
			if seen[*o.ID] {
				return nil, fmt.Sprintf("option %s is listed twice", *o.ID)
			}
			seen[*o.ID] = true
			id = *o.ID
		}
		out = append(out, Option{ID: id, Label: label, Retired: o.Retired})
	}
	for _, o := range have {
		if !seen[o.ID] {
			return nil, fmt.Sprintf("option %q is missing: options cannot be removed, only retired (\"retired\": true)", o.Label)
		}
	}
	return out, ""
}

// Service holds the field rules.
type Service struct {
	tenants *tenant.DB
}

// NewService returns the fields service.
func NewService(tenants *tenant.DB) *Service { return &Service{tenants: tenants} }

// ListTx returns the agent's fields in display order inside an open tenant transaction,
// archived ones too when includeArchived.
func ListTx(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, includeArchived bool) ([]Field, error) {
	rows, err := tx.Q.ListFields(ctx, db.ListFieldsParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, IncludeArchived: includeArchived})
	if err != nil {
		return nil, err
	}
	out := make([]Field, 0, len(rows))
	for _, r := range rows {
		f, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// List returns the agent's fields in display order.
func (s *Service) List(ctx context.Context, ws, agentID uuid.UUID, includeArchived bool) ([]Field, error) {
	var out []Field
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		out, err = ListTx(ctx, tx, agentID, includeArchived)
		return err
	})
	return out, err
}

func get(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID, lock bool) (Field, error) {
	p := db.GetFieldParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: id}
	var r db.CustomField
	var err error
	if lock {
		r, err = tx.Q.GetFieldForUpdate(ctx, db.GetFieldForUpdateParams(p))
	} else {
		r, err = tx.Q.GetField(ctx, p)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Field{}, apperr.New(apperr.NotFound, "no such field")
	}
	if err != nil {
		return Field{}, err
	}
	return fromRow(r)
}

// Get returns a field of the agent.
func (s *Service) Get(ctx context.Context, ws, agentID, id uuid.UUID) (Field, error) {
	var out Field
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		out, err = get(ctx, tx, agentID, id, false)
		return err
	})
	return out, err
}

func lockAgent(ctx context.Context, tx tenant.Tx, agentID uuid.UUID) error {
	_, err := tx.Q.LockAgentFields(ctx, db.LockAgentFieldsParams{WorkspaceID: tx.WorkspaceID, ID: agentID})
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.NotFound, "no such agent")
	}
	return err
}

func marshalField(f Field) (options, def []byte, err error) {
	if options, err = json.Marshal(f.Options); err != nil {
		return nil, nil, err
	}
	if f.DefaultValue != nil {
		def, err = json.Marshal(f.DefaultValue)
	}
	return options, def, err
}

func keyConflict(key string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("the agent already has a field with the key %s", key),
		Fields: map[string]string{"key": "is already the key of another field of this agent"}}
}

// keyTaken turns the unique index on a key into the same conflict; any other refusal goes
// through valuesMoved.
func keyTaken(err error, key string) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == pgerrcode.UniqueViolation && pg.ConstraintName != UniqueValueConstraint {
		return keyConflict(key)
	}
	return valuesMoved(err)
}

// valuesMoved answers what the database says when a field change moves a unique field's values
// into or out of contact_unique_values (migration 00027): it waits at most 10 s for the
// workspace's contact writes in flight (an import, an undo; a deadlock with one is answered
// the same), and a value two contacts came to share since the check refuses the change.
func valuesMoved(err error) error {
	var pg *pgconn.PgError
	switch {
	case !errors.As(err, &pg):
		return err
	case pg.Code == pgerrcode.LockNotAvailable, pg.Code == pgerrcode.DeadlockDetected:
		return apperr.New(apperr.Conflict, "contacts of this workspace are being written (an import or an undo may be running); try again in a moment")
	case pg.Code == pgerrcode.UniqueViolation && pg.ConstraintName == UniqueValueConstraint:
		return &apperr.Error{Code: apperr.Conflict, Message: "two active contacts have just come to share a value of this field; reload and try again",
			Fields: map[string]string{"unique": "active contacts share a value of this field"}}
	}
	return err
}

// Create adds a field at the end of the agent's list. Without a key, one is derived from the
// label and made unique; a given key that is taken is a conflict.
func (s *Service) Create(ctx context.Context, ws, agentID uuid.UUID, in Input) (Field, error) {
	var out Field
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		cc, err := tx.Q.GetWorkspaceCountry(ctx, ws)
		if err != nil {
			return err
		}
		f, err := in.apply(Field{AgentID: agentID}, true, cc)
		if err != nil {
			return err
		}
		if err := lockAgent(ctx, tx, agentID); err != nil {
			return err
		}
		n, err := tx.Q.CountFields(ctx, db.CountFieldsParams{WorkspaceID: ws, AgentID: agentID})
		if err != nil {
			return err
		}
		if n >= MaxFields {
			return apperr.New(apperr.Invalid, "an agent has at most %d custom fields, archived ones included; delete one to make room", MaxFields)
		}
		keys, err := tx.Q.FieldKeys(ctx, db.FieldKeysParams{WorkspaceID: ws, AgentID: agentID})
		if err != nil {
			return err
		}
		taken := map[string]bool{}
		for _, k := range keys {
			taken[k] = true
		}
		if f.Key == "" {
			f.Key = uniqueKey(DeriveKey(f.Label), taken)
		} else if taken[f.Key] {
			return keyConflict(f.Key)
		}
		pos, err := tx.Q.NextFieldPosition(ctx, db.NextFieldPositionParams{WorkspaceID: ws, AgentID: agentID})
		if err != nil {
			return err
		}
		options, def, err := marshalField(f)
		if err != nil {
			return err
		}
		r, err := tx.Q.CreateField(ctx, db.CreateFieldParams{WorkspaceID: ws, AgentID: agentID, ID: uuid.Must(uuid.NewV7()),
			Key: f.Key, Label: f.Label, Type: string(f.Type), HelpText: f.HelpText, Required: f.Required, IsUnique: f.Unique,
			DefaultValue: def, Options: options, Position: pos, AiPolicy: string(f.AIPolicy), AiHint: f.AIHint})
		if err != nil {
			return keyTaken(err, f.Key)
		}
		if out, err = fromRow(r); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "fields", ResourceID: out.ID.String(), After: out})
	})
	return out, err
}

// Update patches a field. Its key and type never change. ifMatch, when given, must be the
// field's current ETag. Making a field unique checks that no two active contacts share a value.
func (s *Service) Update(ctx context.Context, ws, agentID, id uuid.UUID, in Input, ifMatch string) (Field, error) {
	var out Field
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		before, err := get(ctx, tx, agentID, id, true)
		if err != nil {
			return err
		}
		if ifMatch != "" && ifMatch != before.ETag() {
			return apperr.New(apperr.Precondition, "the field changed since you loaded it; reload and try again")
		}
		cc, err := tx.Q.GetWorkspaceCountry(ctx, ws)
		if err != nil {
			return err
		}
		after, err := in.apply(before, false, cc)
		if err != nil {
			return err
		}
		if reflect.DeepEqual(after, before) {
			out = before
			return nil
		}
		if after.Unique && !before.Unique && !after.Archived() {
			if err := checkNoSharedValue(ctx, tx, agentID, after, "making the field unique"); err != nil {
				return err
			}
		}
		options, def, err := marshalField(after)
		if err != nil {
			return err
		}
		r, err := tx.Q.UpdateField(ctx, db.UpdateFieldParams{WorkspaceID: ws, AgentID: agentID, ID: id,
			Label: after.Label, HelpText: after.HelpText, Required: after.Required, IsUnique: after.Unique,
			DefaultValue: def, Options: options, AiPolicy: string(after.AIPolicy), AiHint: after.AIHint})
		if err != nil {
			return valuesMoved(err)
		}
		if out, err = fromRow(r); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "fields", ResourceID: id.String(), Before: before, After: out})
	})
	return out, err
}

// checkNoSharedValue refuses to make f unique (or restore it, unique) while two active contacts
// share a value of it; doing names the change in the message.
func checkNoSharedValue(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, f Field, doing string) error {
	shared, err := tx.Q.FindSharedFieldValue(ctx, db.FindSharedFieldValueParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, Key: f.Key})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return &apperr.Error{Code: apperr.Conflict,
		Message: fmt.Sprintf("%d active contacts share the value %s of %s; make their values differ before %s", shared.Contacts, shared.Value, f.Label, doing),
		Fields:  map[string]string{"unique": "active contacts share a value of this field"}}
}

// SetArchived archives a field (hidden from forms, the AI and new values; its values are kept)
// or restores it. Doing what is already done changes nothing.
func (s *Service) SetArchived(ctx context.Context, ws, agentID, id uuid.UUID, archived bool) (Field, error) {
	var out Field
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		before, err := get(ctx, tx, agentID, id, true)
		if err != nil {
			return err
		}
		if before.Archived() == archived {
			out = before
			return nil
		}
		// A unique field restored takes its values back into contact_unique_values, whose key
		// refuses a value two active contacts came to share while it was archived: say which.
		if !archived && before.Unique {
			if err := checkNoSharedValue(ctx, tx, agentID, before, "restoring it"); err != nil {
				return err
			}
		}
		var at *time.Time
		action := "restore"
		if archived {
			now := time.Now()
			at, action = &now, "archive"
		}
		r, err := tx.Q.SetFieldArchivedAt(ctx, db.SetFieldArchivedAtParams{WorkspaceID: ws, AgentID: agentID, ID: id, ArchivedAt: at})
		if err != nil {
			return valuesMoved(err)
		}
		if out, err = fromRow(r); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: action, Resource: "fields", ResourceID: id.String(), Before: before, After: out})
	})
	return out, err
}

// Reorder sets the order of the agent's fields; ids must be every field of the agent, archived
// ones included, exactly once.
func (s *Service) Reorder(ctx context.Context, ws, agentID uuid.UUID, ids []uuid.UUID) ([]Field, error) {
	var out []Field
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if err := lockAgent(ctx, tx, agentID); err != nil {
			return err
		}
		before, err := ListTx(ctx, tx, agentID, true)
		if err != nil {
			return err
		}
		want := map[uuid.UUID]bool{}
		for _, f := range before {
			want[f.ID] = true
		}
		seen := map[uuid.UUID]bool{}
		for _, id := range ids {
			if !want[id] || seen[id] {
				break
			}
			seen[id] = true
		}
		if len(ids) != len(before) || len(seen) != len(ids) {
			return apperr.Field("field_ids", "must list every field of the agent, archived ones included, exactly once")
		}
		if err := tx.Q.SetFieldPositions(ctx, db.SetFieldPositionsParams{WorkspaceID: ws, AgentID: agentID, Ids: ids}); err != nil {
			return err
		}
		if out, err = ListTx(ctx, tx, agentID, true); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "reorder", Resource: "fields", ResourceID: agentID.String(),
			Before: keysOf(before), After: keysOf(out)})
	})
	return out, err
}

func keysOf(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Key
	}
	return out
}

// Delete removes a field and, in the same transaction, its value from every contact of the
// agent. confirm must be the field's key, typed by the person deleting it.
func (s *Service) Delete(ctx context.Context, ws, agentID, id uuid.UUID, confirm string) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		f, err := get(ctx, tx, agentID, id, true)
		if err != nil {
			return err
		}
		if confirm != f.Key {
			return apperr.Field("confirm", fmt.Sprintf("type the field's key (%s) to delete it and every contact's value in it", f.Key))
		}
		removed, err := tx.Q.RemoveFieldValues(ctx, db.RemoveFieldValuesParams{WorkspaceID: ws, AgentID: agentID, Key: f.Key})
		if err != nil {
			return err
		}
		if err := tx.Q.DeleteField(ctx, db.DeleteFieldParams{WorkspaceID: ws, AgentID: agentID, ID: id}); err != nil {
			return err
		}
		// Each changed contact's history shows the value it lost.
		entries := make([]audit.Entry, 0, len(removed)+1)
		after := json.RawMessage(`{"custom":{}}`)
		for _, r := range removed {
			before, err := json.Marshal(map[string]map[string]json.RawMessage{"custom": {f.Key: r.OldValue}})
			if err != nil {
				return err
			}
			entries = append(entries, audit.Entry{Action: "update", Resource: "contacts", ResourceID: r.ID.String(),
				Before: json.RawMessage(before), After: after})
		}
		entries = append(entries, audit.Entry{Action: "delete", Resource: "fields", ResourceID: id.String(),
			Before: f, After: map[string]any{"values_removed": len(removed)}})
		return audit.RecordMany(ctx, tx, entries)
	})
}
