package automations

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func people(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.New()
	}
	return out
}

func teamOf(owner uuid.UUID, members ...uuid.UUID) *team {
	t := &team{owner: owner, eligible: map[uuid.UUID]bool{owner: true}}
	for _, m := range members {
		t.eligible[m] = true
	}
	return t
}

func valid(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: true} }

func TestRoundRobinTakesTurnsInOrder(t *testing.T) {
	p := people(4)
	tm := teamOf(p[0], p[1:]...)
	primary, secondary := &slot{strategy: RoundRobin, pool: []uuid.UUID{p[1], p[2], p[3]}}, &slot{strategy: None}
	var got []uuid.UUID
	for range 7 {
		o, s := assign(primary, secondary, tm, newContact{})
		require.False(t, s.Valid)
		got = append(got, o.UUID)
	}
	require.Equal(t, []uuid.UUID{p[1], p[2], p[3], p[1], p[2], p[3], p[1]}, got)
	require.EqualValues(t, 7, primary.turn)
}

func TestRoundRobinSkipsMembersWhoCannotTakeTheContact(t *testing.T) {
	p := people(4)
	tm := teamOf(p[0], p[1], p[3]) // p[2] lost the agent
	primary := &slot{strategy: RoundRobin, pool: []uuid.UUID{p[1], p[2], p[3]}}
	var got []uuid.UUID
	for range 4 {
		o, _ := assign(primary, &slot{strategy: None}, tm, newContact{})
		got = append(got, o.UUID)
	}
	require.Equal(t, []uuid.UUID{p[1], p[3], p[1], p[3]}, got)
}

func TestSecondaryIsNeverThePrimary(t *testing.T) {
	p := people(3)
	tm := teamOf(p[0], p[1], p[2])
	pool := []uuid.UUID{p[1], p[2]}
	primary, secondary := &slot{strategy: RoundRobin, pool: pool}, &slot{strategy: RoundRobin, pool: pool}
	for range 10 {
		o, s := assign(primary, secondary, tm, newContact{})
		require.True(t, o.Valid && s.Valid)
		require.NotEqual(t, o.UUID, s.UUID)
	}
	// A fixed primary: the secondary rotation skips them every time.
	primary = &slot{strategy: Member, member: p[1]}
	for range 3 {
		o, s := assign(primary, secondary, tm, newContact{})
		require.Equal(t, p[1], o.UUID)
		require.Equal(t, p[2], s.UUID)
	}
}

func TestLeastLoadedPicksFewestThenPoolOrder(t *testing.T) {
	p := people(4)
	tm := teamOf(p[0], p[1:]...)
	tm.loads = map[uuid.UUID]*[2]int64{p[1]: {5, 0}, p[2]: {3, 9}, p[3]: {3, 0}}
	primary := &slot{strategy: LeastLoaded, pool: []uuid.UUID{p[1], p[2], p[3]}}
	var got []uuid.UUID
	for range 5 {
		o, _ := assign(primary, &slot{strategy: None}, tm, newContact{})
		got = append(got, o.UUID)
	}
	// 3,3 → p2 (first in the pool), then p3 (3 < 4), then p2, p3 (both 5 with p1: p1 first), p1...
	require.Equal(t, []uuid.UUID{p[2], p[3], p[2], p[3], p[1]}, got)
	require.EqualValues(t, 6, tm.loads[p[1]][0])
}

func TestCreatorAndFallbacks(t *testing.T) {
	p := people(3)
	tm := teamOf(p[0], p[1])
	creator := &slot{strategy: Creator}
	o, _ := assign(creator, &slot{strategy: None}, tm, newContact{createdBy: valid(p[1])})
	require.Equal(t, p[1], o.UUID)

	// No creator, a member without access, an empty pool: the primary falls back to the owner.
	for _, sl := range []*slot{creator, {strategy: Member, member: p[2]}, {strategy: RoundRobin}} {
		o, _ = assign(sl, &slot{strategy: None}, tm, newContact{})
		require.Equal(t, p[0], o.UUID, "strategy %s", sl.strategy)
	}
	// None means nobody.
	o, s := assign(&slot{strategy: None}, &slot{strategy: WorkspaceOwner}, tm, newContact{})
	require.False(t, o.Valid)
	require.False(t, s.Valid, "no secondary without a primary")
}

