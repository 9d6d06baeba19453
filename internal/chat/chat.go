// Package chat is what the chat runtime (the LLM side, outside Guestlist) talks to: agent keys,
// conversations and their messages, and the agent's CRM tools (schema, lookup, exists, save),
// served over REST and over MCP from one implementation. It also gives members the history of
// an agent's conversations and the provenance of the values the agent captured.
//
// Ordering: a conversation's messages are numbered (seq 1, 2, ...) in the order they are
// appended; the conversation's row lock serializes concurrent appends. A message's sent_at (the
// runtime's clock) may not be earlier than the previous message's: such an append is refused,
// so the transcript's order and its times always agree. Without one, the message takes the
// server's time, never earlier than the previous message's. A retried append (the same
// client_message_id in the same conversation) stores nothing and answers the stored message.
package chat

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/ttlcache"
)

// Limits of what the runtime sends.
const (
	// MaxMessageLength is the most characters (Unicode code points) one message may hold.
	MaxMessageLength         = 32000
	MaxVisitorIDLength       = 200
	MaxTitleLength           = 200
	MaxClientMessageIDLength = 100
)

// Message roles.
const (
	RoleVisitor = "visitor"
	RoleAgent   = "agent"
	RoleTool    = "tool"
)

// Service holds the chat rules.
type Service struct {
	tenants  *tenant.DB
	contacts *contacts.Service
	keys     *ttlcache.Cache[string, Agent] // by key hash
	appends  *batcher
	saves    *saveBatcher
}

// NewService returns the chat service; contacts creates and updates the contacts the agent
// captures.
func NewService(tenants *tenant.DB, contacts *contacts.Service) *Service {
	s := &Service{tenants: tenants, contacts: contacts, keys: ttlcache.New[string, Agent](KeyCacheTTL, maxCachedKeys), appends: newBatcher(tenants)}
	s.saves = newSaveBatcher(s)
	return s
}

// Conversation is a conversation as the API shows it.
type Conversation struct {
	ID            uuid.UUID  `json:"id"`
	AgentID       uuid.UUID  `json:"agent_id"`
	VisitorID     string     `json:"visitor_id"`
	ContactID     *uuid.UUID `json:"contact_id"`
	Title         string     `json:"title"`
	MessageCount  int32      `json:"message_count"`
	StartedAt     time.Time  `json:"started_at"`
	LastMessageAt *time.Time `json:"last_message_at"`
	EndedAt       *time.Time `json:"ended_at"`
	// Live: not ended yet.
	Live bool `json:"live"`
}

func conversationFrom(c db.Conversation) Conversation {
	out := Conversation{ID: c.ID, AgentID: c.AgentID, VisitorID: c.VisitorID, Title: c.Title, MessageCount: c.MessageCount,
		StartedAt: c.StartedAt, LastMessageAt: c.LastMessageAt, EndedAt: c.EndedAt, Live: c.EndedAt == nil}
	if c.ContactID.Valid {
		out.ContactID = &c.ContactID.UUID
	}
	return out
}

// Message is a message of a conversation.
type Message struct {
	ID              uuid.UUID `json:"id"`
	ConversationID  uuid.UUID `json:"conversation_id"`
	Seq             int32     `json:"seq"`
	ClientMessageID string    `json:"client_message_id"`
	Role            string    `json:"role"`
	Content         string    `json:"content"`
	SentAt          time.Time `json:"sent_at"`
}

func messageFrom(m db.ConversationMessage) Message {
	return Message{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, ClientMessageID: m.ClientMessageID, Role: m.Role,
		Content: m.Content, SentAt: m.SentAt}
}

var errNoConversation = &apperr.Error{Code: apperr.NotFound, Message: "no such conversation",
	Fields: map[string]string{"conversation_id": "is not a conversation of this agent"}}

func noContact(field string) error {
	return &apperr.Error{Code: apperr.NotFound, Message: "no such contact", Fields: map[string]string{field: "is not a contact of this agent"}}
}

