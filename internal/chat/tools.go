package chat

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
)

// The agent's CRM tools. The same methods serve the REST endpoints and the MCP tools.
//
// The built-in fields the agent writes are name, email and phone, always as "fill when empty":
// the agent gives a contact a name, an email or a phone it does not have yet, and never
// replaces one. Email and phone identify a contact (they are its duplicate keys): a visitor's
// word in a chat must not take over an address a member entered or change whom a contact is.
// The external id, stage and owners are the business's: the agent only reads the external id.
// Custom fields follow their AI policy: off (refused, naming the field), fill_empty (like the
// built-in ones), overwrite (the agent may change or clear a value).

// BuiltinPolicy is the AI policy of the built-in fields name, email and phone.
const BuiltinPolicy = fields.AIFillEmpty

// SchemaField is a field the agent may write.
type SchemaField struct {
	// Key is what save takes: "name", "email", "phone", or a custom field's key (under custom).
	Key      string          `json:"key"`
	Label    string          `json:"label"`
	Type     string          `json:"type"`
	Builtin  bool            `json:"builtin"`
	Policy   fields.AIPolicy `json:"policy"`
	Required bool            `json:"required"`
	// Options are a select field's choosable labels (save takes a label or an option id).
	Options []string `json:"options"`
	// Hint is the agent's instruction for the field (its AI hint), or its help text.
	Hint string `json:"hint"`
}

// Schema lists the fields the agent may write: name, email and phone, then the custom fields
// whose AI policy is not off, in display order.
func (s *Service) Schema(ctx context.Context, a Agent) ([]SchemaField, error) {
	out := []SchemaField{
		{Key: "name", Label: "Name", Type: "text", Builtin: true, Policy: BuiltinPolicy, Options: []string{}, Hint: "the visitor's full name"},
		{Key: "email", Label: "Email", Type: "email", Builtin: true, Policy: BuiltinPolicy, Options: []string{}, Hint: "an email address; a contact needs an email or a phone"},
		{Key: "phone", Label: "Phone", Type: "phone", Builtin: true, Policy: BuiltinPolicy, Options: []string{}, Hint: "a phone number, with its country code (+44 ...) when it has one"},
	}
	err := s.tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		fs, err := fields.ListTx(ctx, tx, a.AgentID, false)
		for _, f := range fs {
			if f.AIPolicy == fields.AIOff {
				continue
			}
			sf := SchemaField{Key: f.Key, Label: f.Label, Type: string(f.Type), Policy: f.AIPolicy, Required: f.Required, Options: []string{}, Hint: f.AIHint}
			if sf.Hint == "" {
				sf.Hint = f.HelpText
			}
			for _, o := range f.Options {
				if !o.Retired {
					sf.Options = append(sf.Options, o.Label)
				}
			}
			out = append(out, sf)
		}
		return err
	})
	return out, err
}

// AgentContact is a contact as the agent sees it: the built-in details and the values of the
// fields open to it.
type AgentContact struct {
	ID          uuid.UUID      `json:"id"`
	Name        string         `json:"name"`
	Email       *string        `json:"email"`
	Phone       *string        `json:"phone"`
	ExternalID  *string        `json:"external_id"`
	Source      string         `json:"source"`
	SourceLabel string         `json:"source_label"`
	Custom      map[string]any `json:"custom"`
	CreatedAt   time.Time      `json:"created_at"`
}

func agentView(c contacts.Contact, fs []fields.Field) AgentContact {
	out := AgentContact{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, ExternalID: c.ExternalID, Source: string(c.Source),
		SourceLabel: c.SourceLabel, Custom: map[string]any{}, CreatedAt: c.CreatedAt}
	for _, f := range fs {
		if v, ok := c.Custom[f.Key]; ok && f.AIPolicy != fields.AIOff {
			out.Custom[f.Key] = v
		}
	}
	return out
}

// LookupInput finds a contact by one of its details.
type LookupInput struct {
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	ExternalID string `json:"external_id"`
}

