package contacts

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/tenant"
)

// exportBatch is how many rows one read of the privacy export takes (notes, files,
// conversations, messages, history): the export reads everything, page after page, never a
// capped page. A variable so a test can make the pages small.
var exportBatch atomic.Int32

func init() { exportBatch.Store(1000) }

// Record is everything Guestlist holds about one contact, for a privacy export (contact.json):
// the contact, every note, every file's details, every chat conversation with its messages,
// where the chat agent captured its values, and its whole history (with that of the contacts
// merged into it, whose older entries stay filed under their own ids).
type Record struct {
	ExportedAt    time.Time        `json:"exported_at"`
	Contact       Contact          `json:"contact"`
	Notes         []Note           `json:"notes"`
	Files         []ExportedFile   `json:"files"`
	Conversations []ExportedChat   `json:"conversations"`
	FieldSources  []ExportedSource `json:"field_sources"`
	MergedIDs     []string         `json:"merged_contact_ids"`
	History       []audit.Logged   `json:"history"`
}

// ExportedFile is a file's details as the export lists them (files/ holds the ready ones'
// contents).
type ExportedFile struct {
	ID           uuid.UUID  `json:"id"`
	Name         string     `json:"name"`
	SizeBytes    int64      `json:"size_bytes"`
	ContentType  string     `json:"content_type"`
	DeclaredType string     `json:"declared_type"`
	SHA256       *string    `json:"sha256"`
	Status       string     `json:"status"`
	RejectReason *string    `json:"reject_reason"`
	CreatedAt    time.Time  `json:"created_at"`
	ProcessedAt  *time.Time `json:"processed_at"`
}

// ExportedChat is a conversation with all its messages.
type ExportedChat struct {
	ID            uuid.UUID         `json:"id"`
	Title         string            `json:"title"`
	StartedAt     time.Time         `json:"started_at"`
	LastMessageAt *time.Time        `json:"last_message_at"`
	EndedAt       *time.Time        `json:"ended_at"`
	Messages      []ExportedMessage `json:"messages"`
}

// ExportedMessage is one message of a conversation.
type ExportedMessage struct {
	Seq     int32     `json:"seq"`
	Role    string    `json:"role"`
	Content string    `json:"content"`
	SentAt  time.Time `json:"sent_at"`
}

// ExportedSource is where the chat agent captured one of the contact's values.
type ExportedSource struct {
	Field          string          `json:"field"`
	ConversationID uuid.UUID       `json:"conversation_id"`
	MessageID      *uuid.UUID      `json:"message_id"`
	Value          json.RawMessage `json:"value"`
	CapturedAt     time.Time       `json:"captured_at"`
}

// Export reads everything about a contact of the agent in one transaction (one consistent
// view), in pages of exportBatch rows.
func (s *Service) Export(ctx context.Context, ws, agentID, id uuid.UUID) (Record, error) {
	rec := Record{ExportedAt: time.Now().UTC(), Notes: []Note{}, Files: []ExportedFile{}, Conversations: []ExportedChat{},
		FieldSources: []ExportedSource{}, MergedIDs: []string{}, History: []audit.Logged{}}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		if rec.Contact, err = get(ctx, tx, agentID, id); err != nil {
			return err
		}
		if rec.Notes, err = exportNotes(ctx, tx, id); err != nil {
			return err
		}
		if rec.Files, err = exportFiles(ctx, tx, id); err != nil {
			return err
		}
		if rec.Conversations, err = exportChats(ctx, tx, agentID, id); err != nil {
			return err
		}
		sources, err := tx.Q.ExportFieldSources(ctx, db.ExportFieldSourcesParams{WorkspaceID: ws, ContactID: id})
		if err != nil {
			return err
		}
		for _, r := range sources {
			src := ExportedSource{Field: r.Field, ConversationID: r.ConversationID, Value: r.Value, CapturedAt: r.CapturedAt}
			if r.MessageID.Valid {
				src.MessageID = &r.MessageID.UUID
			}
			rec.FieldSources = append(rec.FieldSources, src)
		}
		if rec.MergedIDs, err = tx.Q.ContactsMergedInto(ctx, db.ContactsMergedIntoParams{WorkspaceID: ws, SubjectID: id.String()}); err != nil {
			return err
		}
		rec.History, err = exportHistory(ctx, tx, append([]string{id.String()}, rec.MergedIDs...))
		return err
	})
	return rec, err
}

func batch() int32 { return exportBatch.Load() }

