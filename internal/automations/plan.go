package automations

import (
	"math"

	"github.com/google/uuid"
)

// Strategy is how one owner slot (primary or secondary) of a new contact is filled.
type Strategy string

const (
	// Creator is the member who added the contact (manual contacts only: a captured, submitted,
	// imported or API contact has no human creator).
	Creator Strategy = "creator"
	// WorkspaceOwner is the owner of the workspace.
	WorkspaceOwner Strategy = "workspace_owner"
	// Member is one selected member.
	Member Strategy = "member"
	// RoundRobin takes the pool's members in turn, in the admin's order. The next is, of the
	// members who can take the contact, the one picked fewest times, then least recently, then
	// first in the pool: with nobody passed over that is the plain rotation; a member passed
	// over for one contact (its primary) is made up to, so overlapping primary and secondary
	// pools still split evenly; a member new to the pool, or back after a while without the
	// agent, counts as level with the fewest rather than owed a burst of contacts.
	RoundRobin Strategy = "round_robin"
	// LeastLoaded takes the pool member owning the fewest active contacts of the agent (in this
	// slot); ties go to the earlier member in the pool's order.
	LeastLoaded Strategy = "least_loaded"
	// None leaves the slot empty.
	None Strategy = "none"
)

var strategies = []Strategy{Creator, WorkspaceOwner, Member, RoundRobin, LeastLoaded, None}

func (s Strategy) pooled() bool { return s == RoundRobin || s == LeastLoaded }

// MinPool is the smallest pool a rotation is configured with; a pool that falls below it (a
// member left the workspace or lost the agent) is flagged, and keeps working with who is left.
const MinPool = 2

// slot is one owner slot of a rule, with its rotation state.
type slot struct {
	strategy Strategy
	member   uuid.UUID   // Member
	pool     []uuid.UUID // RoundRobin, LeastLoaded: in the admin's order
	turn     int64       // RoundRobin: picks made so far
	// RoundRobin: each member's picks (a member never picked has no entry). Kept across pool
	// edits; entries of members who left do no harm.
	picks map[uuid.UUID]picked
}

// picked is a member's record in a rotation: how many contacts (as counted for fairness) and
// the turn of the last.
type picked struct {
	N  int64 `json:"n"`
	At int64 `json:"at"`
}

// team is what picking needs to know about the people, read in the job's transaction.
type team struct {
	owner    uuid.UUID               // the workspace owner
	eligible map[uuid.UUID]bool      // members who may own the agent's contacts
	loads    map[uuid.UUID]*[2]int64 // active contacts of the agent each owns, as primary [0] and secondary [1]
}

// newContact is a contact as its automation finds it.
type newContact struct {
	createdBy uuid.NullUUID
	primary   uuid.NullUUID // set by whoever created it: kept
	secondary uuid.NullUUID
}

// assign fills the contact's empty owner slots by the rule's strategies, stepping the rotations
// and the loads it used, and returns the owners it chose (NULL where it chose nobody or the slot
// was already filled). A primary that comes out empty falls back to the workspace owner unless
// the strategy is None, so a new lead never goes unowned by accident. The secondary is never the
// primary.
func assign(primary, secondary *slot, t *team, c newContact) (p, s uuid.NullUUID) {
	owner := c.primary
	if !owner.Valid {
		// A contact may already have a secondary (its primary left before the job ran): the
		// primary is never that member.
		p = pick(primary, 0, t, c, c.secondary.UUID)
		if !p.Valid && primary.strategy != None && t.eligible[t.owner] && t.owner != c.secondary.UUID {
			p = uuid.NullUUID{UUID: t.owner, Valid: true}
		}
		owner = p
	}
	if !c.secondary.Valid && owner.Valid {
		s = pick(secondary, 1, t, c, owner.UUID)
	}
	return p, s
}

// pick chooses one member for a slot (k: 0 primary, 1 secondary), never avoid.
func pick(sl *slot, k int, t *team, c newContact, avoid uuid.UUID) uuid.NullUUID {
	ok := func(id uuid.UUID) bool { return id != uuid.Nil && id != avoid && t.eligible[id] }
	var chosen uuid.UUID
	switch sl.strategy {
	case Creator:
		if c.createdBy.Valid && ok(c.createdBy.UUID) {
			chosen = c.createdBy.UUID
		}
	case WorkspaceOwner:
		if ok(t.owner) {
			chosen = t.owner
		}
	case Member:
		if ok(sl.member) {
			chosen = sl.member
		}
	case RoundRobin:
		// Members who cannot take this contact (gone from the agent, or its primary) are passed
		// over and keep their count. floor is the fewest picks among those who can; a member
		// below it counts as at it (see RoundRobin).
		floor, any := int64(0), false
		for _, id := range sl.pool {
			if r, has := sl.picks[id]; has && ok(id) && (!any || r.N < floor) {
				floor, any = r.N, true
			}
		}
		var best picked
		for _, id := range sl.pool {
			if !ok(id) {
				continue
			}
			r, has := sl.picks[id]
			if !has {
				r.At = math.MinInt64
			}
			r.N = max(r.N, floor)
			if chosen == uuid.Nil || r.N < best.N || (r.N == best.N && r.At < best.At) {
				chosen, best = id, r
			}
		}
		if chosen != uuid.Nil {
			if sl.picks == nil {
				sl.picks = map[uuid.UUID]picked{}
			}
			sl.picks[chosen] = picked{N: best.N + 1, At: sl.turn}
			sl.turn++
		}
	case LeastLoaded:
		best := int64(-1)
		for _, id := range sl.pool {
			if !ok(id) {
				continue
			}
			if l := t.load(id)[k]; best < 0 || l < best {
				chosen, best = id, l
			}
		}
	}
	if chosen == uuid.Nil {
		return uuid.NullUUID{}
	}
	t.load(chosen)[k]++
	return uuid.NullUUID{UUID: chosen, Valid: true}
}

func (t *team) load(id uuid.UUID) *[2]int64 {
	if t.loads == nil {
		t.loads = map[uuid.UUID]*[2]int64{}
	}
	l, ok := t.loads[id]
	if !ok {
		l = &[2]int64{}
		t.loads[id] = l
	}
	return l
}
