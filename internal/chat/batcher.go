package chat

import (
	"context"
	"sync"
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
// conversations), at most one append statement is in flight in this process; the appends that
// arrive meanwhile wait and go together in the next one (AppendMessages), one round trip and
// one commit for all of them. A lone append goes at
// once, so there is no waiting when there is no load. What a batch did not store (a retry of a
// stored message, an unknown or ended conversation) is appended one by one by the caller, which
// tells why; so is everything when a batch fails as a whole (a deadlock with another process,
// a lost connection).
type batcher struct {
	tenants *tenant.DB

	mu     sync.Mutex
	queues map[laneKey]*appendQueue
}

// laneKey names one queue: an agent (its workspace and id) and a lane.
type laneKey struct {
	workspace, agent uuid.UUID
	lane             byte
}

type appendQueue struct {
	pending []*appendJob
	running bool
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
	return &batcher{tenants: tenants, queues: map[laneKey]*appendQueue{}}
}

// append stores in through a batch; stored is false when the batch did not store it (the caller
// appends it alone). in must be valid and carry no sent_at.
func (b *batcher) append(ctx context.Context, a Agent, conversation uuid.UUID, in AppendInput) (Message, bool, error) {
	// The last byte of a time-ordered id is random: it spreads conversations over the lanes.
	key := laneKey{workspace: a.WorkspaceID, agent: a.AgentID, lane: conversation[15] % appendLanes}
	job := &appendJob{conversation: conversation, id: uuid.Must(uuid.NewV7()), in: in, done: make(chan appendOutcome, 1)}
	b.mu.Lock()
	q := b.queues[key]
	if q == nil {
		q = &appendQueue{}
		b.queues[key] = q
	}
	q.pending = append(q.pending, job)
	if !q.running {
		q.running = true
		go b.run(key, q)
	}
	b.mu.Unlock()
	select {
	case out := <-job.done:
		return out.msg, out.stored, nil
	case <-ctx.Done():
		return Message{}, false, ctx.Err()
	}
}

// run sends batches for one agent until its queue is empty.
func (b *batcher) run(key laneKey, q *appendQueue) {
	for {
		b.mu.Lock()
		batch := take(q)
		if len(batch) == 0 {
			q.running = false
			delete(b.queues, key)
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.send(key, batch)
	}
}

// take removes the next batch from q: at most one append per conversation (the next one of the
// same conversation waits for the following batch, so its order is kept), at most maxBatch.
func take(q *appendQueue) []*appendJob {
	var batch, rest []*appendJob
	seen := map[uuid.UUID]bool{}
	for _, j := range q.pending {
		if seen[j.conversation] || len(batch) == maxBatch {
			rest = append(rest, j)
			continue
		}
		seen[j.conversation] = true
		batch = append(batch, j)
	}
	q.pending = rest
	return batch
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
