package automations

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
)

// maxBatch bounds the contacts one automation transaction takes on.
const maxBatch = 1000

// linger is how long a job waits for others to join its batch: far below the time a
// transaction takes, so an idle agent's contact waits no longer than it would have anyway.
const linger = time.Millisecond

// batcher coalesces the automation jobs of one agent that a worker process runs at the same
// time into one transaction, as a database's group commit does. A job's own transaction would
// spend nearly all of its time on fixed costs (the rules' lock, the members, the commit), and
// jobs of one agent take the rules' lock in turn anyway; batched, 20 concurrent jobs cost about
// what one does. A job returns only once the transaction holding its contacts has committed
// (or with that transaction's error, and River retries it), so batching changes no guarantee.
type batcher struct {
	mu     sync.Mutex
	groups map[[2]uuid.UUID]*group
}

// group is one agent's queue: at most one transaction runs at a time, and the contacts of the
// jobs that arrive meanwhile gather in next.
type group struct {
	run   sync.Mutex
	next  *batch
	users int // callers inside do, so an idle group can be dropped
}

type batch struct {
	ids  []uuid.UUID
	done chan struct{}
	err  error
}

// do runs fn on ids, possibly together with the ids of concurrent callers for the same key.
func (b *batcher) do(ctx context.Context, key [2]uuid.UUID, ids []uuid.UUID, fn func(context.Context, []uuid.UUID) error) error {
	b.mu.Lock()
	if b.groups == nil {
		b.groups = map[[2]uuid.UUID]*group{}
	}
	g := b.groups[key]
	if g == nil {
		g = &group{}
		b.groups[key] = g
	}
	g.users++
	if g.next == nil || len(g.next.ids)+len(ids) > maxBatch {
		// A full batch stays with the callers already in it, who will run it.
		g.next = &batch{done: make(chan struct{})}
	}
	mine := g.next
	mine.ids = append(mine.ids, ids...)
	b.mu.Unlock()

	defer func() {
		b.mu.Lock()
		if g.users--; g.users == 0 {
			delete(b.groups, key)
		}
		b.mu.Unlock()
	}()

	// River starts the jobs of one fetch together: a moment's wait lets them join one batch
	// instead of the first running alone.
	time.Sleep(linger)
	g.run.Lock()
	defer g.run.Unlock()
	select {
	case <-mine.done: // another caller ran this batch while this one waited
		return mine.err
	default:
	}
	b.mu.Lock()
	if g.next == mine {
		g.next = nil // sealed: later callers start the next batch
	}
	b.mu.Unlock()
	mine.err = fn(ctx, mine.ids)
	close(mine.done)
	return mine.err
}
