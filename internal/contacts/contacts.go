// Package contacts is the heart of an agent's CRM: the people it talks to, their pipeline stage,
// their owners and notes. A contact belongs to one agent of one workspace; it needs an email or
// a phone; among an agent's active contacts an email, a phone and an external id each belong to
// one contact.
package contacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/nyaruka/phonenumbers"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	customfields "github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// Source is how a contact arrived. It is set by the path that created the contact, never by a
// client.
type Source string

const (
	SourceChat   Source = "chat"
	SourceForm   Source = "form"
	SourceManual Source = "manual"
	SourceImport Source = "import"
	SourceAPI    Source = "api"
)

// Label is how the source is shown: "via Chat", "via Manual", ...
func (s Source) Label() string {
	if s == SourceAPI {
		return "via API"
	}
	return "via " + strings.ToUpper(string(s[:1])) + string(s[1:])
}

// Statuses.
const (
	Active   = "active"
	Archived = "archived"
)

// Limits of a contact's fields.
const (
	MaxNameLength       = 200
	MaxExternalIDLength = 200
)

// Ref is a named reference (a stage, an owner).
type Ref struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// Contact is a contact as the API shows it.
type Contact struct {
	ID             uuid.UUID `json:"id"`
	AgentID        uuid.UUID `json:"agent_id"`
	Name           string    `json:"name"`
	Email          *string   `json:"email"`
	Phone          *string   `json:"phone"`
	Status         string    `json:"status"`
	Stage          *Ref      `json:"stage"`
	PrimaryOwner   *Ref      `json:"primary_owner"`
	SecondaryOwner *Ref      `json:"secondary_owner"`
	Source         Source    `json:"source"`
	SourceLabel    string    `json:"source_label"`
	ExternalID     *string   `json:"external_id"`
	// Custom holds the custom field values by field key (see internal/fields).
	Custom    map[string]any `json:"custom"`
	CreatedBy *uuid.UUID     `json:"created_by"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	Version   int32          `json:"version"`
}

// ETag is the contact's version for If-Match.
func (c Contact) ETag() string { return fmt.Sprintf(`"%d"`, c.Version) }

func ref(id uuid.NullUUID, name string) *Ref {
	if !id.Valid {
		return nil
	}
	return &Ref{ID: id.UUID, Name: name}
}

func fromRow(c db.Contact, stage, primary, secondary string) Contact {
	out := Contact{ID: c.ID, AgentID: c.AgentID, Name: c.Name, Email: c.Email, Phone: c.Phone, Status: c.Status,
		Stage: ref(c.StageID, stage), PrimaryOwner: ref(c.PrimaryOwnerID, primary), SecondaryOwner: ref(c.SecondaryOwnerID, secondary),
		Source: Source(c.Source), SourceLabel: Source(c.Source).Label(), ExternalID: c.ExternalID,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version, Custom: customOf(c)}
	if c.CreatedBy.Valid {
		out.CreatedBy = &c.CreatedBy.UUID
	}
	return out
}

func customOf(c db.Contact) map[string]any {
	out := map[string]any{}
	_ = json.Unmarshal(c.Custom, &out) // the column is a JSON object (a check constraint says so)
	return out
}

// Input creates or patches a contact. Absent fields keep their value; null clears it.
type Input struct {
	Name             httpapi.Optional[string]    `json:"name"`
	Email            httpapi.Optional[string]    `json:"email"`
	Phone            httpapi.Optional[string]    `json:"phone"`
	StageID          httpapi.Optional[uuid.UUID] `json:"stage_id"`
	PrimaryOwnerID   httpapi.Optional[uuid.UUID] `json:"primary_owner_id"`
	SecondaryOwnerID httpapi.Optional[uuid.UUID] `json:"secondary_owner_id"`
	ExternalID       httpapi.Optional[string]    `json:"external_id"`
	// Custom sets custom field values by key; keys not given keep their value, null clears one.
	Custom map[string]json.RawMessage `json:"custom"`
}

// fields is a contact's writable state, normalized.
type fields struct {
	name                      string
	email, emailNormalized    *string
	phone, externalID         *string
	stage, primary, secondary uuid.NullUUID
	custom                    map[string]any
}

func fieldsOf(c db.Contact) fields {
	return fields{name: c.Name, email: c.Email, emailNormalized: c.EmailNormalized, phone: c.Phone, externalID: c.ExternalID,
		stage: c.StageID, primary: c.PrimaryOwnerID, secondary: c.SecondaryOwnerID, custom: customOf(c)}
}

// applyAll applies in over f: the built-in fields and the custom values (validated against the
// agent's field definitions), reporting every field at fault at once.
func applyAll(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, in Input, f fields, country string, creating bool, w customfields.Writer) (fields, error) {
	f, builtinErr := in.apply(f, country)
	if !creating && in.StageID.Set && in.StageID.Value == nil {
		// Every contact is in a stage (the board shows contacts by stage); on create, null is
		// the starting stage.
		var stageErr error = apperr.Field("stage_id", "cannot be cleared: every contact is in a stage; choose another stage")
		if builtinErr != nil {
			stageErr = joinInvalid(builtinErr, stageErr)
		}
		builtinErr = stageErr
	}
	custom, customErr := customfields.Validate(ctx, tx, agentID, f.custom, in.Custom, creating, w, country)
	if customErr == nil {
		f.custom = custom
	}
	return f, joinInvalid(builtinErr, customErr)
}

// joinInvalid merges two validation errors into one naming every field; any other error wins.
func joinInvalid(a, b error) error {
	if a == nil || b == nil {
		return errors.Join(a, b)
	}
	var ea, eb *apperr.Error
	if !errors.As(a, &ea) || ea.Code != apperr.Invalid {
		return a
	}
	if !errors.As(b, &eb) || eb.Code != apperr.Invalid {
		return b
	}
	all := apperr.Fields{}
	for k, v := range ea.Fields {
		all.Add(k, v)
	}
	for k, v := range eb.Fields {
		all.Add(k, v)
	}
	return all.Err()
}

// apply validates in over f, naming every field at fault. country reads phone numbers that
// have no country code.
func (in Input) apply(f fields, country string) (fields, error) {
	bad := apperr.Fields{}
	if in.Name.Set {
		f.name = ""
		if in.Name.Value != nil {
			f.name = strings.TrimSpace(*in.Name.Value)
		}
	}
	if utf8.RuneCountInString(f.name) > MaxNameLength {
		bad.Add("name", fmt.Sprintf("must be at most %d characters", MaxNameLength))
	}
	if in.Email.Set {
		f.email, f.emailNormalized = nil, nil
		if v := in.Email.Value; v != nil && strings.TrimSpace(*v) != "" {
			normalized, ok := mail.NormalizeEmail(*v)
			if !ok {
				bad.Add("email", "must be an email address such as name@example.com")
			}
			trimmed := strings.TrimSpace(*v)
			f.email, f.emailNormalized = &trimmed, &normalized
		}
	}
	if in.Phone.Set {
		f.phone = nil
		if v := in.Phone.Value; v != nil && strings.TrimSpace(*v) != "" {
			e164, err := NormalizePhone(*v, country)
			if err != nil {
				bad.Add("phone", err.Error())
			}
			f.phone = &e164
		}
	}
	if f.email == nil && f.phone == nil {
		bad.Add("email", "an email or a phone is required")
	}
	if in.ExternalID.Set {
		f.externalID = nil
		if v := in.ExternalID.Value; v != nil && strings.TrimSpace(*v) != "" {
			id := strings.TrimSpace(*v)
			if utf8.RuneCountInString(id) > MaxExternalIDLength {
				bad.Add("external_id", fmt.Sprintf("must be at most %d characters", MaxExternalIDLength))
			}
			f.externalID = &id
		}
	}
	set := func(o httpapi.Optional[uuid.UUID], into *uuid.NullUUID) {
		if o.Set {
			*into = uuid.NullUUID{}
			if o.Value != nil {
				*into = uuid.NullUUID{UUID: *o.Value, Valid: true}
			}
		}
	}
	set(in.StageID, &f.stage)
	set(in.PrimaryOwnerID, &f.primary)
	set(in.SecondaryOwnerID, &f.secondary)
	if f.secondary.Valid && !f.primary.Valid {
		bad.Add("secondary_owner_id", "needs a primary owner first")
	}
	if f.secondary.Valid && f.secondary == f.primary {
		bad.Add("secondary_owner_id", "must not be the primary owner")
	}
	return f, bad.Err()
}

// NormalizePhone reads a phone number (in country when it has no country code) and returns it
// in E.164.
func NormalizePhone(raw, country string) (string, error) {
	n, err := phonenumbers.Parse(raw, country)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", errors.New("must be a valid phone number; add the country code (+44 ...) for numbers outside " + country)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// searchText is what search matches: the name in lower case, the normalized email and the
// phone's digits.
func searchText(f fields) string {
	parts := []string{strings.ToLower(f.name)}
	if f.emailNormalized != nil {
		parts = append(parts, *f.emailNormalized)
	}
	if f.phone != nil {
		parts = append(parts, strings.TrimPrefix(*f.phone, "+"))
	}
	return strings.Join(parts, " ")
}

// Service holds the contact rules.
type Service struct {
	tenants *tenant.DB
	jobs    jobs.Inserter
}

// NewService returns the contacts service.
func NewService(tenants *tenant.DB, jobs jobs.Inserter) *Service {
	return &Service{tenants: tenants, jobs: jobs}
}

// check validates f inside tx: the stage is the agent's and the owners work in it, always; and,
// for an active contact, that no other active contact holds the same email, phone, external id
// or unique custom value (archived contacts may share them).
func check(ctx context.Context, tx tenant.Tx, agentID, self uuid.UUID, f fields, active bool) error {
	bad := apperr.Fields{}
	if f.stage.Valid {
		if _, err := tx.Q.LockStageShared(ctx, db.LockStageSharedParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: f.stage.UUID}); errors.Is(err, pgx.ErrNoRows) {
			bad.Add("stage_id", "is not a stage of this agent")
		} else if err != nil {
			return err
		}
	}
	for field, owner := range map[string]uuid.NullUUID{"primary_owner_id": f.primary, "secondary_owner_id": f.secondary} {
		if !owner.Valid {
			continue
		}
		ok, err := tx.Q.MemberWorksInAgent(ctx, db.MemberWorksInAgentParams{WorkspaceID: tx.WorkspaceID, UserID: owner.UUID, AgentID: agentID})
		if err != nil {
			return err
		}
		if !ok {
			bad.Add(field, "must be a member who works in this agent")
		}
	}
	if err := bad.Err(); err != nil || !active {
		return err
	}
	if err := checkDuplicate(ctx, tx, agentID, self, f); err != nil {
		return err
	}
	return customfields.CheckUnique(ctx, tx, agentID, self, f.custom)
}

// checkDuplicate answers a conflict that names the contact already holding the details.
func checkDuplicate(ctx context.Context, tx tenant.Tx, agentID, self uuid.UUID, f fields) error {
	dup, err := tx.Q.FindDuplicateContact(ctx, db.FindDuplicateContactParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ExcludeID: self,
		EmailNormalized: f.emailNormalized, Phone: f.phone, ExternalID: f.externalID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return duplicateOf(dup.Field, dup.ID, dup.Name)
}

// duplicateOf is the conflict of a contact write whose field (email, phone, external_id) the
// contact id, named name, already holds.
func duplicateOf(field string, id uuid.UUID, name string) error {
	shown := name
	if shown == "" {
		shown = "an unnamed contact"
	}
	label := strings.ReplaceAll(field, "_", " ")
	return &apperr.Error{Code: apperr.Conflict,
		Message: fmt.Sprintf("a contact with this %s already exists: %s", label, shown),
		Fields:  map[string]string{field: "already belongs to " + shown},
		Details: map[string]any{"existing_contact_id": id, "existing_contact_name": name}}
}

// DuplicateField is the field (email, phone, external_id) of a write's conflict with the
// contact already holding that value, as checkDuplicate answers it; "" for any other error.
func DuplicateField(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Conflict || ae.Details["existing_contact_id"] == nil || len(ae.Fields) != 1 {
		return ""
	}
	for _, field := range []string{"email", "phone", "external_id"} {
		if _, ok := ae.Fields[field]; ok {
			return field
		}
	}
	return ""
}

// duplicateRace turns a unique violation that slipped past checkDuplicate or CheckUnique (a
// write at the same moment, such as an import's chunk) into the same conflict.
func duplicateRace(err error) error {
	var pg *pgconn.PgError
	switch {
	case !errors.As(err, &pg) || pg.Code != pgerrcode.UniqueViolation:
		return err
	case pg.ConstraintName == customfields.UniqueValueConstraint:
		return apperr.New(apperr.Conflict, "another contact has just taken a value of a unique field given here; reload to see it")
	}
	return apperr.New(apperr.Conflict, "a contact with these details was just created; reload to see it")
}

// mustJSON encodes custom values; they come from encoding/json or fields.Validate, which only
// produce JSON-encodable values.
func mustJSON(v map[string]any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("contacts: custom values are not JSON: %v", err))
	}
	return b
}

func country(ctx context.Context, tx tenant.Tx) (string, error) {
	return tx.Q.GetWorkspaceCountry(ctx, tx.WorkspaceID)
}

// Create adds a contact to the agent. source is the path it arrived by; createdBy is the member
// who added it (uuid.Nil for none, as for contacts captured from chat).
func (s *Service) Create(ctx context.Context, ws, agentID uuid.UUID, in Input, source Source, createdBy uuid.UUID) (Contact, error) {
	var out Contact
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		out, err = s.CreateTx(ctx, tx, agentID, in, source, createdBy)
		return err
	})
	return out, err
}

// CreateTx adds a contact inside an open tenant transaction; every creation path but the import's
// bulk load uses it. A contact captured from chat (SourceChat) is written by the AI: its custom
// values follow the fields' AI policies (fields.WriterAI). The contact starts in the stage its
// creation method's automation names (unless in chose one), and its automation job (owners) is
// inserted in tx, so it runs exactly when the contact commits. It is CreateManyTx of one.
func (s *Service) CreateTx(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, in Input, source Source, createdBy uuid.UUID) (Contact, error) {
	out, refused, err := s.CreateManyTx(ctx, tx, agentID, []Input{in}, CreateOptions{Source: source, CreatedBy: createdBy})
	if err != nil {
		return Contact{}, err
	}
	if refused[0] != nil {
		return Contact{}, refused[0]
	}
	return out[0], nil
}

func get(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID) (Contact, error) {
	r, err := tx.Q.GetContact(ctx, db.GetContactParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Contact{}, apperr.New(apperr.NotFound, "no such contact")
	}
	return fromRow(r.Contact, r.StageName, r.PrimaryOwnerName, r.SecondaryOwnerName), err
}

// Exists answers nil when id is a contact of the agent, in tx's workspace, and the not-found
// error otherwise: for the capabilities that hang things on a contact (files).
func Exists(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID) error {
	_, err := get(ctx, tx, agentID, id)
	return err
}

// Get returns a contact of the agent.
func (s *Service) Get(ctx context.Context, ws, agentID, id uuid.UUID) (Contact, error) {
	var out Contact
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		out, err = get(ctx, tx, agentID, id)
		return err
	})
	return out, err
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchPattern turns what was typed into the LIKE pattern search_text is matched with ("" for
// no search): lower case, LIKE's wildcards escaped; a phone-looking fragment ("+1 (555) 12")
// keeps only its digits.
func SearchPattern(q string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case strings.ContainsRune("+-() .", r):
			return -1
		}
		return 'x'
	}, q)
	if digits != "" && !strings.ContainsRune(digits, 'x') {
		q = digits
	}
	if q == "" {
		return ""
	}
	return "%" + likeEscaper.Replace(q) + "%"
}

// Update patches a contact. ifMatch, when given, must be the contact's current ETag.
func (s *Service) Update(ctx context.Context, ws, agentID, id uuid.UUID, in Input, ifMatch string) (Contact, error) {
	return s.change(ctx, ws, agentID, id, ifMatch, "update", func(tx tenant.Tx, f fields, cc string) (fields, string, error) {
		f, err := applyAll(ctx, tx, agentID, in, f, cc, false, customfields.WriterMember)
		return f, "", err
	})
}

// MoveToStage sets a contact's stage (members with role user may do this, not other edits).
func (s *Service) MoveToStage(ctx context.Context, ws, agentID, id, stageID uuid.UUID, ifMatch string) (Contact, error) {
	return s.change(ctx, ws, agentID, id, ifMatch, "update", func(_ tenant.Tx, f fields, _ string) (fields, string, error) {
		f.stage = uuid.NullUUID{UUID: stageID, Valid: true}
		return f, "", nil
	})
}

// SetStatus archives or restores a contact. Restoring checks the duplicate rule again: another
// active contact may have taken the email meanwhile.
func (s *Service) SetStatus(ctx context.Context, ws, agentID, id uuid.UUID, status string) (Contact, error) {
	action := map[string]string{Archived: "archive", Active: "restore"}[status]
	return s.change(ctx, ws, agentID, id, "", action, func(_ tenant.Tx, f fields, _ string) (fields, string, error) {
		return f, status, nil
	})
}

// change runs one edit of a contact in a transaction of its own.
func (s *Service) change(ctx context.Context, ws, agentID, id uuid.UUID, ifMatch, action string,
	edit func(tenant.Tx, fields, string) (fields, string, error)) (Contact, error) {
	var out Contact
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		out, err = changeTx(ctx, tx, agentID, id, ifMatch, action, edit)
		return err
	})
	return out, err
}

// changeTx runs one edit of a contact: lock, check the version, apply, validate, write, audit.
func changeTx(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID, ifMatch, action string,
	edit func(tenant.Tx, fields, string) (fields, string, error)) (Contact, error) {
	ws := tx.WorkspaceID
	if _, err := tx.Q.LockContact(ctx, db.LockContactParams{WorkspaceID: ws, AgentID: agentID, ID: id}); errors.Is(err, pgx.ErrNoRows) {
		return Contact{}, apperr.New(apperr.NotFound, "no such contact: %s", id)
	} else if err != nil {
		return Contact{}, err
	}
	r, err := tx.Q.GetContact(ctx, db.GetContactParams{WorkspaceID: ws, AgentID: agentID, ID: id})
	if err != nil {
		return Contact{}, err
	}
	before := fromRow(r.Contact, r.StageName, r.PrimaryOwnerName, r.SecondaryOwnerName)
	if ifMatch != "" && ifMatch != before.ETag() {
		return Contact{}, apperr.New(apperr.Precondition, "the contact changed since you loaded it; reload and try again")
	}
	cc, err := country(ctx, tx)
	if err != nil {
		return Contact{}, err
	}
	f, status, err := edit(tx, fieldsOf(r.Contact), cc)
	if err != nil {
		return Contact{}, err
	}
	if status == "" {
		status = r.Contact.Status
	}
	if err := check(ctx, tx, agentID, id, f, status == Active); err != nil {
		return Contact{}, err
	}
	if err := tx.Q.UpdateContact(ctx, db.UpdateContactParams{WorkspaceID: ws, AgentID: agentID, ID: id,
		Name: f.name, Email: f.email, EmailNormalized: f.emailNormalized, Phone: f.phone, StageID: f.stage,
		PrimaryOwnerID: f.primary, SecondaryOwnerID: f.secondary, ExternalID: f.externalID, Status: status,
		SearchText: searchText(f), Custom: mustJSON(f.custom)}); err != nil {
		return Contact{}, duplicateRace(err)
	}
	out, err := get(ctx, tx, agentID, id)
	if err != nil {
		return Contact{}, err
	}
	return out, audit.Record(ctx, tx, audit.Entry{Action: action, Resource: "contacts", ResourceID: id.String(), Before: before, After: out})
}

// Delete removes a contact, its notes and its files for good (the files' stored contents go
// with a purge_blobs job committed with the deletion).
func (s *Service) Delete(ctx context.Context, ws, agentID, id uuid.UUID) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error { return s.deleteTx(ctx, tx, agentID, id, "delete") })
}

// deleteTx deletes a contact with its notes, files and their stored contents, audited as action
// (an erase records no personal data).
func (s *Service) deleteTx(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID, action string) error {
	ws := tx.WorkspaceID
	{
		before, err := get(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		files, err := tx.Q.ContactFileIDs(ctx, db.ContactFileIDsParams{WorkspaceID: ws, ContactID: id})
		if err != nil {
			return err
		}
		if err := tx.Q.DeleteContact(ctx, db.DeleteContactParams{WorkspaceID: ws, AgentID: agentID, ID: id}); err != nil {
			return err
		}
		if len(files) > 0 {
			if _, err := s.jobs.InsertTx(ctx, tx, jobs.PurgeBlobsArgs{WorkspaceID: ws, FileIDs: files}, nil); err != nil {
				return err
			}
		}
		if action == "erase" {
			if err := s.scrub(ctx, tx, id); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Action: "erase", Resource: "contacts", ResourceID: id.String()})
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "delete", Resource: "contacts", ResourceID: id.String(), Before: before})
	}
}

// scrub removes what an erased contact leaves outside its own rows: the values recorded in its
// history and in the history of every contact merged into it (a merge leaves the merged
// contact's older entries filed under its own id; ContactsMergedInto follows the merged_into
// entries, merges of merges too), the import undo snapshots of them all, and the stored files of
// the ended imports that wrote any of them (a job purges them; the imports say so). The history
// keeps that a contact was erased, and when, and by whom; not who it was.
func (s *Service) scrub(ctx context.Context, tx tenant.Tx, id uuid.UUID) error {
	merged, err := tx.Q.ContactsMergedInto(ctx, db.ContactsMergedIntoParams{WorkspaceID: tx.WorkspaceID, SubjectID: id.String()})
	if err != nil {
		return err
	}
	subjects, ids := []string{id.String()}, []uuid.UUID{id}
	for _, m := range merged {
		subjects = append(subjects, m)
		if u, err := uuid.Parse(m); err == nil {
			ids = append(ids, u)
		}
	}
	if _, err := tx.Q.RedactAuditSubjects(ctx, subjects); err != nil {
		return err
	}
	imports, err := tx.Q.DeleteImportChanges(ctx, db.DeleteImportChangesParams{WorkspaceID: tx.WorkspaceID, ContactIds: ids})
	if err != nil || len(imports) == 0 {
		return err
	}
	erased, err := tx.Q.MarkImportFilesErased(ctx, db.MarkImportFilesErasedParams{WorkspaceID: tx.WorkspaceID, Ids: imports})
	if err != nil || len(erased) == 0 {
		return err
	}
	_, err = s.jobs.InsertTx(ctx, tx, jobs.PurgeImportFilesArgs{WorkspaceID: tx.WorkspaceID, ImportIDs: erased}, nil)
	return err
}

// Erase deletes a contact completely (privacy): the contact, its notes, its files and their
// contents, the values recorded in its history (and in that of the contacts merged into it), and
// its import undo snapshots; one audit entry remains, without personal data.
func (s *Service) Erase(ctx context.Context, ws, agentID, id uuid.UUID) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error { return s.deleteTx(ctx, tx, agentID, id, "erase") })
}

// TimelineLength is how many changes a contact's timeline shows.
const TimelineLength = 200

// Timeline is the contact's history from the audit log (its own changes and its notes' and
// files'), newest first.
func (s *Service) Timeline(ctx context.Context, ws, agentID, id uuid.UUID) ([]audit.Logged, error) {
	var out []audit.Logged
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if _, err := get(ctx, tx, agentID, id); err != nil {
			return err
		}
		var err error
		out, err = audit.History(ctx, tx, id.String(), TimelineLength)
		return err
	})
	return out, err
}

// Similar is a contact that looks like details being typed.
type Similar struct {
	ID             uuid.UUID `json:"id"`
	Name           string    `json:"name"`
	Email          *string   `json:"email"`
	Phone          *string   `json:"phone"`
	Status         string    `json:"status"`
	Reasons        []string  `json:"reasons"`
	NameSimilarity float64   `json:"name_similarity"`
}

// Similar finds contacts of the agent that share an email or phone with, or have a name like,
// the details given (invalid details are ignored: the warning is a hint while typing).
func (s *Service) Similar(ctx context.Context, ws, agentID uuid.UUID, name, email, phone string, exclude uuid.UUID) ([]Similar, error) {
	out := []Similar{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		p := db.SimilarContactsParams{WorkspaceID: ws, AgentID: agentID, ExcludeID: exclude, Name: strings.TrimSpace(name)}
		if e, ok := mail.NormalizeEmail(email); ok {
			p.EmailNormalized = &e
		}
		if phone != "" {
			cc, err := country(ctx, tx)
			if err != nil {
				return err
			}
			if e164, err := NormalizePhone(phone, cc); err == nil {
				p.Phone = &e164
			}
		}
		if p.EmailNormalized == nil && p.Phone == nil && utf8.RuneCountInString(p.Name) < 3 {
			return nil
		}
		rows, err := tx.Q.SimilarContacts(ctx, p)
		for _, r := range rows {
			sim := Similar{ID: r.ID, Name: r.Name, Email: r.Email, Phone: r.Phone, Status: r.Status, NameSimilarity: r.NameSimilarity, Reasons: []string{}}
			if r.SameEmail {
				sim.Reasons = append(sim.Reasons, "email")
			}
			if r.SamePhone {
				sim.Reasons = append(sim.Reasons, "phone")
			}
			if r.NameSimilarity >= 0.5 {
				sim.Reasons = append(sim.Reasons, "name")
			}
			out = append(out, sim)
		}
		return err
	})
	return out, err
}