// StartInput starts a conversation.
type StartInput struct {
	VisitorID string `json:"visitor_id"`
	// ContactID is the contact the visitor is already known as, if any: the conversation and
	// the visitor's earlier anonymous ones are linked to it. Without it, a visitor identified
	// before is known still: the conversation goes to the contact of the visitor's latest
	// linked conversation with the agent, while that contact is active.
	ContactID *uuid.UUID `json:"contact_id"`
	Title     string     `json:"title"`
}

// Start starts a conversation of the agent with a visitor: the contact's when contact_id names
// one, else, for a returning visitor already identified, their latest contact's.
func (s *Service) Start(ctx context.Context, a Agent, in StartInput) (Conversation, error) {
	in.VisitorID = strings.TrimSpace(in.VisitorID)
	in.Title = strings.TrimSpace(in.Title)
	bad := apperr.Fields{}
	if in.VisitorID == "" || utf8.RuneCountInString(in.VisitorID) > MaxVisitorIDLength || strings.ContainsRune(in.VisitorID, 0) {
		bad.Add("visitor_id", "must be 1 to 200 characters: the runtime's id of the visitor")
	}
	if utf8.RuneCountInString(in.Title) > MaxTitleLength || strings.ContainsRune(in.Title, 0) {
		bad.Add("title", "must be at most 200 characters")
	}
	if err := bad.Err(); err != nil {
		return Conversation{}, err
	}
	var out Conversation
	err := s.tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		contact := uuid.NullUUID{}
		if in.ContactID != nil {
			if _, err := contacts.GetTx(ctx, tx, a.AgentID, *in.ContactID); err != nil {
				if apperr.CodeOf(err) == apperr.NotFound {
					return noContact("contact_id")
				}
				return err
			}
			contact = uuid.NullUUID{UUID: *in.ContactID, Valid: true}
		}
		c, err := tx.Q.CreateConversation(ctx, db.CreateConversationParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID,
			ID: uuid.Must(uuid.NewV7()), VisitorID: in.VisitorID, ContactID: contact, Title: in.Title})
		if err != nil {
			return err
		}
		if c.ContactID.Valid {
			// Knowing who the visitor is identifies their earlier anonymous conversations too.
			if err := tx.Q.LinkVisitorConversations(ctx, db.LinkVisitorConversationsParams{WorkspaceID: tx.WorkspaceID,
				AgentID: a.AgentID, VisitorID: in.VisitorID, ContactID: c.ContactID.UUID}); err != nil {
				return err
			}
		}
		out = conversationFrom(c)
		return nil
	})
	return out, err
}

// AppendInput is one message.
type AppendInput struct {
	// ClientMessageID is the runtime's id of the message: appending it again stores nothing.
	ClientMessageID string     `json:"client_message_id"`
	Role            string     `json:"role"`
	Content         string     `json:"content"`
	SentAt          *time.Time `json:"sent_at"`
}

func (in *AppendInput) validate() error {
	in.ClientMessageID = strings.TrimSpace(in.ClientMessageID)
	bad := apperr.Fields{}
	if in.ClientMessageID == "" || utf8.RuneCountInString(in.ClientMessageID) > MaxClientMessageIDLength || strings.ContainsRune(in.ClientMessageID, 0) {
		bad.Add("client_message_id", "must be 1 to 100 characters: the runtime's id of the message, the same when it retries")
	}
	switch in.Role {
	case RoleVisitor, RoleAgent, RoleTool:
	default:
		bad.Add("role", "must be visitor, agent or tool")
	}
	if n := utf8.RuneCountInString(in.Content); n > MaxMessageLength {
		bad.Add("content", "is too long: at most 32,000 characters a message")
	} else if !utf8.ValidString(in.Content) || strings.ContainsRune(in.Content, 0) {
		bad.Add("content", "must be UTF-8 text without NUL characters")
	}
	return bad.Err()
}