func exportNotes(ctx context.Context, tx tenant.Tx, contactID uuid.UUID) ([]Note, error) {
	out := []Note{}
	var below uuid.NullUUID
	for {
		rows, err := tx.Q.NotesPage(ctx, db.NotesPageParams{WorkspaceID: tx.WorkspaceID, ContactID: contactID, BeforeID: below, MaxRows: batch()})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, noteFrom(r.ContactNote, r.AuthorName))
		}
		if len(rows) < int(batch()) {
			return out, nil
		}
		below = uuid.NullUUID{UUID: rows[len(rows)-1].ContactNote.ID, Valid: true}
	}
}

func exportFiles(ctx context.Context, tx tenant.Tx, contactID uuid.UUID) ([]ExportedFile, error) {
	out := []ExportedFile{}
	var below uuid.NullUUID
	for {
		rows, err := tx.Q.ExportFiles(ctx, db.ExportFilesParams{WorkspaceID: tx.WorkspaceID, ContactID: contactID, BeforeID: below, MaxRows: batch()})
		if err != nil {
			return nil, err
		}
		for _, f := range rows {
			out = append(out, ExportedFile{ID: f.ID, Name: f.Name, SizeBytes: f.SizeBytes, ContentType: f.ContentType,
				DeclaredType: f.DeclaredType, SHA256: f.Sha256, Status: f.Status, RejectReason: f.RejectReason,
				CreatedAt: f.CreatedAt, ProcessedAt: f.ProcessedAt})
		}
		if len(rows) < int(batch()) {
			return out, nil
		}
		below = uuid.NullUUID{UUID: rows[len(rows)-1].ID, Valid: true}
	}
}

// exportChats reads the contact's conversations a page at a time, and each page's messages
// in pages too.
func exportChats(ctx context.Context, tx tenant.Tx, agentID, contactID uuid.UUID) ([]ExportedChat, error) {
	out := []ExportedChat{}
	var after uuid.NullUUID
	for {
		convs, err := tx.Q.ExportConversations(ctx, db.ExportConversationsParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID,
			ContactID: uuid.NullUUID{UUID: contactID, Valid: true}, AfterID: after, MaxRows: batch()})
		if err != nil {
			return nil, err
		}
		if len(convs) == 0 {
			return out, nil
		}
		ids := make([]uuid.UUID, len(convs))
		at := map[uuid.UUID]int{}
		for i, c := range convs {
			ids[i] = c.ID
			at[c.ID] = len(out)
			out = append(out, ExportedChat{ID: c.ID, Title: c.Title, StartedAt: c.StartedAt, LastMessageAt: c.LastMessageAt,
				EndedAt: c.EndedAt, Messages: []ExportedMessage{}})
		}
		afterConv, afterSeq := uuid.Nil, int32(0)
		for {
			msgs, err := tx.Q.ExportMessages(ctx, db.ExportMessagesParams{WorkspaceID: tx.WorkspaceID, ConversationIds: ids,
				AfterConversation: afterConv, AfterSeq: afterSeq, MaxRows: batch()})
			if err != nil {
				return nil, err
			}
			for _, m := range msgs {
				chat := &out[at[m.ConversationID]]
				chat.Messages = append(chat.Messages, ExportedMessage{Seq: m.Seq, Role: m.Role, Content: m.Content, SentAt: m.SentAt})
			}
			if len(msgs) < int(batch()) {
				break
			}
			last := msgs[len(msgs)-1]
			afterConv, afterSeq = last.ConversationID, last.Seq
		}
		if len(convs) < int(batch()) {
			return out, nil
		}
		after = uuid.NullUUID{UUID: convs[len(convs)-1].ID, Valid: true}
	}
}

func exportHistory(ctx context.Context, tx tenant.Tx, subjects []string) ([]audit.Logged, error) {
	out := []audit.Logged{}
	var below uuid.NullUUID
	for {
		rows, err := tx.Q.SubjectsHistoryPage(ctx, db.SubjectsHistoryPageParams{WorkspaceID: tx.WorkspaceID, SubjectIds: subjects,
			BeforeID: below, MaxRows: batch()})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, audit.LoggedFrom(r.AuditLog, r.ActorName, r.ActorEmail))
		}
		if len(rows) < int(batch()) {
			return out, nil
		}
		below = uuid.NullUUID{UUID: rows[len(rows)-1].AuditLog.ID, Valid: true}
	}
}