// find returns the id of the agent's active contact with the email, phone or external id
// given (uuid.Nil when none); invalid details are refused naming the field. country reads
// phones without a country code ("": the workspace's, looked up).
func find(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, in LookupInput, country string) (uuid.UUID, error) {
	p := db.FindDuplicateContactParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ExcludeID: uuid.Nil}
	bad := apperr.Fields{}
	if e := strings.TrimSpace(in.Email); e != "" {
		normalized, ok := mail.NormalizeEmail(e)
		if !ok {
			bad.Add("email", "must be an email address such as name@example.com")
		}
		p.EmailNormalized = &normalized
	}
	if ph := strings.TrimSpace(in.Phone); ph != "" {
		if country == "" {
			var err error
			if country, err = tx.Q.GetWorkspaceCountry(ctx, tx.WorkspaceID); err != nil {
				return uuid.Nil, err
			}
		}
		e164, err := contacts.NormalizePhone(ph, country)
		if err != nil {
			bad.Add("phone", err.Error())
		}
		p.Phone = &e164
	}
	if id := strings.TrimSpace(in.ExternalID); id != "" {
		p.ExternalID = &id
	}
	if err := bad.Err(); err != nil {
		return uuid.Nil, err
	}
	if p.EmailNormalized == nil && p.Phone == nil && p.ExternalID == nil {
		return uuid.Nil, apperr.Field("email", "give an email, a phone or an external_id to look up")
	}
	dup, err := tx.Q.FindDuplicateContact(ctx, p)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, nil
	}
	return dup.ID, err
}

// Lookup returns the agent's contact with the email, phone or external id given; not found
// when there is none.
func (s *Service) Lookup(ctx context.Context, a Agent, in LookupInput) (AgentContact, error) {
	var out AgentContact
	err := s.tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		id, err := find(ctx, tx, a.AgentID, in, "")
		if err != nil {
			return err
		}
		if id == uuid.Nil {
			return apperr.New(apperr.NotFound, "no contact of this agent has these details")
		}
		out, err = s.agentContact(ctx, tx, a.AgentID, id)
		return err
	})
	return out, err
}

// Exists reports whether the agent has a contact with the email, phone or external id given.
func (s *Service) Exists(ctx context.Context, a Agent, in LookupInput) (bool, error) {
	var found bool
	err := s.tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		id, err := find(ctx, tx, a.AgentID, in, "")
		found = id != uuid.Nil
		return err
	})
	return found, err
}

func (s *Service) agentContact(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID) (AgentContact, error) {
	c, err := contacts.GetTx(ctx, tx, agentID, id)
	if err != nil {
		return AgentContact{}, err
	}
	return agentViewTx(ctx, tx, agentID, c)
}

// agentViewTx is agentView reading the agent's fields only when the contact has custom values.
func agentViewTx(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, c contacts.Contact) (AgentContact, error) {
	if len(c.Custom) == 0 {
		return agentView(c, nil), nil
	}
	fs, err := fields.ListTx(ctx, tx, agentID, false)
	return agentView(c, fs), err
}

// SaveInput is what the agent captured in a conversation.
type SaveInput struct {
	ConversationID string `json:"conversation_id"`
	// MessageID is the client_message_id of the message the details come from; by default the
	// conversation's latest visitor message.
	MessageID string `json:"message_id"`
	// ContactID names the contact to update (from lookup); by default the conversation's
	// contact, else the contact with the email or phone given, else a new contact.
	ContactID string                     `json:"contact_id"`
	Name      *string                    `json:"name"`
	Email     *string                    `json:"email"`
	Phone     *string                    `json:"phone"`
	Custom    map[string]json.RawMessage `json:"custom"`
}

// SaveResult says what save did.
type SaveResult struct {
	Contact        AgentContact `json:"contact"`
	ConversationID uuid.UUID    `json:"conversation_id"`
	Created        bool         `json:"created"`
	// Written lists the fields the agent's values went into ("name", "custom.budget", ...).
	Written []string `json:"written"`
	// Kept lists the fields given whose value stayed as it was (fill when empty, or the same
	// value).
	Kept []string `json:"kept"`
}

func given(p *string) (string, bool) {
	if p == nil {
		return "", false
	}
	v := strings.TrimSpace(*p)
	return v, v != ""
}

