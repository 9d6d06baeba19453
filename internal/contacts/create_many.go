package contacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	customfields "github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// CreateOptions say how CreateManyTx's contacts arrive.
type CreateOptions struct {
	Source Source
	// CreatedBy is the member who adds them (uuid.Nil for none, as for contacts captured from
	// chat).
	CreatedBy uuid.UUID
	// Actors[i] is who input i's audit entry names (nil: the actor in ctx for every input).
	Actors []audit.Actor
	// Country is the workspace's phone country when the caller has just read it ("": read it).
	Country string
}

// CreateManyTx adds contacts of one agent and source inside an open tenant transaction, each
// exactly as CreateTx would (the same validation, starting stage, duplicate rule, automation
// and audit entry), with one statement per step for all of them: the group commit of chat saves
// spends per batch what CreateTx spends per contact (the country and fields read, the stage
// lock, the search copy's trigger, the job, the audit statement).
//
// errs[i] is input i's refusal, as CreateTx would have answered it had the inputs been created
// one after the other in order: invalid values, or a duplicate of an existing contact or of an
// earlier input. A refused input is not written; the others are, and out[i] is input i's
// contact. An error returned beside them is the database's: roll tx back.
func (s *Service) CreateManyTx(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, ins []Input, opts CreateOptions) (out []Contact, errs []error, err error) {
	source, createdBy, actors := opts.Source, opts.CreatedBy, opts.Actors
	if actors == nil {
		actors = make([]audit.Actor, len(ins))
		for i := range actors {
			actors[i] = audit.ActorFrom(ctx)
		}
	}
	if len(actors) != len(ins) {
		return nil, nil, fmt.Errorf("contacts: %d inputs with %d actors", len(ins), len(actors))
	}
	out, errs = make([]Contact, len(ins)), make([]error, len(ins))
	if len(ins) == 0 {
		return out, errs, nil
	}
	cc := opts.Country
	if cc == "" {
		if cc, err = country(ctx, tx); err != nil {
			return nil, nil, err
		}
	}
	batch, err := customfields.NewBatch(ctx, tx, agentID, cc)
	if err != nil {
		return nil, nil, err
	}
	fs := make([]fields, len(ins))
	needStart := false
	for i, in := range ins {
		f, builtinErr := in.apply(fields{custom: map[string]any{}}, cc)
		custom, customErr := batch.ValidateNew(in.Custom, writerOf(source))
		if customErr == nil {
			f.custom = custom
		}
		fs[i], errs[i] = f, joinInvalid(builtinErr, customErr)
		needStart = needStart || (errs[i] == nil && !f.stage.Valid)
	}
	if needStart {
		first, err := tx.Q.StartingStage(ctx, db.StartingStageParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, Source: string(source)})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, err
		}
		for i := range fs {
			if errs[i] == nil && !fs[i].stage.Valid {
				fs[i].stage = uuid.NullUUID{UUID: first, Valid: err == nil}
			}
		}
	}
	stageNames, err := checkStagesAndOwners(ctx, tx, agentID, fs, errs)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]uuid.UUID, len(ins))
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7())
	}
	if err := checkDuplicates(ctx, tx, agentID, ids, fs, errs); err != nil {
		return nil, nil, err
	}
	if err := checkUniqueValues(ctx, tx, agentID, batch, ids, fs, errs); err != nil {
		return nil, nil, err
	}

	p := db.CreateContactsParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, Source: string(source),
		CreatedBy: uuid.NullUUID{UUID: createdBy, Valid: createdBy != uuid.Nil}}
	owned := false
	for i, f := range fs {
		if errs[i] != nil {
			continue
		}
		owned = owned || f.primary.Valid || f.secondary.Valid
		p.Ids = append(p.Ids, ids[i])
		p.Names = append(p.Names, f.name)
		p.Emails = append(p.Emails, deref(f.email))
		p.EmailsNormalized = append(p.EmailsNormalized, deref(f.emailNormalized))
		p.Phones = append(p.Phones, deref(f.phone))
		p.StageIds = append(p.StageIds, f.stage.UUID)
		p.PrimaryOwnerIds = append(p.PrimaryOwnerIds, f.primary.UUID)
		p.SecondaryOwnerIds = append(p.SecondaryOwnerIds, f.secondary.UUID)
		p.ExternalIds = append(p.ExternalIds, deref(f.externalID))
		p.SearchTexts = append(p.SearchTexts, searchText(f))
		p.Customs = append(p.Customs, mustJSON(f.custom))
	}
	if len(p.Ids) == 0 {
		return out, errs, nil
	}
	rows, err := tx.Q.CreateContacts(ctx, p)
	if err != nil {
		return nil, nil, duplicateRace(err)
	}
	// One automation job for the contacts created together: it commits with them, as each one's
	// own job would, and the automation runs them as one batch anyway.
	if _, err := s.jobs.InsertTx(ctx, tx, jobs.AutomateContactsArgs{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ContactIDs: p.Ids}, nil); err != nil {
		return nil, nil, err
	}
	created := make(map[uuid.UUID]Contact, len(rows))
	if owned {
		// The owners' names are the users': read the contacts back as get does.
		withNames, err := tx.Q.ContactsByIDs(ctx, db.ContactsByIDsParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, Ids: p.Ids})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range withNames {
			created[r.Contact.ID] = fromRow(r.Contact, r.StageName, r.PrimaryOwnerName, r.SecondaryOwnerName)
		}
	} else {
		for _, r := range rows {
			created[r.ID] = fromRow(r, stageNames[r.StageID.UUID], "", "")
		}
	}
	var entries []audit.Entry
	var entryActors []audit.Actor
	for i := range ins {
		if errs[i] != nil {
			continue
		}
		c, ok := created[ids[i]]
		if !ok {
			return nil, nil, fmt.Errorf("contacts: created contact %s not read back", ids[i])
		}
		out[i] = c
		entries = append(entries, audit.Entry{Action: "create", Resource: "contacts", ResourceID: c.ID.String(), After: c})
		entryActors = append(entryActors, actors[i])
	}
	return out, errs, audit.RecordEach(ctx, tx, entries, entryActors)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// checkStagesAndOwners is check's first half for many new contacts: each one's stage must be
