// Package automations is an agent's "contact created" trigger: per creation method (the
// contact's source), who becomes the new contact's primary and secondary owner and which stage
// it starts in, and an optional email to the owners.
//
// The stage is chosen synchronously by contacts.CreateTx (and the import) through the sqlc query
// StartingStage, so a contact never exists without one. Owners are chosen by the
// automate_contacts job, inserted in the creating transaction: a committed contact always gets
// its automation, a rolled-back one never does. The job locks the agent's rules, so concurrent
// jobs step a rotation one at a time and round robin splits exactly evenly; it acts only on
// contacts not yet automated, so running it twice changes nothing.
package automations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// Methods are the creation methods in the order the screen shows them: the two everyone knows,
// then the ones that follow "agent captured" until changed.
var Methods = []contacts.Source{contacts.SourceChat, contacts.SourceManual, contacts.SourceForm, contacts.SourceImport, contacts.SourceAPI}

// followsChatByDefault: these methods use chat's rule until an admin gives them their own.
func followsChatByDefault(s contacts.Source) bool {
	return s == contacts.SourceForm || s == contacts.SourceImport || s == contacts.SourceAPI
}

// MaxSimulate bounds a simulation.
const MaxSimulate = 100

// Slot is one owner slot of a rule as the API shows it.
type Slot struct {
	Strategy Strategy    `json:"strategy"`
	MemberID *uuid.UUID  `json:"member_id"`
	Pool     []uuid.UUID `json:"pool"`
	// PoolTooSmall flags a rotation left with fewer than MinPool members who can own the agent's
	// contacts (someone left the workspace or lost the agent).
	PoolTooSmall bool `json:"pool_too_small"`
	// MemberGone flags a "selected member" slot whose member left the workspace (the rule's
	// member is then NULL) or lost access to the agent: MemberID is null, and until an admin
	// chooses again the primary falls back to the workspace owner and a secondary stays empty.
	MemberGone bool `json:"member_gone"`
}

// Rule is one creation method's automation.
type Rule struct {
	Source     contacts.Source `json:"source"`
	SameAsChat bool            `json:"same_as_chat"`
	Primary    Slot            `json:"primary"`
	Secondary  Slot            `json:"secondary"`
	// StageID is the starting stage; nil is the agent's first stage.
	StageID *uuid.UUID `json:"stage_id"`
	Notify  bool       `json:"notify"`
	// Customized is false for a method nobody configured (the defaults apply).
	Customized bool `json:"customized"`
}

// Person is a member who may own the agent's contacts.
type Person struct {
	ID    uuid.UUID `json:"id"`
	Name  string    `json:"name"`
	Email string    `json:"email"`
	Role  string    `json:"role"`
}

// Config is an agent's automations: a rule per method, and the people its slots may name.
type Config struct {
	Rules   []Rule   `json:"rules"`
	Members []Person `json:"members"`
}

// SlotInput sets one owner slot.
type SlotInput struct {
	Strategy Strategy    `json:"strategy"`
	MemberID *uuid.UUID  `json:"member_id"`
	Pool     []uuid.UUID `json:"pool"`
}

// RuleInput replaces one method's rule. Primary, Secondary and Notify left out keep what is
// saved, so the Contact stage tab changes the stage without sending the owners again: a saved
// slot may have gone stale (its member left, its pool shrank) and would fail a check about a
// field that tab does not show. A kept slot is not checked again; its flags still show.
type RuleInput struct {
	SameAsChat bool       `json:"same_as_chat"`
	Primary    *SlotInput `json:"primary"`
	Secondary  *SlotInput `json:"secondary"`
	StageID    *uuid.UUID `json:"stage_id"`
	Notify     *bool      `json:"notify"`
}

// rule is a RuleInput with what it left out filled in from the saved rule; kept marks the slots
// taken from it.
type rule struct {
	sameAsChat bool
	slots      [2]SlotInput
	kept       [2]bool
	stageID    *uuid.UUID
	notify     bool
}

