package chat

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/tenant"
)

// AnonymousLabel is how a visitor who has not been identified is shown.
const AnonymousLabel = "Anonymous User"

// HistoryPageSize is how many people a page of the history shows.
const HistoryPageSize = 50

// Person is a contact or an anonymous visitor, with their conversations, newest first.
type Person struct {
	// ContactID is nil for an anonymous visitor.
	ContactID *uuid.UUID `json:"contact_id"`
	// VisitorID is the anonymous visitor's id ("" for a contact).
	VisitorID     string         `json:"visitor_id"`
	Label         string         `json:"label"`
	Email         *string        `json:"email"`
	Phone         *string        `json:"phone"`
	LastActivity  time.Time      `json:"last_activity"`
	Live          bool           `json:"live"`
	Conversations []Conversation `json:"conversations"`
}

// HistoryCursor is where a page of the history continues: after the person whose last activity
// and key (unique per person) are these, in the history's order (last activity, then key, both
// descending). People tied on their last activity are ordered by key, so none is lost or
// repeated across a page boundary.
type HistoryCursor struct {
	LastActivity time.Time `json:"t"`
	Key          string    `json:"k"`
}

// String is the cursor as the API gives it out: opaque (base64url of JSON).
func (c HistoryCursor) String() string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// ParseHistoryCursor reads a cursor that String gave out.
func ParseHistoryCursor(s string) (HistoryCursor, error) {
	var c HistoryCursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.LastActivity.IsZero() || c.Key == "" {
		return HistoryCursor{}, apperr.Field("cursor", "is not a cursor this API gave out")
	}
	return c, nil
}

// History lists the agent's conversations grouped by person, the most recently active first.
// search keeps the contacts whose name holds it. after continues a page (nil: the first page);
// next is the cursor of the following page, nil at the end.
func (s *Service) History(ctx context.Context, ws, agentID uuid.UUID, search string, after *HistoryCursor) (people []Person, next *HistoryCursor, err error) {
	people = []Person{}
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if err := tx.PlanForArguments(ctx); err != nil {
			return err
		}
		p := db.ListConversationGroupsParams{WorkspaceID: ws, AgentID: agentID, MaxRows: HistoryPageSize + 1}
		if after != nil {
			p.Before, p.BeforeKey = &after.LastActivity, after.Key
		}
		if pattern := contacts.SearchPattern(search); pattern != "" {
			p.Pattern = &pattern
		}
		groups, err := tx.Q.ListConversationGroups(ctx, p)
		if err != nil {
			return err
		}
		if len(groups) > HistoryPageSize {
			groups = groups[:HistoryPageSize]
			last := groups[len(groups)-1]
			next = &HistoryCursor{LastActivity: last.LastActivity, Key: last.PersonKey}
		}
		contactIDs, visitorIDs := []uuid.UUID{}, []string{}
		index := map[string]int{}
		for i, g := range groups {
			person := Person{VisitorID: g.VisitorKey, Email: nonEmpty(g.ContactEmail), Phone: nonEmpty(g.ContactPhone),
				LastActivity: g.LastActivity, Live: g.Live, Conversations: []Conversation{}, Label: AnonymousLabel}
			if g.ContactID.Valid {
				id := g.ContactID.UUID
				person.ContactID = &id
				contactIDs = append(contactIDs, id)
				index["c:"+id.String()] = i
				switch {
				case g.ContactName != "":
					person.Label = g.ContactName
				case g.ContactEmail != "":
					person.Label = g.ContactEmail
				case g.ContactPhone != "":
					person.Label = g.ContactPhone
				}
			} else {
				visitorIDs = append(visitorIDs, g.VisitorKey)
				index["v:"+g.VisitorKey] = i
			}
			people = append(people, person)
		}
		if len(people) == 0 {
			return nil
		}
		convs, err := tx.Q.ListGroupConversations(ctx, db.ListGroupConversationsParams{WorkspaceID: ws, AgentID: agentID,
			ContactIds: contactIDs, VisitorIds: visitorIDs})
		for _, c := range convs {
			key := "v:" + c.VisitorID
			if c.ContactID.Valid {
				key = "c:" + c.ContactID.UUID.String()
			}
			if i, ok := index[key]; ok {
				people[i].Conversations = append(people[i].Conversations, conversationFrom(c))
			}
		}
		return err
	})
	return people, next, err
}