// Save creates or updates the visitor's contact from what the agent captured, in one
// transaction: the conversation (and the visitor's earlier anonymous ones) is linked to the
// contact, and every value written records its provenance. Nothing is written when anything is
// refused.
func (s *Service) Save(ctx context.Context, a Agent, in SaveInput) (SaveResult, error) {
	convID, err := uuid.Parse(strings.TrimSpace(in.ConversationID))
	if err != nil {
		return SaveResult{}, errNoConversation
	}
	name, hasName := given(in.Name)
	email, hasEmail := given(in.Email)
	phone, hasPhone := given(in.Phone)
	if !hasName && !hasEmail && !hasPhone && len(in.Custom) == 0 {
		return SaveResult{}, apperr.New(apperr.Invalid, "nothing to save: give a name, an email, a phone or custom values")
	}
	if hasEmail {
		if _, ok := mail.NormalizeEmail(email); !ok {
			return SaveResult{}, apperr.Field("email", "must be an email address such as name@example.com")
		}
	}
	if job, ok := newSaveJob(convID, in); ok {
		// The usual save goes with the saves arriving at the same moment, in one transaction
		// (the save batcher's group commit); what the batch leaves is saved alone below.
		out, handled, err := s.saves.save(ctx, a, job)
		if handled {
			return out, err
		}
	}
	var out SaveResult
	err = s.tenants.TxCachedPlans(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		locked, err := tx.Q.LockConversationForSave(ctx, db.LockConversationForSaveParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID, ID: convID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoConversation
		}
		if err != nil {
			return err
		}
		conv, cc := locked.Conversation, locked.DefaultCountry
		msg := uuid.NullUUID{UUID: locked.LatestVisitorMessage, Valid: locked.LatestVisitorMessage != uuid.Nil}
		if strings.TrimSpace(in.MessageID) != "" {
			if msg, err = namedMessage(ctx, tx, conv.ID, in.MessageID); err != nil {
				return err
			}
		}
		if hasPhone {
			if _, err := contacts.NormalizePhone(phone, cc); err != nil {
				return apperr.Field("phone", err.Error())
			}
		}
		target, err := s.target(ctx, tx, a, conv, in, email, phone, cc)
		if err != nil {
			return err
		}
		var c contacts.Contact
		written, kept := []string{}, []string{}
		if target == uuid.Nil {
			var ci contacts.Input
			if hasName {
				ci.Name = httpapi.Optional[string]{Set: true, Value: &name}
			}
			if hasEmail {
				ci.Email = httpapi.Optional[string]{Set: true, Value: &email}
			}
			if hasPhone {
				ci.Phone = httpapi.Optional[string]{Set: true, Value: &phone}
			}
			ci.Custom = in.Custom
			if c, err = s.contacts.CreateTx(ctx, tx, a.AgentID, ci, contacts.SourceChat, uuid.Nil); err != nil {
				return err
			}
			out.Created = true
			written, kept = createdFields(hasName, hasEmail, hasPhone, in.Custom, c)
		} else {
			before, err := contacts.GetTx(ctx, tx, a.AgentID, target)
			if err != nil {
				return err
			}
			// Fill when empty: a built-in detail is written only where the contact has none.
			var ci contacts.Input
			basic := map[string]bool{}
			if hasName && before.Name == "" {
				ci.Name, basic["name"] = httpapi.Optional[string]{Set: true, Value: &name}, true
			}
			if hasEmail && before.Email == nil {
				ci.Email, basic["email"] = httpapi.Optional[string]{Set: true, Value: &email}, true
			}
			if hasPhone && before.Phone == nil {
				ci.Phone, basic["phone"] = httpapi.Optional[string]{Set: true, Value: &phone}, true
			}
			ci.Custom = in.Custom
			c = before
			if len(basic) > 0 || len(in.Custom) > 0 {
				if c, err = s.contacts.UpdateByAITx(ctx, tx, a.AgentID, target, ci); err != nil {
					return err
				}
			}
			for f, ok := range map[string]bool{"name": hasName, "email": hasEmail, "phone": hasPhone} {
				switch {
				case basic[f]:
					written = append(written, f)
				case ok:
					kept = append(kept, f)
				}
			}
			for key := range in.Custom {
				if reflect.DeepEqual(before.Custom[key], c.Custom[key]) {
					kept = append(kept, "custom."+key)
				} else {
					written = append(written, "custom."+key)
				}
			}
		}
		slices.Sort(written)
		slices.Sort(kept)
		// The visitor is identified: this conversation and their earlier anonymous ones are the
		// contact's now; and every value written records where it came from.
		values := make([][]byte, len(written))
		for i, f := range written {
			if values[i], err = json.Marshal(fieldValue(c, f)); err != nil {
				return err
			}
		}
		if err := tx.Q.CaptureSources(ctx, db.CaptureSourcesParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID,
			VisitorID: conv.VisitorID, ContactID: c.ID, ConversationID: conv.ID, MessageID: msg, Fields: written, FieldValues: values}); err != nil {
			return err
		}
		out.ConversationID, out.Written, out.Kept = conv.ID, written, kept
		out.Contact, err = agentViewTx(ctx, tx, a.AgentID, c)
		return err
	})
	return out, err
}