// complete fills in what in leaves out from src's saved rule; a method never configured takes
// the rule in effect for it, chat's when it follows chat (owners and email alike), so one that
// stops following chat on the Contact stage tab keeps doing what it did. Without a saved rule
// anywhere, the defaults.
func (st *state) complete(src contacts.Source, in RuleInput) rule {
	from := src
	if _, own := st.rows[src]; !own {
		from = st.effective(src)
	}
	saved, ok := st.slots[from]
	if !ok {
		saved = defaultSlots()
	}
	r := rule{sameAsChat: in.SameAsChat, stageID: in.StageID, notify: st.rows[from].Notify}
	if in.Notify != nil {
		r.notify = *in.Notify
	}
	for i, given := range [2]*SlotInput{in.Primary, in.Secondary} {
		if given != nil {
			r.slots[i] = *given
			continue
		}
		sl := saved[i]
		r.slots[i], r.kept[i] = SlotInput{Strategy: sl.strategy, Pool: sl.pool}, true
		if sl.strategy == Member && sl.member != uuid.Nil {
			r.slots[i].MemberID = &sl.member
		}
	}
	return r
}

// Ref names a member or a stage in a simulation.
type Ref struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// Assignment is what the automation would do to one new contact.
type Assignment struct {
	Primary   *Ref `json:"primary_owner"`
	Secondary *Ref `json:"secondary_owner"`
	Stage     *Ref `json:"stage"`
}

// Service configures and runs automations.
type Service struct {
	tenants *tenant.DB
	jobs    jobs.Inserter
	baseURL string
	batches batcher
}

// NewService returns the service; baseURL makes the links in notification emails.
func NewService(tenants *tenant.DB, j jobs.Inserter, baseURL string) *Service {
	return &Service{tenants: tenants, jobs: j, baseURL: baseURL}
}

// state is an agent's rules, pools and people, read in one transaction.
type state struct {
	rows    map[contacts.Source]db.AutomationRule
	slots   map[contacts.Source]*[2]slot // the saved rules' slots, stepped in place by the job
	members []db.AgentMembersRow
	byID    map[uuid.UUID]db.AgentMembersRow // members by user id
	team    team
}

func load(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, lock bool) (*state, error) {
	p := db.ListAutomationRulesParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID}
	var rows []db.AutomationRule
	var err error
	if lock {
		rows, err = tx.Q.LockAutomationRules(ctx, db.LockAutomationRulesParams(p))
	} else {
		rows, err = tx.Q.ListAutomationRules(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	st := &state{rows: map[contacts.Source]db.AutomationRule{}, slots: map[contacts.Source]*[2]slot{}}
	for _, r := range rows {
		src := contacts.Source(r.Source)
		st.rows[src] = r
		st.slots[src] = &[2]slot{
			{strategy: Strategy(r.PrimaryStrategy), member: r.PrimaryMemberID.UUID, turn: r.PrimaryTurn, picks: readPicks(r.PrimaryPicks)},
			{strategy: Strategy(r.SecondaryStrategy), member: r.SecondaryMemberID.UUID, turn: r.SecondaryTurn, picks: readPicks(r.SecondaryPicks)},
		}
	}
	if len(rows) > 0 {
		pools, err := tx.Q.ListAutomationPools(ctx, db.ListAutomationPoolsParams(p))
		if err != nil {
			return nil, err
		}
		for _, m := range pools {
			if sl, ok := st.slots[contacts.Source(m.Source)]; ok {
				k := slotIndex(m.Slot)
				sl[k].pool = append(sl[k].pool, m.UserID)
			}
		}
	}
	st.members, err = tx.Q.AgentMembers(ctx, db.AgentMembersParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID})
	if err != nil {
		return nil, err
	}
	st.team.eligible = map[uuid.UUID]bool{}
	st.byID = map[uuid.UUID]db.AgentMembersRow{}
	for _, m := range st.members {
		st.team.eligible[m.UserID] = true
		st.byID[m.UserID] = m
		if m.Role == "owner" {
			st.team.owner = m.UserID
		}
	}
	return st, nil
}