// Transcript is a conversation with its messages.
type Transcript struct {
	Conversation Conversation `json:"conversation"`
	// Label names the person: the contact's name (or email, phone), or "Anonymous User".
	Label    string    `json:"label"`
	Messages []Message `json:"messages"`
}

// TranscriptPageSize bounds the messages one transcript answer carries; a client reads on
// with after (the last seq it has).
const TranscriptPageSize = 500

// Transcript returns a conversation of the agent and its messages after seq after (0: from the
// start), at most TranscriptPageSize.
func (s *Service) Transcript(ctx context.Context, ws, agentID, id uuid.UUID, after int32) (Transcript, error) {
	var out Transcript
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		c, err := tx.Q.GetConversation(ctx, db.GetConversationParams{WorkspaceID: ws, AgentID: agentID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "no such conversation")
		}
		if err != nil {
			return err
		}
		out.Conversation, out.Label = conversationFrom(c), AnonymousLabel
		if c.ContactID.Valid {
			contact, err := contacts.GetTx(ctx, tx, agentID, c.ContactID.UUID)
			if err != nil {
				return err
			}
			out.Label = labelOf(contact)
		}
		ms, err := tx.Q.ListMessages(ctx, db.ListMessagesParams{WorkspaceID: ws, ConversationID: id, AfterSeq: after, MaxRows: TranscriptPageSize})
		out.Messages = make([]Message, 0, len(ms))
		for _, m := range ms {
			out.Messages = append(out.Messages, messageFrom(m))
		}
		return err
	})
	return out, err
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func labelOf(c contacts.Contact) string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Email != nil:
		return *c.Email
	case c.Phone != nil:
		return *c.Phone
	}
	return AnonymousLabel
}

// ContactConversations lists a contact's conversations with the agent, newest first (at most
// 200).
func (s *Service) ContactConversations(ctx context.Context, ws, agentID, contactID uuid.UUID) ([]Conversation, error) {
	out := []Conversation{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if err := contacts.Exists(ctx, tx, agentID, contactID); err != nil {
			return err
		}
		cs, err := tx.Q.ListContactConversations(ctx, db.ListContactConversationsParams{WorkspaceID: ws, AgentID: agentID,
			ContactID: contactID})
		for _, c := range cs {
			out = append(out, conversationFrom(c))
		}
		return err
	})
	return out, err
}

// FieldSource says where the agent captured a field's current value.
type FieldSource struct {
	// Field is "name", "email", "phone" or "custom.<key>".
	Field          string     `json:"field"`
	ConversationID uuid.UUID  `json:"conversation_id"`
	MessageID      *uuid.UUID `json:"message_id"`
	// MessageSeq is the message's place in the conversation (0 when the message is unknown).
	MessageSeq int32     `json:"message_seq"`
	CapturedAt time.Time `json:"captured_at"`
}

// FieldSources lists the provenance of the contact's values that the agent wrote and that are
// still the field's value (a value changed since by a member has no chat provenance).
func (s *Service) FieldSources(ctx context.Context, ws, agentID, contactID uuid.UUID) ([]FieldSource, error) {
	out := []FieldSource{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		c, err := contacts.GetTx(ctx, tx, agentID, contactID)
		if err != nil {
			return err
		}
		rows, err := tx.Q.ListFieldSources(ctx, db.ListFieldSourcesParams{WorkspaceID: ws, ContactID: contactID})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if !sameValue(fieldValue(c, r.Field), r.Value) {
				continue
			}
			fs := FieldSource{Field: r.Field, ConversationID: r.ConversationID, MessageSeq: r.MessageSeq, CapturedAt: r.CapturedAt}
			if r.MessageID.Valid {
				fs.MessageID = &r.MessageID.UUID
			}
			out = append(out, fs)
		}
		return nil
	})
	return out, err
}

// sameValue compares a field's value with a recorded one (JSON), as JSON values.
func sameValue(current any, recorded []byte) bool {
	raw, err := json.Marshal(current)
	if err != nil {
		return false
	}
	var a, b any
	if json.Unmarshal(raw, &a) != nil || json.Unmarshal(recorded, &b) != nil {
		return false
	}
	return a != nil && reflect.DeepEqual(a, b)
}
