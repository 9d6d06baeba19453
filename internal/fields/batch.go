package fields

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/tenant"
)

// Batch validates the values of many rows against one reading of an agent's fields: the
// import's path, which reads a file of up to a million rows and writes them set-based. Each
// row's values follow exactly the rules of Validate (a member writing; a value given replaces,
// an absent one keeps what is stored); what depends on the contact a row will turn out to be
// (defaults and required fields on create, unique values) is left to the caller, which has
// Defaults, Required and Unique for it.
type Batch struct {
	fields  []Field
	country string
}

// NewBatch reads the agent's fields once. country reads phone values without a country code.
func NewBatch(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, country string) (*Batch, error) {
	fs, err := ListTx(ctx, tx, agentID, true)
	if err != nil {
		return nil, err
	}
	return &Batch{fields: fs, country: country}, nil
}

// Fields are the agent's fields, archived ones included, in display order.
func (b *Batch) Fields() []Field { return b.fields }

// Validate normalizes one row's values (key → raw JSON; an empty value is simply not given) as
// Validate would for an update by a member, and returns only the values given. A value that is
// not valid is an apperr naming custom.<key>. A retired option is refused unless held (key →
// option id, or a list of them) names it: the row's contact is not known yet, so an import
// passes the retired options its row names as held and keeps the row only for a contact that
// really holds them (decided in SQL, set-based). held's keys must be keys of patch.
func (b *Batch) Validate(held map[string]any, patch map[string]json.RawMessage) (map[string]any, error) {
	return validate(b.fields, held, patch, false, WriterMember, b.country)
}

// Defaults are the active fields' default values, which a new contact takes.
func (b *Batch) Defaults() map[string]any {
	out := map[string]any{}
	for _, f := range b.fields {
		if !f.Archived() && f.DefaultValue != nil {
			out[f.Key] = clone(f.DefaultValue)
		}
	}
	return out
}

// Required are the keys of the active required fields, which a new contact must have.
func (b *Batch) Required() []string {
	out := []string{}
	for _, f := range b.fields {
		if !f.Archived() && f.Required {
			out = append(out, f.Key)
		}
	}
	return out
}

// Unique are the keys of the fields whose values belong to one active contact.
func (b *Batch) Unique() []string {
	out := []string{}
	for _, f := range b.fields {
		if !f.Archived() && f.Unique {
			out = append(out, f.Key)
		}
	}
	return out
}

// ValidateNew normalizes the values of a new contact written by w exactly as Validate does when
// creating: the policies of w, the active fields' defaults, and (for a member) the required
// fields.
func (b *Batch) ValidateNew(patch map[string]json.RawMessage, w Writer) (map[string]any, error) {
	return validate(b.fields, nil, patch, true, w, b.country)
}

// CheckUnique is CheckUnique over the fields read once: call it in the transaction that writes
// the values.
func (b *Batch) CheckUnique(ctx context.Context, tx tenant.Tx, agentID, contactID uuid.UUID, values map[string]any) error {
	active := make([]Field, 0, len(b.fields))
	for _, f := range b.fields {
		if !f.Archived() {
			active = append(active, f)
		}
	}
	return checkUnique(ctx, tx, agentID, contactID, active, values)
}
