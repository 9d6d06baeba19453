package contacts

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/tenant"
)

// MaxBulk bounds the contacts one bulk request acts on.
const MaxBulk = 500

// Bulk actions.
const (
	BulkAssign  = "assign"
	BulkStage   = "stage"
	BulkArchive = "archive"
	BulkRestore = "restore"
	BulkDelete  = "delete"
)

// BulkInput is one action over many contacts.
type BulkInput struct {
	ContactIDs     []uuid.UUID `json:"contact_ids"`
	Action         string      `json:"action"`
	PrimaryOwnerID *uuid.UUID  `json:"primary_owner_id"`
	StageID        *uuid.UUID  `json:"stage_id"`
}

// Bulk applies one action to every listed contact in one transaction: all or nothing. Each
// contact goes through the same checks and audit entry as a single edit.
func (s *Service) Bulk(ctx context.Context, ws, agentID uuid.UUID, in BulkInput) (int, error) {
	ids := uniqueIDs(in.ContactIDs)
	switch {
	case len(ids) == 0 || len(ids) > MaxBulk:
		return 0, apperr.Field("contact_ids", "must list 1 to 500 contacts")
	case in.Action == BulkStage && in.StageID == nil:
		return 0, apperr.Field("stage_id", "is required to change the stage")
	}
	var edit func(tenant.Tx, fields, string) (fields, string, error)
	action := "update"
	switch in.Action {
	case BulkAssign:
		edit = func(_ tenant.Tx, f fields, _ string) (fields, string, error) {
			f.primary = uuid.NullUUID{}
			if in.PrimaryOwnerID != nil {
				f.primary = uuid.NullUUID{UUID: *in.PrimaryOwnerID, Valid: true}
			}
			if f.secondary == f.primary {
				f.secondary = uuid.NullUUID{} // never primary and secondary at once
			}
			return f, "", nil
		}
	case BulkStage:
		edit = func(_ tenant.Tx, f fields, _ string) (fields, string, error) {
			f.stage = uuid.NullUUID{UUID: *in.StageID, Valid: true}
			return f, "", nil
		}
	case BulkArchive, BulkRestore:
		status := map[string]string{BulkArchive: Archived, BulkRestore: Active}[in.Action]
		action = in.Action
		edit = func(_ tenant.Tx, f fields, _ string) (fields, string, error) { return f, status, nil }
	case BulkDelete:
	default:
		return 0, apperr.Field("action", "must be assign, stage, archive, restore or delete")
	}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		for _, id := range ids {
			var err error
			if in.Action == BulkDelete {
				err = s.deleteTx(ctx, tx, agentID, id, "delete")
			} else {
				_, err = changeTx(ctx, tx, agentID, id, "", action, edit)
			}
			if err != nil {
				return nameContact(err, id)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// nameContact says which contact of a bulk request an error is about.
func nameContact(err error, id uuid.UUID) error {
	if ae, ok := err.(*apperr.Error); ok && !strings.Contains(ae.Message, id.String()) {
		copy := *ae
		copy.Message = "contact " + id.String() + ": " + ae.Message
		return &copy
	}
	return err
}

// Merge folds merged into survivor: the survivor keeps its values except the fields named in
// take ("name", "email", "phone", "stage", "owners", "external_id", "custom.<key>"), which come
// from merged; merged's notes, files and conversations move to the survivor; merged is deleted.
// One audit entry records both contacts before and the survivor after.
func (s *Service) Merge(ctx context.Context, ws, agentID, survivorID, mergedID uuid.UUID, take []string) (Contact, error) {
	if survivorID == mergedID {
		return Contact{}, apperr.Field("merged_id", "must be another contact than the survivor")
	}
	var out Contact
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		merged, err := tx.Q.GetContact(ctx, db.GetContactParams{WorkspaceID: ws, AgentID: agentID, ID: mergedID})
		if err != nil {
			return notFoundAs(err, "merged_id")
		}
		if _, err := get(ctx, tx, agentID, survivorID); err != nil {
			return err
		}
		from := fieldsOf(merged.Contact)
		mergedView := fromRow(merged.Contact, merged.StageName, merged.PrimaryOwnerName, merged.SecondaryOwnerName)
		if err := tx.Q.MoveNotes(ctx, db.MoveNotesParams{WorkspaceID: ws, FromContact: mergedID, ToContact: survivorID}); err != nil {
			return err
		}
		if err := tx.Q.MoveFiles(ctx, db.MoveFilesParams{WorkspaceID: ws, FromContact: mergedID, ToContact: survivorID}); err != nil {
			return err
		}
		// Conversations go with their contact when it is deleted: move them first.
		if err := tx.Q.MoveConversations(ctx, db.MoveConversationsParams{WorkspaceID: ws, FromContact: mergedID, ToContact: survivorID}); err != nil {
			return err
		}
		// Deleted first, so the survivor may take its email, phone or external id.
		if err := tx.Q.DeleteContact(ctx, db.DeleteContactParams{WorkspaceID: ws, AgentID: agentID, ID: mergedID}); err != nil {
			return err
		}
		bad := apperr.Fields{}
		out, err = changeTx(ctx, tx, agentID, survivorID, "", "merge", func(_ tenant.Tx, f fields, _ string) (fields, string, error) {
			for _, name := range take {
				switch {
				case name == "name":
					f.name = from.name
				case name == "email":
					f.email, f.emailNormalized = from.email, from.emailNormalized
				case name == "phone":
					f.phone = from.phone
				case name == "stage":
					f.stage = from.stage
				case name == "owners":
					f.primary, f.secondary = from.primary, from.secondary
				case name == "external_id":
					f.externalID = from.externalID
				case strings.HasPrefix(name, "custom."):
					key := strings.TrimPrefix(name, "custom.")
					if v, ok := from.custom[key]; ok {
						f.custom[key] = v
					} else {
						delete(f.custom, key)
					}
				default:
					bad.Add("take", "names an unknown field: "+name)
				}
			}
			if f.email == nil && f.phone == nil {
				bad.Add("take", "leaves the contact without an email or a phone")
			}
			return f, "", bad.Err()
		})
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "merged_into", Resource: "contacts", ResourceID: mergedID.String(),
			SubjectID: survivorID.String(), Before: mergedView, After: map[string]any{"survivor_id": survivorID}})
	})
	return out, err
}

func notFoundAs(err error, field string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return &apperr.Error{Code: apperr.NotFound, Message: "no such contact", Fields: map[string]string{field: "is not a contact of this agent"}}
	}
	return err
}
