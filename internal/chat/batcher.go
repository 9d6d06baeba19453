package chat

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/tenant"
)

// maxBatch bounds the appends one statement carries.
const maxBatch = 500

// appendLanes is how many batches of one agent may be in flight at once in a process. A
// conversation always goes in the same lane, so batches in flight together touch disjoint
// conversations: no lock waits nor deadlocks between them, and one conversation's appends keep
// their order. One lane kept the database to one core (measured: 813 batches of 25 appends,
// 5 ms each, one after the other).
const appendLanes = 4

// batchTimeout bounds one batch's statement, whoever's requests it carries.
const batchTimeout = 10 * time.Second

// batcher is a group commit for message appends: per agent and lane (a share of its
// conversations; see lanes), the appends that arrive while one statement is in flight go
// together in the next one (AppendMessages), one round trip and one commit for all of them.
// What a batch did not store (a retry of a stored message, an unknown or ended conversation) is
// appended one by one by the caller, which tells why; so is everything when a batch fails as a
// whole (a deadlock with another process, a lost connection).
type batcher struct {
	tenants *tenant.DB
	lanes   lanes[*appendJob]
}

type appendJob struct {
	conversation uuid.UUID
	id           uuid.UUID
	in           AppendInput
	done         chan appendOutcome // buffered: the batch never waits for a caller who left
}

type appendOutcome struct {
	msg    Message
	stored bool
}

func newBatcher(tenants *tenant.DB) *batcher {
	b := &batcher{tenants: tenants}
	b.lanes = lanes[*appendJob]{max: maxBatch, send: b.send,
		conversation: func(j *appendJob) uuid.UUID { return j.conversation }}
	return b
}

// append stores in through a batch; stored is false when the batch did not store it (the caller
// appends it alone). in must be valid and carry no sent_at.
func (b *batcher) append(ctx context.Context, a Agent, conversation uuid.UUID, in AppendInput) (Message, bool, error) {
	job := &appendJob{conversation: conversation, id: uuid.Must(uuid.NewV7()), in: in, done: make(chan appendOutcome, 1)}
	b.lanes.enqueue(laneOf(a, conversation, appendLanes), job)
	select {
	case out := <-job.done:
		return out.msg, out.stored, nil
	case <-ctx.Done():
		return Message{}, false, ctx.Err()
	}
}

func (b *batcher) send(key laneKey, batch []*appendJob) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	p := db.AppendMessagesParams{WorkspaceID: key.workspace, AgentID: key.agent}
	for _, j := range batch {
		p.Ids = append(p.Ids, j.id)
		p.ConversationIds = append(p.ConversationIds, j.conversation)
		p.ClientMessageIds = append(p.ClientMessageIds, j.in.ClientMessageID)
		p.Roles = append(p.Roles, j.in.Role)
		p.Contents = append(p.Contents, j.in.Content)
	}
	stored := map[uuid.UUID]Message{}
	rows, err := b.tenants.Single(key.workspace).AppendMessages(ctx, p)
	if err == nil {
		for _, m := range rows {
			stored[m.ID] = messageFrom(m)
		}
	}
	for _, j := range batch {
		m, ok := stored[j.id]
		j.done <- appendOutcome{msg: m, stored: ok}
	}
}
