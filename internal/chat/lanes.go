package chat

import (
	"sync"

	"github.com/google/uuid"
)

// laneKey names one queue: an agent (its workspace and id) and a lane.
type laneKey struct {
	workspace, agent uuid.UUID
	lane             byte
}

// laneOf is the lane of a conversation among n: the last byte of a time-ordered id is random,
// so it spreads conversations over the lanes, and a conversation always goes in the same one.
func laneOf(a Agent, conversation uuid.UUID, n byte) laneKey {
	return laneKey{workspace: a.WorkspaceID, agent: a.AgentID, lane: conversation[15] % n}
}

// lanes is the queueing of chat's group commits (appends, saves): per lane, at most one batch
// is in flight in this process, and the jobs that arrive meanwhile wait and go together in the
// next one. A lone job goes at once, so there is no waiting when there is no load. A batch holds
// at most one job per conversation (the next one of a conversation waits for the following
// batch: its order is kept, and it sees what the first one did) and at most max jobs.
type lanes[J any] struct {
	max          int
	conversation func(J) uuid.UUID
	// gone reports (and answers) a job whose caller has stopped waiting; such a job is dropped.
	// nil: every job is sent.
	gone func(J) bool
	send func(laneKey, []J)

	mu     sync.Mutex
	queues map[laneKey]*laneQueue[J]
}

type laneQueue[J any] struct {
	pending []J
	running bool
}

// enqueue adds j to key's queue, starting the lane's sender when none runs. The caller then
// waits for the answer send gives j.
func (l *lanes[J]) enqueue(key laneKey, j J) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.queues == nil {
		l.queues = map[laneKey]*laneQueue[J]{}
	}
	q := l.queues[key]
	if q == nil {
		q = &laneQueue[J]{}
		l.queues[key] = q
	}
	q.pending = append(q.pending, j)
	if !q.running {
		q.running = true
		go l.run(key, q)
	}
}

// run sends key's batches until its queue is empty.
func (l *lanes[J]) run(key laneKey, q *laneQueue[J]) {
	for {
		l.mu.Lock()
		batch := l.take(q)
		if len(batch) == 0 {
			q.running = false
			delete(l.queues, key)
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		l.send(key, batch)
	}
}

// take removes the next batch from q.
func (l *lanes[J]) take(q *laneQueue[J]) []J {
	var batch, rest []J
	seen := map[uuid.UUID]bool{}
	for _, j := range q.pending {
		if l.gone != nil && l.gone(j) {
			continue
		}
		c := l.conversation(j)
		if seen[c] || len(batch) == l.max {
			rest = append(rest, j)
			continue
		}
		seen[c] = true
		batch = append(batch, j)
	}
	q.pending = rest
	return batch
}