// Append adds a message to a live conversation. created is false when the message had been
// appended before (the same client_message_id): the stored message is answered. A different
// message under a client_message_id already used is a conflict.
func (s *Service) Append(ctx context.Context, a Agent, conversationID uuid.UUID, in AppendInput) (out Message, created bool, err error) {
	if err := in.validate(); err != nil {
		return Message{}, false, err
	}
	var sentAt *time.Time
	if in.SentAt != nil {
		t := in.SentAt.UTC()
		sentAt = &t
	} else {
		// The usual case: the message goes with the appends arriving at the same moment, in one
		// statement (the batcher's group commit).
		m, stored, err := s.appends.append(ctx, a, conversationID, in)
		if err != nil || stored {
			return m, stored, err
		}
	}
	// Alone: one statement in one round trip (the one-statement door); only a refusal or a
	// retry needs a second look.
	m, err := s.tenants.Single(a.WorkspaceID).AppendMessage(ctx, db.AppendMessageParams{WorkspaceID: a.WorkspaceID,
		AgentID: a.AgentID, ConversationID: conversationID, ID: uuid.Must(uuid.NewV7()), ClientMessageID: in.ClientMessageID,
		Role: in.Role, Content: in.Content, SentAt: sentAt})
	if err == nil {
		return messageFrom(m), true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) && !isUniqueViolation(err) {
		return Message{}, false, err
	}
	err = s.tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		c, err := tx.Q.GetConversation(ctx, db.GetConversationParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID, ID: conversationID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoConversation
		}
		if err != nil {
			return err
		}
		m, err := tx.Q.MessageByClientID(ctx, db.MessageByClientIDParams{WorkspaceID: tx.WorkspaceID, ConversationID: c.ID, ClientMessageID: in.ClientMessageID})
		switch {
		case err == nil:
			if m.Role != in.Role || m.Content != in.Content {
				return &apperr.Error{Code: apperr.Conflict, Message: "this client_message_id was already used for another message in this conversation",
					Fields: map[string]string{"client_message_id": "is already used by message " + m.ID.String()}}
			}
			out = messageFrom(m)
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		case c.EndedAt != nil:
			return apperr.New(apperr.Conflict, "the conversation has ended; start a new one")
		case sentAt != nil && c.LastMessageAt != nil && sentAt.Before(*c.LastMessageAt):
			return &apperr.Error{Code: apperr.Invalid, Message: "the message is out of order: it was sent before the conversation's last message",
				Fields: map[string]string{"sent_at": "must not be before the last message's time, " + c.LastMessageAt.UTC().Format(time.RFC3339Nano)}}
		}
		// The conversation changed between the two transactions (a concurrent append): the
		// runtime may simply retry.
		return apperr.New(apperr.Conflict, "the conversation changed while the message was appended; retry it")
	})
	return out, false, err
}

func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == pgerrcode.UniqueViolation
}

// SetTitle names a conversation (the runtime's summary of it).
func (s *Service) SetTitle(ctx context.Context, a Agent, id uuid.UUID, title string) (Conversation, error) {
	title = strings.TrimSpace(title)
	if utf8.RuneCountInString(title) > MaxTitleLength || strings.ContainsRune(title, 0) {
		return Conversation{}, apperr.Field("title", "must be at most 200 characters")
	}
	var out Conversation
	err := s.tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		c, err := tx.Q.SetConversationTitle(ctx, db.SetConversationTitleParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID, ID: id, Title: title})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoConversation
		}
		out = conversationFrom(c)
		return err
	})
	return out, err
}

// End ends a conversation; no message can be appended after. Ending twice is harmless.
func (s *Service) End(ctx context.Context, a Agent, id uuid.UUID) (Conversation, error) {
	var out Conversation
	err := s.tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		c, err := tx.Q.EndConversation(ctx, db.EndConversationParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoConversation
		}
		out = conversationFrom(c)
		return err
	})
	return out, err
}