// readPicks reads a rotation's picks ({"<user id>": {"n": picks, "at": turn}}, migration
// 00024); the column's check keeps it an object, and an entry that is not a member id is left
// out.
func readPicks(raw []byte) map[uuid.UUID]picked {
	var byText map[string]picked
	_ = json.Unmarshal(raw, &byText)
	picks := make(map[uuid.UUID]picked, len(byText))
	for k, r := range byText {
		if id, err := uuid.Parse(k); err == nil {
			picks[id] = r
		}
	}
	return picks
}

// writePicks is readPicks' inverse ({} for none: the column holds an object).
func writePicks(picks map[uuid.UUID]picked) []byte {
	byText := make(map[string]picked, len(picks))
	for id, r := range picks {
		byText[id.String()] = r
	}
	raw, _ := json.Marshal(byText) // ints always encode
	return raw
}

func slotIndex(name string) int {
	if name == "secondary" {
		return 1
	}
	return 0
}

// defaultSlots is the rule of a method nobody configured: the workspace owner, no secondary.
func defaultSlots() *[2]slot { return &[2]slot{{strategy: WorkspaceOwner}, {strategy: None}} }

// effective is the source whose rule applies to contacts created by src (chat's, for a method
// that follows it).
func (st *state) effective(src contacts.Source) contacts.Source {
	r, ok := st.rows[src]
	if followsChatByDefault(src) && (!ok || r.SameAsChat) {
		return contacts.SourceChat
	}
	return src
}

// slotsFor returns the slots in effect for contacts created by src; the job steps them in place.
func (st *state) slotsFor(src contacts.Source) (contacts.Source, *[2]slot) {
	eff := st.effective(src)
	if sl, ok := st.slots[eff]; ok {
		return eff, sl
	}
	sl := defaultSlots()
	st.slots[eff] = sl
	return eff, sl
}

// withLoads reads the agent's contact counts of every pool member of a least-loaded slot in
// effect for sources (one entry per contact is fine: each member is read once).
func (st *state) withLoads(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, sources []contacts.Source) error {
	var ids []uuid.UUID
	seen := map[uuid.UUID]bool{}
	done := map[contacts.Source]bool{}
	for _, src := range sources {
		if done[src] {
			continue
		}
		done[src] = true
		_, sl := st.slotsFor(src)
		for _, s := range sl {
			if s.strategy != LeastLoaded {
				continue
			}
			for _, id := range s.pool {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.Q.ActiveContactLoads(ctx, db.ActiveContactLoadsParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, UserIds: ids})
	for _, r := range rows {
		*st.team.load(r.UserID) = [2]int64{r.AsPrimary, r.AsSecondary}
	}
	return err
}

func (st *state) ref(id uuid.NullUUID) *Ref {
	if !id.Valid {
		return nil
	}
	return &Ref{ID: id.UUID, Name: st.byID[id.UUID].Name}
}

// Get returns the agent's automations, defaults included.
func (s *Service) Get(ctx context.Context, ws, agentID uuid.UUID) (Config, error) {
	var out Config
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		st, err := load(ctx, tx, agentID, false)
		if err != nil {
			return err
		}
		out = st.config()
		return nil
	})
	return out, err
}

func (st *state) config() Config {
	out := Config{Rules: []Rule{}, Members: []Person{}}
	for _, m := range st.members {
		out.Members = append(out.Members, Person{ID: m.UserID, Name: m.Name, Email: m.Email, Role: m.Role})
	}
	for _, src := range Methods {
		rule := Rule{Source: src, SameAsChat: followsChatByDefault(src)}
		sl := defaultSlots()
		if r, ok := st.rows[src]; ok {
			rule.SameAsChat, rule.Notify, rule.Customized = r.SameAsChat, r.Notify, true
			if r.StageID.Valid {
				rule.StageID = &r.StageID.UUID
			}
			sl = st.slots[src]
		}
		rule.Primary, rule.Secondary = st.slotView(sl[0]), st.slotView(sl[1])
		out.Rules = append(out.Rules, rule)
	}
	return out
}

