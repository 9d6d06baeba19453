package contacts

import (
	"context"

	"github.com/google/uuid"

	customfields "github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/tenant"
)

// writerOf is who writes a new contact's values: the AI for a contact captured from chat, a
// person for every other path.
func writerOf(source Source) customfields.Writer {
	if source == SourceChat {
		return customfields.WriterAI
	}
	return customfields.WriterMember
}

// GetTx returns a contact of the agent inside an open tenant transaction (not found when it is
// another agent's or workspace's).
func GetTx(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID) (Contact, error) {
	return get(ctx, tx, agentID, id)
}

// UpdateByAITx patches a contact as the chat agent writes it, inside an open transaction: the
// built-in fields as given (the caller decides which it may write), the custom values under the
// fields' AI policies (fields.WriterAI: fields whose policy is off are refused, fill_empty never
// replaces a value). The contact is locked, checked for duplicates and audited like every edit.
func (s *Service) UpdateByAITx(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID, in Input) (Contact, error) {
	return changeTx(ctx, tx, agentID, id, "", "update", func(tx tenant.Tx, f fields, cc string) (fields, string, error) {
		f, err := applyAll(ctx, tx, agentID, in, f, cc, false, customfields.WriterAI)
		return f, "", err
	})
}