// createdFields are the written and kept fields (sorted) of a contact c that a save created.
func createdFields(hasName, hasEmail, hasPhone bool, custom map[string]json.RawMessage, c contacts.Contact) (written, kept []string) {
	written, kept = []string{}, []string{}
	for f, ok := range map[string]bool{"name": hasName, "email": hasEmail, "phone": hasPhone} {
		if ok {
			written = append(written, f)
		}
	}
	for key := range custom {
		if c.Custom[key] != nil {
			written = append(written, "custom."+key)
		} else {
			kept = append(kept, "custom."+key)
		}
	}
	slices.Sort(written)
	slices.Sort(kept)
	return written, kept
}

// target is the contact save writes to, uuid.Nil for a new one.
func (s *Service) target(ctx context.Context, tx tenant.Tx, a Agent, conv db.Conversation, in SaveInput, email, phone, country string) (uuid.UUID, error) {
	if id := strings.TrimSpace(in.ContactID); id != "" {
		contactID, err := uuid.Parse(id)
		if err != nil {
			return uuid.Nil, noContact("contact_id")
		}
		if _, err := contacts.GetTx(ctx, tx, a.AgentID, contactID); err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return uuid.Nil, noContact("contact_id")
			}
			return uuid.Nil, err
		}
		if conv.ContactID.Valid && conv.ContactID.UUID != contactID {
			return uuid.Nil, &apperr.Error{Code: apperr.Conflict, Message: "this conversation belongs to another contact",
				Fields: map[string]string{"contact_id": "is not the conversation's contact " + conv.ContactID.UUID.String()}}
		}
		return contactID, nil
	}
	if conv.ContactID.Valid {
		return conv.ContactID.UUID, nil
	}
	if email == "" && phone == "" {
		return uuid.Nil, nil
	}
	// The visitor may already be a contact: identify them by the details they gave.
	return find(ctx, tx, a.AgentID, LookupInput{Email: email, Phone: phone}, country)
}

// namedMessage is the message of the conversation with the runtime's id clientID.
func namedMessage(ctx context.Context, tx tenant.Tx, conversationID uuid.UUID, clientID string) (uuid.NullUUID, error) {
	m, err := tx.Q.MessageByClientID(ctx, db.MessageByClientIDParams{WorkspaceID: tx.WorkspaceID, ConversationID: conversationID,
		ClientMessageID: strings.TrimSpace(clientID)})
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.NullUUID{}, apperr.Field("message_id", "is not a message of this conversation (give its client_message_id)")
	}
	return uuid.NullUUID{UUID: m.ID, Valid: err == nil}, err
}

// fieldValue is the value of a field ("name", "email", "phone", "custom.<key>") of c.
func fieldValue(c contacts.Contact, field string) any {
	switch field {
	case "name":
		return c.Name
	case "email":
		return c.Email
	case "phone":
		return c.Phone
	}
	return c.Custom[strings.TrimPrefix(field, "custom.")]
}