func (st *state) slotView(sl slot) Slot {
	out := Slot{Strategy: sl.strategy, Pool: slices.Clone(sl.pool)}
	if out.Pool == nil {
		out.Pool = []uuid.UUID{}
	}
	if sl.strategy == Member {
		if sl.member != uuid.Nil && st.team.eligible[sl.member] {
			out.MemberID = &sl.member
		} else {
			out.MemberGone = true
		}
	}
	if sl.strategy.pooled() {
		n := 0
		for _, id := range sl.pool {
			if st.team.eligible[id] {
				n++
			}
		}
		out.PoolTooSmall = n < MinPool
	}
	return out
}

func parseMethod(src string) (contacts.Source, error) {
	if slices.Contains(Methods, contacts.Source(src)) {
		return contacts.Source(src), nil
	}
	return "", apperr.New(apperr.NotFound, "no such creation method (chat, manual, form, import, api)")
}

// Save replaces the rule of one creation method and returns the whole configuration. The
// rotation state is kept: a changed pool goes on from the same count.
func (s *Service) Save(ctx context.Context, ws, agentID uuid.UUID, method string, in RuleInput) (Config, error) {
	src, err := parseMethod(method)
	if err != nil {
		return Config{}, err
	}
	var out Config
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		st, err := load(ctx, tx, agentID, true)
		if err != nil {
			return err
		}
		r := st.complete(src, in)
		if err := st.check(ctx, tx, agentID, src, r); err != nil {
			return err
		}
		before := st.config().Rules[slices.Index(Methods, src)]
		p := db.UpsertAutomationRuleParams{
			WorkspaceID: tx.WorkspaceID, AgentID: agentID, Source: string(src), SameAsChat: r.sameAsChat,
			PrimaryStrategy: string(r.slots[0].Strategy), SecondaryStrategy: string(r.slots[1].Strategy), Notify: r.notify,
		}
		// A kept member slot whose member left has no member (NULL), as it was saved.
		if id := r.slots[0].MemberID; r.slots[0].Strategy == Member && id != nil {
			p.PrimaryMemberID = uuid.NullUUID{UUID: *id, Valid: true}
		}
		if id := r.slots[1].MemberID; r.slots[1].Strategy == Member && id != nil {
			p.SecondaryMemberID = uuid.NullUUID{UUID: *id, Valid: true}
		}
		if r.stageID != nil {
			p.StageID = uuid.NullUUID{UUID: *r.stageID, Valid: true}
		}
		if err := tx.Q.UpsertAutomationRule(ctx, p); err != nil {
			return err
		}
		if err := tx.Q.ClearAutomationPool(ctx, db.ClearAutomationPoolParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, Source: string(src)}); err != nil {
			return err
		}
		for i, name := range slotNames {
			if sl := r.slots[i]; sl.Strategy.pooled() {
				if err := tx.Q.SetAutomationPool(ctx, db.SetAutomationPoolParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID,
					Source: string(src), Slot: name, UserIds: sl.Pool}); err != nil {
					return err
				}
			}
		}
		if st, err = load(ctx, tx, agentID, false); err != nil {
			return err
		}
		out = st.config()
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "automations", ResourceID: agentID.String() + "/" + string(src),
			Before: before, After: out.Rules[slices.Index(Methods, src)]})
	})
	return out, err
}

var slotNames = [2]string{"primary", "secondary"}

