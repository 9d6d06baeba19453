package contacts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/microcosm-cc/bluemonday"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
)

// MaxNoteLength bounds a note's HTML, after sanitizing.
const MaxNoteLength = 100_000

// notePolicy is the allow-list for notes: the formatting a rich-text editor produces (text
// styles, headings, lists, quotes, code, links). Scripts, styles, event handlers and any URL
// scheme but http, https and mailto never survive; links get rel="nofollow noopener".
var notePolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// SanitizeNote returns the note's HTML with everything outside the allow-list removed.
func SanitizeNote(html string) string { return strings.TrimSpace(notePolicy.Sanitize(html)) }

// Note is a note as the API shows it.
type Note struct {
	ID         uuid.UUID  `json:"id"`
	ContactID  uuid.UUID  `json:"contact_id"`
	AuthorID   *uuid.UUID `json:"author_id"`
	AuthorName string     `json:"author_name"`
	BodyHTML   string     `json:"body_html"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func noteFrom(n db.ContactNote, author string) Note {
	out := Note{ID: n.ID, ContactID: n.ContactID, AuthorName: author, BodyHTML: n.BodyHtml, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
	if n.AuthorID.Valid {
		out.AuthorID = &n.AuthorID.UUID
	}
	return out
}

func noteBody(html string) (string, error) {
	clean := SanitizeNote(html)
	switch {
	case clean == "":
		return "", apperr.Field("body_html", "is empty (after removing what notes may not contain)")
	case len(clean) > MaxNoteLength:
		return "", apperr.Field("body_html", "must be at most 100,000 characters of HTML")
	}
	return clean, nil
}

// Notes lists a contact's notes, newest first.
func (s *Service) Notes(ctx context.Context, ws, agentID, contactID uuid.UUID) ([]Note, error) {
	out := []Note{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if _, err := get(ctx, tx, agentID, contactID); err != nil {
			return err
		}
		rows, err := tx.Q.ListNotes(ctx, db.ListNotesParams{WorkspaceID: ws, ContactID: contactID})
		for _, r := range rows {
			out = append(out, noteFrom(r.ContactNote, r.AuthorName))
		}
		return err
	})
	return out, err
}

// AddNote writes a note on a contact, by m.
func (s *Service) AddNote(ctx context.Context, m *httpapi.Member, agentID, contactID uuid.UUID, html string) (Note, error) {
	body, err := noteBody(html)
	if err != nil {
		return Note{}, err
	}
	var out Note
	err = s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		if _, err := get(ctx, tx, agentID, contactID); err != nil {
			return err
		}
		n, err := tx.Q.CreateNote(ctx, db.CreateNoteParams{WorkspaceID: m.WorkspaceID, ContactID: contactID, ID: uuid.Must(uuid.NewV7()),
			AuthorID: uuid.NullUUID{UUID: m.UserID, Valid: true}, BodyHtml: body})
		if err != nil {
			return err
		}
		out = noteFrom(n, m.Name)
		return audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "contact_notes", ResourceID: n.ID.String(), SubjectID: contactID.String(), After: out})
	})
	return out, err
}

// lockNote loads a note for a change by m: its author may change it, and so may owners and
// admins; to anyone else it is refused.
func lockNote(ctx context.Context, tx tenant.Tx, m *httpapi.Member, agentID, contactID, id uuid.UUID) (db.ContactNote, error) {
	if _, err := get(ctx, tx, agentID, contactID); err != nil {
		return db.ContactNote{}, err
	}
	n, err := tx.Q.GetNoteForUpdate(ctx, db.GetNoteForUpdateParams{WorkspaceID: m.WorkspaceID, ContactID: contactID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return n, apperr.New(apperr.NotFound, "no such note")
	}
	if err != nil {
		return n, err
	}
	if m.Role == authz.RoleUser && n.AuthorID.UUID != m.UserID {
		return n, apperr.New(apperr.Forbidden, "only the note's author or an admin may change it")
	}
	return n, nil
}

// EditNote replaces a note's text.
func (s *Service) EditNote(ctx context.Context, m *httpapi.Member, agentID, contactID, id uuid.UUID, html string) (Note, error) {
	body, err := noteBody(html)
	if err != nil {
		return Note{}, err
	}
	var out Note
	err = s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		before, err := lockNote(ctx, tx, m, agentID, contactID, id)
		if err != nil {
			return err
		}
		n, err := tx.Q.UpdateNote(ctx, db.UpdateNoteParams{WorkspaceID: m.WorkspaceID, ContactID: contactID, ID: id, BodyHtml: body})
		if err != nil {
			return err
		}
		out = noteFrom(db.ContactNote{WorkspaceID: n.WorkspaceID, ContactID: n.ContactID, ID: n.ID, AuthorID: n.AuthorID,
			BodyHtml: n.BodyHtml, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}, n.AuthorName)
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "contact_notes", ResourceID: id.String(), SubjectID: contactID.String(),
			Before: map[string]any{"body_html": before.BodyHtml}, After: map[string]any{"body_html": n.BodyHtml}})
	})
	return out, err
}

// DeleteNote removes a note.
func (s *Service) DeleteNote(ctx context.Context, m *httpapi.Member, agentID, contactID, id uuid.UUID) error {
	return s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		before, err := lockNote(ctx, tx, m, agentID, contactID, id)
		if err != nil {
			return err
		}
		if err := tx.Q.DeleteNote(ctx, db.DeleteNoteParams{WorkspaceID: m.WorkspaceID, ContactID: contactID, ID: id}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "delete", Resource: "contact_notes", ResourceID: id.String(), SubjectID: contactID.String(),
			Before: map[string]any{"body_html": before.BodyHtml}})
	})
}