// the agent's (locked for share until commit) and its owners must work in the agent. It sets
// errs[i] for the inputs at fault (those already refused are skipped), and answers the names of
// the stages.
func checkStagesAndOwners(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, fs []fields, errs []error) (map[uuid.UUID]string, error) {
	var stageIDs []uuid.UUID
	for i, f := range fs {
		if errs[i] == nil && f.stage.Valid && !slices.Contains(stageIDs, f.stage.UUID) {
			stageIDs = append(stageIDs, f.stage.UUID)
		}
	}
	stages := map[uuid.UUID]string{}
	if len(stageIDs) > 0 {
		rows, err := tx.Q.LockStagesShared(ctx, db.LockStagesSharedParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, Ids: stageIDs})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			stages[r.ID] = r.Name
		}
	}
	works := map[uuid.UUID]bool{}
	for i, f := range fs {
		if errs[i] != nil {
			continue
		}
		bad := apperr.Fields{}
		if _, ok := stages[f.stage.UUID]; f.stage.Valid && !ok {
			bad.Add("stage_id", "is not a stage of this agent")
		}
		for _, o := range []struct {
			field string
			id    uuid.NullUUID
		}{{"primary_owner_id", f.primary}, {"secondary_owner_id", f.secondary}} {
			if !o.id.Valid {
				continue
			}
			ok, known := works[o.id.UUID]
			if !known {
				var err error
				if ok, err = tx.Q.MemberWorksInAgent(ctx, db.MemberWorksInAgentParams{WorkspaceID: tx.WorkspaceID, UserID: o.id.UUID, AgentID: agentID}); err != nil {
					return nil, err
				}
				works[o.id.UUID] = ok
			}
			if !ok {
				bad.Add(o.field, "must be a member who works in this agent")
			}
		}
		errs[i] = bad.Err()
	}
	return stages, nil
}

// checkDuplicates is checkDuplicate for many new contacts, in one statement, and among them:
// an input holding the email, phone or external id of an existing active contact, or of an
// earlier input, is refused with the conflict CreateTx answers.
func checkDuplicates(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, ids []uuid.UUID, fs []fields, errs []error) error {
	p := db.FindDuplicateContactsParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID}
	for i, f := range fs {
		if errs[i] == nil {
			p.Candidates = append(p.Candidates, int32(i))
			p.EmailsNormalized = append(p.EmailsNormalized, deref(f.emailNormalized))
			p.Phones = append(p.Phones, deref(f.phone))
			p.ExternalIds = append(p.ExternalIds, deref(f.externalID))
		}
	}
	if len(p.Candidates) == 0 {
		return nil
	}
	dups, err := tx.Q.FindDuplicateContacts(ctx, p)
	if err != nil {
		return err
	}
	for _, d := range dups {
		errs[d.Candidate] = duplicateOf(d.Field, d.ID, d.Name)
	}
	// Among the inputs: the first to hold a value keeps it.
	holders := map[[2]string]int{}
	for i, f := range fs {
		if errs[i] != nil {
			continue
		}
		keys := []struct{ field, value string }{
			{"email", deref(f.emailNormalized)}, {"phone", deref(f.phone)}, {"external_id", deref(f.externalID)}}
		for _, k := range keys {
			if k.value == "" {
				continue
			}
			if j, taken := holders[[2]string{k.field, k.value}]; taken {
				errs[i] = duplicateOf(k.field, ids[j], fs[j].name)
				break
			}
		}
		if errs[i] != nil {
			continue
		}
		for _, k := range keys {
			if k.value != "" {
				holders[[2]string{k.field, k.value}] = i
			}
		}
	}
	return nil
}

// checkUniqueValues is fields.CheckUnique for many new contacts, and among them: an input
// holding a unique custom value that an earlier input holds is refused like one that an
// existing contact holds.
func checkUniqueValues(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, batch *customfields.Batch, ids []uuid.UUID, fs []fields, errs []error) error {
	unique := batch.Unique()
	if len(unique) == 0 {
		return nil
	}
	labels := map[string]string{}
	for _, f := range batch.Fields() {
		labels[f.Key] = f.Label
	}
	holders := map[[2]string]int{}
	for i, f := range fs {
		if errs[i] != nil {
			continue
		}
		var mine [][2]string
		for _, key := range unique {
			v := f.custom[key]
			if v == nil {
				continue
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return err
			}
			k := [2]string{key, string(raw)}
			if j, taken := holders[k]; taken {
				name := fs[j].name
				if name == "" {
					name = "an unnamed contact"
				}
				errs[i] = &apperr.Error{Code: apperr.Conflict,
					Message: fmt.Sprintf("a contact with this %s already exists: %s", labels[key], name),
					Fields:  map[string]string{"custom." + key: "already belongs to " + name},
					Details: map[string]any{"existing_contact_id": ids[j], "existing_contact_name": fs[j].name, "field": key}}
				break
			}
			mine = append(mine, k)
		}
		if errs[i] != nil || len(mine) == 0 {
			continue
		}
		if err := batch.CheckUnique(ctx, tx, agentID, ids[i], f.custom); err != nil {
			if apperr.CodeOf(err) != apperr.Conflict {
				return err
			}
			errs[i] = err
			continue
		}
		for _, k := range mine {
			holders[k] = i
		}
	}
	return nil
}