// check validates a rule for src; every fault is named by its field. A kept slot was checked
// when it was saved and is not checked again, nor is the pair when both are kept.
func (st *state) check(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, src contacts.Source, r rule) error {
	bad := apperr.Fields{}
	if r.sameAsChat && !followsChatByDefault(src) {
		bad.Add("same_as_chat", "is for form, import and api contacts only")
	}
	for i, name := range slotNames {
		sl := r.slots[i]
		switch {
		case r.kept[i]:
		case !slices.Contains(strategies, sl.Strategy):
			bad.Add(name+".strategy", "must be creator, workspace_owner, member, round_robin, least_loaded or none")
		case sl.Strategy == Creator && src != contacts.SourceManual:
			bad.Add(name+".strategy", "creator is for manually created contacts only: other contacts have no human creator")
		case sl.Strategy == Member && sl.MemberID == nil:
			bad.Add(name+".member_id", "is required for the member strategy")
		case sl.Strategy == Member && !st.team.eligible[*sl.MemberID]:
			bad.Add(name+".member_id", "must be a member with access to this agent")
		case sl.Strategy != Member && sl.MemberID != nil:
			bad.Add(name+".member_id", "is only for the member strategy")
		case sl.Strategy.pooled():
			if msg := st.checkPool(sl.Pool); msg != "" {
				bad.Add(name+".pool", msg)
			}
		case len(sl.Pool) > 0:
			bad.Add(name+".pool", "is only for round_robin and least_loaded")
		}
	}
	primary, secondary := r.slots[0], r.slots[1]
	if primary.Strategy == None && secondary.Strategy != None {
		bad.Add("secondary.strategy", "must be none when there is no primary owner")
	}
	// The secondary never names the primary's person: the same selected member, the workspace
	// owner twice, the creator twice, or the workspace owner once by name and once by role.
	p, pOK := st.fixedMember(primary)
	sec, sOK := st.fixedMember(secondary)
	switch {
	case r.kept[0] && r.kept[1]:
	case primary.Strategy == secondary.Strategy && (primary.Strategy == WorkspaceOwner || primary.Strategy == Creator):
		bad.Add("secondary.strategy", "would be the primary owner again")
	case !pOK || !sOK || p != sec:
	case secondary.Strategy == Member && primary.Strategy == Member:
		bad.Add("secondary.member_id", "must not be the primary owner")
	case secondary.Strategy == Member:
		bad.Add("secondary.member_id", "is the workspace owner, who is already the primary owner")
	default: // a selected primary member who is the workspace owner
		bad.Add("secondary.strategy", "would be the primary owner again: the selected primary member is the workspace owner")
	}
	if r.stageID != nil {
		ok, err := tx.Q.StageOfAgent(ctx, db.StageOfAgentParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: *r.stageID})
		if err != nil {
			return err
		}
		if !ok {
			bad.Add("stage_id", "must be a stage of this agent")
		}
	}
	return bad.Err()
}

// fixedMember is the one person a slot always names, if it names one: its selected member, or
// the workspace owner.
func (st *state) fixedMember(sl SlotInput) (uuid.UUID, bool) {
	switch {
	case sl.Strategy == Member && sl.MemberID != nil:
		return *sl.MemberID, true
	case sl.Strategy == WorkspaceOwner && st.team.owner != uuid.Nil:
		return st.team.owner, true
	}
	return uuid.Nil, false
}

func (st *state) checkPool(pool []uuid.UUID) string {
	seen := map[uuid.UUID]bool{}
	for _, id := range pool {
		if seen[id] {
			return "lists a member twice"
		}
		seen[id] = true
		if !st.team.eligible[id] {
			return fmt.Sprintf("member %s has no access to this agent", id)
		}
	}
	if len(pool) < MinPool {
		return fmt.Sprintf("needs at least %d members", MinPool)
	}
	if len(pool) > 100 {
		return "may list at most 100 members"
	}
	return ""
}

// MaxPending bounds the waiting contacts a simulation steps through before the ones it shows.
const MaxPending = 10_000

// Simulation is what Simulate answers.
type Simulation struct {
	Items []Assignment `json:"items"`
	// Pending is how many contacts already created and still waiting for their automation the
	// simulation stepped through first (at most MaxPending).
	Pending int `json:"pending"`
	// PendingCapped: more than MaxPending contacts were waiting; the simulation counted the first
	// MaxPending only, so the rotation may be further along than it shows.
	PendingCapped bool `json:"pending_capped"`
}