func TestOwnersChosenByTheCreatorAreKept(t *testing.T) {
	p := people(3)
	tm := teamOf(p[0], p[1], p[2])
	primary := &slot{strategy: RoundRobin, pool: []uuid.UUID{p[1], p[2]}}
	secondary := &slot{strategy: WorkspaceOwner}
	o, s := assign(primary, secondary, tm, newContact{primary: valid(p[2])})
	require.False(t, o.Valid, "the primary was chosen by the creator")
	require.EqualValues(t, 0, primary.turn, "the rotation does not step for a contact it did not assign")
	require.Equal(t, p[0], s.UUID)

	// The owner is the kept primary: the secondary cannot be the owner again.
	o, s = assign(primary, secondary, tm, newContact{primary: valid(p[0])})
	require.False(t, o.Valid || s.Valid)
}

// TestRoundRobinStaysFairWhenPoolsOverlap: a secondary rotation passes over the contact's
// primary without using up that member's turn, so overlapping primary and secondary pools of
// different sizes still split evenly (the old pool[turn mod n] starved a member, or split 2:1).
func TestRoundRobinStaysFairWhenPoolsOverlap(t *testing.T) {
	p := people(4)
	tm := teamOf(p[0], p[1:]...)
	a, b, c := p[1], p[2], p[3]
	for _, tc := range []struct {
		name             string
		primary, second  []uuid.UUID
		wantSecondaryFor []uuid.UUID // every member of the secondary pool gets an even share
	}{
		{"primary [A,B], secondary [A,B,C]", []uuid.UUID{a, b}, []uuid.UUID{a, b, c}, []uuid.UUID{a, b, c}},
		{"primary [A,B,C], secondary [A,B]", []uuid.UUID{a, b, c}, []uuid.UUID{a, b}, []uuid.UUID{a, b}},
	} {
		primary, secondary := &slot{strategy: RoundRobin, pool: tc.primary}, &slot{strategy: RoundRobin, pool: tc.second}
		counts := map[uuid.UUID]int{}
		const n = 600
		for range n {
			o, s := assign(primary, secondary, tm, newContact{})
			require.True(t, o.Valid && s.Valid, tc.name)
			require.NotEqual(t, o.UUID, s.UUID, tc.name)
			counts[s.UUID]++
		}
		for _, id := range tc.wantSecondaryFor {
			share := n / len(tc.wantSecondaryFor)
			require.InDelta(t, share, counts[id], 1, "%s: %v", tc.name, counts)
		}
	}
}

// TestRoundRobinKeepsPlacesAcrossPoolEdits: picks are remembered per member, so a member added
// to the pool, or a reordering, neither skips the member whose turn it was nor repeats one.
func TestRoundRobinKeepsPlacesAcrossPoolEdits(t *testing.T) {
	p := people(5)
	tm := teamOf(p[0], p[1:]...)
	a, b, c, d := p[1], p[2], p[3], p[4]
	primary := &slot{strategy: RoundRobin, pool: []uuid.UUID{a, b, c}}
	next := func() uuid.UUID {
		o, _ := assign(primary, &slot{strategy: None}, tm, newContact{})
		return o.UUID
	}
	require.Equal(t, []uuid.UUID{a, b}, []uuid.UUID{next(), next()})
	primary.pool = []uuid.UUID{a, b, c, d} // D joins at the end: C's turn stands, then D's
	require.Equal(t, []uuid.UUID{c, d, a, b, c}, []uuid.UUID{next(), next(), next(), next(), next()})
	primary.pool = []uuid.UUID{d, c, b, a} // reordered: the least recently picked still goes first
	require.Equal(t, []uuid.UUID{d, a, b, c}, []uuid.UUID{next(), next(), next(), next()})
}

// TestPrimaryIsNeverTheContactsSecondary: a contact whose primary left before its job ran keeps
// its secondary; the primary the job picks is someone else, even when the rule names that
// member (the database refuses one member in both slots, which would fail the job for good).
func TestPrimaryIsNeverTheContactsSecondary(t *testing.T) {
	p := people(3)
	tm := teamOf(p[0], p[1], p[2])
	secondary := valid(p[0]) // the workspace owner
	o, _ := assign(&slot{strategy: WorkspaceOwner}, &slot{strategy: None}, tm, newContact{secondary: secondary})
	require.False(t, o.Valid && o.UUID == p[0], "the owner is the contact's secondary already")
	o, _ = assign(&slot{strategy: RoundRobin, pool: []uuid.UUID{p[0], p[1]}}, &slot{strategy: None}, tm, newContact{secondary: secondary})
	require.Equal(t, p[1], o.UUID)
}