// Simulate shows who the next n contacts created by method would be assigned to, and their
// stage, changing nothing: the rules are read without a lock and the transaction rolls back.
// Contacts created but not automated yet (their jobs are waiting) come first, as they will for
// the jobs: the rotations and loads are stepped through them, in id order, by their own rules
// (up to MaxPending), before the n simulated ones. A manual contact's creator is the member
// asking.
func (s *Service) Simulate(ctx context.Context, ws, agentID uuid.UUID, method string, n int, asker uuid.UUID) (Simulation, error) {
	src, err := parseMethod(method)
	if err != nil {
		return Simulation{}, err
	}
	if n < 1 || n > MaxSimulate {
		return Simulation{}, apperr.Field("count", fmt.Sprintf("must be 1 to %d", MaxSimulate))
	}
	out := Simulation{Items: make([]Assignment, 0, n)}
	errRollback := errors.New("simulation: roll back")
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		st, err := load(ctx, tx, agentID, false)
		if err != nil {
			return err
		}
		pending, err := tx.Q.PendingAutomations(ctx, db.PendingAutomationsParams{WorkspaceID: ws, AgentID: agentID, MaxRows: MaxPending + 1})
		if err != nil {
			return err
		}
		if len(pending) > MaxPending {
			pending, out.PendingCapped = pending[:MaxPending], true
		}
		out.Pending = len(pending)
		sources := []contacts.Source{src}
		for _, c := range pending {
			sources = append(sources, contacts.Source(c.Source))
		}
		if err := st.withLoads(ctx, tx, agentID, sources); err != nil {
			return err
		}
		for _, c := range pending {
			_, sl := st.slotsFor(contacts.Source(c.Source))
			assign(&sl[0], &sl[1], &st.team, newContact{createdBy: c.CreatedBy, primary: c.PrimaryOwnerID, secondary: c.SecondaryOwnerID})
		}
		stage, err := startingStage(ctx, tx, agentID, src)
		if err != nil {
			return err
		}
		_, sl := st.slotsFor(src)
		c := newContact{}
		if src == contacts.SourceManual {
			c.createdBy = uuid.NullUUID{UUID: asker, Valid: true}
		}
		for range n {
			p, sec := assign(&sl[0], &sl[1], &st.team, c)
			out.Items = append(out.Items, Assignment{Primary: st.ref(p), Secondary: st.ref(sec), Stage: stage})
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	return out, err
}

func startingStage(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, src contacts.Source) (*Ref, error) {
	id, err := tx.Q.StartingStage(ctx, db.StartingStageParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, Source: string(src)})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	name, err := tx.Q.StageName(ctx, db.StageNameParams{WorkspaceID: tx.WorkspaceID, ID: id})
	return &Ref{ID: id, Name: name}, err
}

// AutomateContacts runs the automation on the contacts of the job that have not been automated
// yet: owners by the rule of each contact's creation method, in id order, rotations stepped
// under the rules' lock, one audit entry per assigned contact, and the notification emails.
// Concurrent calls for one agent share a transaction (see batcher).
func (s *Service) AutomateContacts(ctx context.Context, ws, agentID uuid.UUID, ids []uuid.UUID) error {
	return s.batches.do(ctx, [2]uuid.UUID{ws, agentID}, ids, func(ctx context.Context, ids []uuid.UUID) error {
		return s.automate(ctx, ws, agentID, ids)
	})
}

func (s *Service) automate(ctx context.Context, ws, agentID uuid.UUID, ids []uuid.UUID) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		cs, err := tx.Q.LockContactsToAutomate(ctx, db.LockContactsToAutomateParams{WorkspaceID: ws, AgentID: agentID, Ids: ids})
		if err != nil || len(cs) == 0 {
			return err
		}
		st, err := load(ctx, tx, agentID, true)
		if err != nil {
			return err
		}
		var sources []contacts.Source
		for _, c := range cs {
			sources = append(sources, contacts.Source(c.Source))
		}
		if err := st.withLoads(ctx, tx, agentID, sources); err != nil {
			return err
		}
		turns := map[contacts.Source][2]int64{}
		for src, sl := range st.slots {
			turns[src] = [2]int64{sl[0].turn, sl[1].turn}
		}
		done := make([]uuid.UUID, len(cs))
		primaries, secondaries := make([]uuid.UUID, len(cs)), make([]uuid.UUID, len(cs))
		var notices []notice
		var entries []audit.Entry
		for i, c := range cs {
			eff, sl := st.slotsFor(contacts.Source(c.Source))
			p, sec := assign(&sl[0], &sl[1], &st.team, newContact{createdBy: c.CreatedBy, primary: c.PrimaryOwnerID, secondary: c.SecondaryOwnerID})
			done[i], primaries[i], secondaries[i] = c.ID, p.UUID, sec.UUID // uuid.Nil when not chosen
			if !p.Valid && !sec.Valid {
				continue
			}
			entries = append(entries, audit.Entry{Action: "automate", Resource: "contacts", ResourceID: c.ID.String(),
				Before: owners{Primary: st.ref(c.PrimaryOwnerID), Secondary: st.ref(c.SecondaryOwnerID)},
				After:  owners{Primary: st.ref(or(c.PrimaryOwnerID, p)), Secondary: st.ref(or(c.SecondaryOwnerID, sec)), Rule: string(eff)}})
			// Never for an import: a file of 150,000 rows would send 150,000 emails.
			if r, ok := st.rows[eff]; ok && r.Notify && contacts.Source(c.Source) != contacts.SourceImport {
				notices = append(notices, notice{contact: c, owners: []uuid.NullUUID{p, sec}})
			}
		}
		if err := tx.Q.SetAutomatedOwners(ctx, db.SetAutomatedOwnersParams{WorkspaceID: ws, AgentID: agentID,
			Ids: done, PrimaryIds: primaries, SecondaryIds: secondaries}); err != nil {
			return err
		}
		if err := audit.RecordMany(ctx, tx, entries); err != nil {
			return err
		}
		for src, sl := range st.slots {
			if _, saved := st.rows[src]; saved && turns[src] != [2]int64{sl[0].turn, sl[1].turn} {
				if err := tx.Q.SetAutomationTurns(ctx, db.SetAutomationTurnsParams{WorkspaceID: ws, AgentID: agentID, Source: string(src),
					PrimaryTurn: sl[0].turn, SecondaryTurn: sl[1].turn,
					PrimaryPicks: writePicks(sl[0].picks), SecondaryPicks: writePicks(sl[1].picks)}); err != nil {
					return err
				}
			}
		}
		return s.notify(ctx, tx, st, agentID, notices)
	})
}

// owners is what an automation audit entry records.
type owners struct {
	Primary   *Ref   `json:"primary_owner"`
	Secondary *Ref   `json:"secondary_owner"`
	Rule      string `json:"rule,omitempty"`
}

func or(kept, chosen uuid.NullUUID) uuid.NullUUID {
	if kept.Valid {
		return kept
	}
	return chosen
}

type notice struct {
	contact db.LockContactsToAutomateRow
	owners  []uuid.NullUUID
}

// notify emails each newly assigned owner about their new contact, through the mail job.
func (s *Service) notify(ctx context.Context, tx tenant.Tx, st *state, agentID uuid.UUID, notices []notice) error {
	var params []river.InsertManyParams
	for _, n := range notices {
		for _, o := range n.owners {
			if !o.Valid {
				continue
			}
			email := st.byID[o.UUID].Email
			if email == "" {
				continue
			}
			who := n.contact.Name
			if who == "" {
				who = deref(n.contact.Email, deref(n.contact.Phone, "A new contact"))
			}
			params = append(params, river.InsertManyParams{Args: jobs.SendEmailArgs{
				To:      email,
				Subject: "New contact assigned to you: " + who,
				Text: fmt.Sprintf("%s (%s) was just assigned to you.\n\nOpen it: %s/agents/%s/contacts/%s\n",
					who, contacts.Source(n.contact.Source).Label(), s.baseURL, agentID, n.contact.ID),
			}})
		}
	}
	if len(params) == 0 {
		return nil
	}
	_, err := s.jobs.InsertManyTx(ctx, tx, params)
	return err
}

func deref(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}
