package automations_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/automations"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// crm is a workspace with an agent and two more members who work in it.
type crm struct {
	env      *apptest.Env
	owner    *apptest.Member
	admin    *apptest.Member
	user     *apptest.Member
	agent    uuid.UUID
	base     string
	contacts *contacts.Service
}

func setup(t *testing.T) crm {
	t.Helper()
	env := apptest.Start(t)
	o := env.SignUp(t)
	agent := uuid.MustParse(o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string))
	a := env.AddMember(t, o, "admin")
	u := env.AddMember(t, o, "user")
	resp := o.Do("PUT", "/api/v1/members/"+u.UserID.String()+"/agents", map[string]any{"agent_ids": []any{agent}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return crm{env: env, owner: o, admin: a, user: u, agent: agent, base: fmt.Sprintf("/api/v1/agents/%s", agent),
		contacts: contacts.NewService(env.App.Tenants, env.App.River)}
}

func slot(strategy string, extra ...any) map[string]any {
	s := map[string]any{"strategy": strategy}
	for i := 0; i < len(extra); i += 2 {
		s[extra[i].(string)] = extra[i+1]
	}
	return s
}

func (c crm) configure(t *testing.T, method string, rule map[string]any) map[string]any {
	t.Helper()
	resp := c.owner.Do("PUT", c.base+"/automations/"+method, rule)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

// create makes a contact by source through the contacts service, as each path does.
func (c crm) create(t *testing.T, source contacts.Source, email string, by uuid.UUID) uuid.UUID {
	t.Helper()
	ct, err := c.contacts.Create(context.Background(), c.owner.WorkspaceID, c.agent, contacts.Input{Email: httpapi.Some(email)}, source, by)
	require.NoError(t, err)
	return ct.ID
}

type owners struct{ primary, secondary uuid.NullUUID }

// owners waits for the contacts' automation and returns their owners.
func (c crm) owners(t *testing.T, ids ...uuid.UUID) []owners {
	t.Helper()
	out := make([]owners, len(ids))
	require.Eventually(t, func() bool {
		pending := 0
		c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
			for i, id := range ids {
				var done bool
				require.NoError(t, tx.QueryRow(context.Background(),
					`SELECT automated_at IS NOT NULL, primary_owner_id, secondary_owner_id FROM contacts WHERE id = $1`, id).
					Scan(&done, &out[i].primary, &out[i].secondary))
				if !done {
					pending++
				}
			}
			return nil
		})
		return pending == 0
	}, 20*time.Second, 20*time.Millisecond)
	return out
}

func TestNothingConfiguredGoesToTheWorkspaceOwner(t *testing.T) {
	t.Parallel()
	c := setup(t)
	cfg := c.owner.Do("GET", c.base+"/automations", nil).Map(t)
	rules := cfg["rules"].([]any)
	require.Len(t, rules, 5)
	for i, method := range []string{"chat", "manual", "form", "import", "api"} {
		r := rules[i].(map[string]any)
		require.Equal(t, method, r["source"])
		require.Equal(t, false, r["customized"])
		require.Equal(t, method == "form" || method == "import" || method == "api", r["same_as_chat"], method)
		require.Equal(t, "workspace_owner", r["primary"].(map[string]any)["strategy"])
		require.Equal(t, "none", r["secondary"].(map[string]any)["strategy"])
	}
	require.Len(t, cfg["members"], 3)

	for _, src := range []contacts.Source{contacts.SourceManual, contacts.SourceChat, contacts.SourceForm, contacts.SourceImport, contacts.SourceAPI} {
		id := c.create(t, src, string(src)+"@example.com", uuid.Nil)
		o := c.owners(t, id)[0]
		require.Equal(t, c.owner.UserID, o.primary.UUID, "source %s", src)
		require.False(t, o.secondary.Valid)
	}
	// Through the API too, and the assignment is on the contact's timeline.
	resp := c.admin.Do("POST", c.base+"/contacts", map[string]string{"email": "api-made@example.com"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := uuid.MustParse(resp.Map(t)["id"].(string))
	require.Equal(t, c.owner.UserID, c.owners(t, id)[0].primary.UUID)
	timeline := c.owner.Do("GET", c.base+"/contacts/"+id.String()+"/timeline", nil).Map(t)["items"].([]any)
	require.Equal(t, "automate", timeline[0].(map[string]any)["action"], "newest first")
}

func TestRoundRobinAlternatesAndFollowersShareChatsRotation(t *testing.T) {
	t.Parallel()
	c := setup(t)
	pool := []any{c.admin.UserID, c.user.UserID}
	c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", pool), "secondary": slot("none")})
	var ids []uuid.UUID
	// Chat, then form and api (which follow chat until changed): one rotation.
	for i, src := range []contacts.Source{contacts.SourceChat, contacts.SourceForm, contacts.SourceAPI, contacts.SourceChat} {
		ids = append(ids, c.create(t, src, fmt.Sprintf("rr%d@example.com", i), uuid.Nil))
		c.owners(t, ids[i]) // one at a time, so the order is the creation order
	}
	got := c.owners(t, ids...)
	want := []uuid.UUID{c.admin.UserID, c.user.UserID, c.admin.UserID, c.user.UserID}
	for i := range ids {
		require.Equal(t, want[i], got[i].primary.UUID, "contact %d", i)
	}
}

func TestEachStrategy(t *testing.T) {
	t.Parallel()
	c := setup(t)
	stages := c.owner.Do("GET", c.base+"/stages", nil).Map(t)["items"].([]any)
	customer := stages[2].(map[string]any)["id"].(string)

	// Manual: the creator, with a selected secondary and a starting stage.
	c.configure(t, "manual", map[string]any{"primary": slot("creator"), "secondary": slot("member", "member_id", c.user.UserID), "stage_id": customer})
	resp := c.admin.Do("POST", c.base+"/contacts", map[string]string{"email": "made-by-admin@example.com"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	require.Equal(t, "Customer", resp.Map(t)["stage"].(map[string]any)["name"], "the stage is set when the contact is created")
	o := c.owners(t, uuid.MustParse(resp.Map(t)["id"].(string)))[0]
	require.Equal(t, c.admin.UserID, o.primary.UUID)
	require.Equal(t, c.user.UserID, o.secondary.UUID)

	// The user creates one: they are the creator, and the secondary (also them) is skipped.
	c.configure(t, "manual", map[string]any{"primary": slot("creator"), "secondary": slot("member", "member_id", c.user.UserID)})
	id := c.create(t, contacts.SourceManual, "made-by-user@example.com", c.user.UserID)
	o = c.owners(t, id)[0]
	require.Equal(t, c.user.UserID, o.primary.UUID)
	require.False(t, o.secondary.Valid, "never the primary again")

	// A selected member for chat; import has its own rule now: least loaded.
	c.configure(t, "chat", map[string]any{"primary": slot("member", "member_id", c.admin.UserID), "secondary": slot("workspace_owner")})
	o = c.owners(t, c.create(t, contacts.SourceChat, "chat@example.com", uuid.Nil))[0]
	require.Equal(t, c.admin.UserID, o.primary.UUID)
	require.Equal(t, c.owner.UserID, o.secondary.UUID)

	// The admin owns 2 active contacts by now, the user 1 (as primary): the user is least loaded.
	c.configure(t, "import", map[string]any{"primary": slot("least_loaded", "pool", []any{c.admin.UserID, c.user.UserID}), "secondary": slot("none")})
	first := c.create(t, contacts.SourceImport, "imp1@example.com", uuid.Nil)
	require.Equal(t, c.user.UserID, c.owners(t, first)[0].primary.UUID)
	second := c.create(t, contacts.SourceImport, "imp2@example.com", uuid.Nil)
	require.Equal(t, c.admin.UserID, c.owners(t, second)[0].primary.UUID, "2 each: the first in the pool's order")

	// None: nobody.
	c.configure(t, "api", map[string]any{"primary": slot("none"), "secondary": slot("none")})
	o = c.owners(t, c.create(t, contacts.SourceAPI, "api@example.com", uuid.Nil))[0]
	require.False(t, o.primary.Valid)
	// Form still follows chat.
	o = c.owners(t, c.create(t, contacts.SourceForm, "form@example.com", uuid.Nil))[0]
	require.Equal(t, c.admin.UserID, o.primary.UUID)

	// An owner chosen by the creator is kept.
	resp = c.owner.Do("POST", c.base+"/contacts", map[string]any{"email": "kept@example.com", "primary_owner_id": c.owner.UserID})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	o = c.owners(t, uuid.MustParse(resp.Map(t)["id"].(string)))[0]
	require.Equal(t, c.owner.UserID, o.primary.UUID)
}

// TestRoundRobinIsExactlyFairUnderConcurrency: 1,000 contacts created at once and automated by
// two worker processes' worth of River clients split exactly evenly over the pool.
func TestRoundRobinIsExactlyFairUnderConcurrency(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.owner.UserID, c.admin.UserID, c.user.UserID}), "secondary": slot("none")})
	second := startWorkers(t, c.env)
	_ = second

	const n = 1000
	ids := make([]uuid.UUID, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				ct, err := c.contacts.Create(context.Background(), c.owner.WorkspaceID, c.agent,
					contacts.Input{Email: httpapi.Some(fmt.Sprintf("fair%d@example.com", i))}, contacts.SourceChat, uuid.Nil)
				ids[i] = ct.ID
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	counts := map[uuid.UUID]int{}
	for _, o := range c.owners(t, ids...) {
		counts[o.primary.UUID]++
	}
	require.Equal(t, map[uuid.UUID]int{c.owner.UserID: 334, c.admin.UserID: 333, c.user.UserID: 333}, counts)
	require.Equal(t, n, c.env.Count(t, c.owner.WorkspaceID, `SELECT primary_turn FROM automation_rules WHERE source = 'chat'`),
		"one turn per contact")
}

// startWorkers opens a second app with its own River workers on the env's database, as a second
// worker process would be.
func startWorkers(t *testing.T, env *apptest.Env) *app.App {
	t.Helper()
	cfg := env.App.Config
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), true)
	require.NoError(t, err)
	require.NoError(t, a.StartWorkers(ctx))
	t.Cleanup(func() {
		require.NoError(t, a.StopWorkers())
		a.Close()
	})
	return a
}

// TestJobsWaitingForAWorkerRunOnceWhenOneStarts: contacts committed while no worker runs are
// automated when a worker starts, once; and running the same job again changes nothing. (The
// worker killed with SIGKILL in the middle of the jobs is crash_test.go.)
func TestJobsWaitingForAWorkerRunOnceWhenOneStarts(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	agent := uuid.MustParse(o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string))
	a := env.AddMember(t, o, "admin")
	resp := o.Do("PUT", fmt.Sprintf("/api/v1/agents/%s/automations/chat", agent),
		map[string]any{"primary": slot("round_robin", "pool", []any{o.UserID, a.UserID}), "secondary": slot("none")})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.NoError(t, env.App.StopWorkers()) // no worker runs

	svc := contacts.NewService(env.App.Tenants, env.App.River)
	var ids []uuid.UUID
	for i := range 4 {
		ct, err := svc.Create(context.Background(), o.WorkspaceID, agent, contacts.Input{Email: httpapi.Some(fmt.Sprintf("late%d@example.com", i))}, contacts.SourceChat, uuid.Nil)
		require.NoError(t, err)
		ids = append(ids, ct.ID)
	}
	require.Equal(t, 4, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM contacts WHERE automated_at IS NULL AND primary_owner_id IS NULL`))

	startWorkers(t, env) // a worker starts
	c := crm{env: env, owner: o}
	got := c.owners(t, ids...)
	require.Equal(t, []uuid.UUID{o.UserID, a.UserID, o.UserID, a.UserID},
		[]uuid.UUID{got[0].primary.UUID, got[1].primary.UUID, got[2].primary.UUID, got[3].primary.UUID})
	require.Equal(t, 4, env.Count(t, o.WorkspaceID, `SELECT primary_turn FROM automation_rules WHERE source = 'chat'`))

	// The same job again: no step of the rotation, no new version, no second audit entry.
	versions := env.Count(t, o.WorkspaceID, `SELECT sum(version) FROM contacts`)
	require.NoError(t, env.App.Automations.AutomateContacts(context.Background(), o.WorkspaceID, agent, ids))
	require.Equal(t, 4, env.Count(t, o.WorkspaceID, `SELECT primary_turn FROM automation_rules WHERE source = 'chat'`))
	require.Equal(t, versions, env.Count(t, o.WorkspaceID, `SELECT sum(version) FROM contacts`))
	require.Equal(t, 4, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM audit_log WHERE action = 'automate'`))
}

// TestRolledBackContactGetsNoJob: a contact created through the real creation path (contacts'
// CreateTx, which inserts its automate_contacts job) in a transaction that then fails leaves
// neither the contact nor its job; the same transaction committed leaves both, and the job runs.
func TestRolledBackContactGetsNoJob(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ctx := context.Background()
	const jobsOf = `SELECT count(*) FROM river.river_job WHERE kind = 'automate_contacts' AND args->'contact_ids' ? $1`
	// River's table has no RLS: counted as the database owner, outside any transaction of the app.
	jobs := func(id uuid.UUID) int {
		var n int
		require.NoError(t, c.env.DB.Owner.QueryRow(ctx, jobsOf, id.String()).Scan(&n))
		return n
	}
	// Contacts are counted in the workspace, in a transaction of their own.
	contactsWith := func(id uuid.UUID) int {
		return c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contacts WHERE id = $1`, id)
	}
	create := func(email string, fail error) (uuid.UUID, error) {
		var id uuid.UUID
		err := c.env.App.Tenants.Tx(ctx, c.owner.WorkspaceID, func(tx tenant.Tx) error {
			ct, err := c.contacts.CreateTx(ctx, tx, c.agent, contacts.Input{Email: httpapi.Some(email)}, contacts.SourceManual, c.owner.UserID)
			require.NoError(t, err)
			id = ct.ID
			// Inside the transaction the contact and its job are both there.
			var n int
			require.NoError(t, tx.QueryRow(ctx, jobsOf, id.String()).Scan(&n))
			require.Equal(t, 1, n, "CreateTx inserted the contact's job in this transaction")
			return fail // something later in the same transaction fails, or not
		})
		return id, err
	}

	errLater := errors.New("a later step of the transaction failed")
	id, err := create("rolled-back@example.com", errLater)
	require.ErrorIs(t, err, errLater)
	require.Zero(t, contactsWith(id), "the contact rolled back")
	require.Zero(t, jobs(id), "its job rolled back with it")

	id, err = create("committed@example.com", nil)
	require.NoError(t, err)
	require.Equal(t, 1, contactsWith(id))
	require.Equal(t, 1, jobs(id))
	require.Equal(t, c.owner.UserID, c.owners(t, id)[0].primary.UUID, "and the committed one's job ran")
}

func TestMemberRemovedLeavesPoolsAndTheScreenSaysSo(t *testing.T) {
	t.Parallel()
	c := setup(t)
	cfg := c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID, c.user.UserID}), "secondary": slot("none")})
	require.Equal(t, false, cfg["rules"].([]any)[0].(map[string]any)["primary"].(map[string]any)["pool_too_small"])

	resp := c.owner.Do("DELETE", "/api/v1/members/"+c.user.UserID.String(), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	primary := c.owner.Do("GET", c.base+"/automations", nil).Map(t)["rules"].([]any)[0].(map[string]any)["primary"].(map[string]any)
	require.Equal(t, []any{c.admin.UserID.String()}, primary["pool"])
	require.Equal(t, true, primary["pool_too_small"])
	// The rotation goes on with who is left.
	ids := []uuid.UUID{c.create(t, contacts.SourceChat, "a@example.com", uuid.Nil), c.create(t, contacts.SourceChat, "b@example.com", uuid.Nil)}
	for _, o := range c.owners(t, ids...) {
		require.Equal(t, c.admin.UserID, o.primary.UUID)
	}
}

func TestSimulateChangesNothing(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID, c.user.UserID}),
		"secondary": slot("round_robin", "pool", []any{c.admin.UserID, c.user.UserID})})
	sim := func() []any {
		resp := c.user.Do("POST", c.base+"/automations/form/simulate", map[string]int{"count": 4})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		return resp.Map(t)["items"].([]any)
	}
	first := sim()
	require.Len(t, first, 4)
	name := func(v any, k string) string { return v.(map[string]any)[k].(map[string]any)["id"].(string) }
	for i, want := range []uuid.UUID{c.admin.UserID, c.user.UserID, c.admin.UserID, c.user.UserID} {
		require.Equal(t, want.String(), name(first[i], "primary_owner"), "form follows chat's rotation")
		require.NotEqual(t, name(first[i], "primary_owner"), name(first[i], "secondary_owner"))
		require.Equal(t, "Lead", first[i].(map[string]any)["stage"].(map[string]any)["name"])
	}
	require.Equal(t, first, sim(), "a simulation steps no rotation")
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT primary_turn FROM automation_rules`))

	// The simulation is what happens.
	id := c.create(t, contacts.SourceForm, "sim@example.com", uuid.Nil)
	o := c.owners(t, id)[0]
	require.Equal(t, name(first[0], "primary_owner"), o.primary.UUID.String())
	require.Equal(t, name(first[0], "secondary_owner"), o.secondary.UUID.String())
}

func TestNotifyEmailsTheOwners(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.configure(t, "chat", map[string]any{"primary": slot("member", "member_id", c.admin.UserID), "secondary": slot("member", "member_id", c.user.UserID), "notify": true})
	ct, err := c.contacts.Create(context.Background(), c.owner.WorkspaceID, c.agent, contacts.Input{Name: httpapi.Some("Grace Hopper"), Email: httpapi.Some("grace@example.com")}, contacts.SourceChat, uuid.Nil)
	require.NoError(t, err)
	for _, m := range []*apptest.Member{c.admin, c.user} {
		mail := c.env.WaitForMail(t, m.Email, "/contacts/"+ct.ID.String())
		require.Contains(t, mail.Subject, "Grace Hopper")
	}
}

func TestBadRulesAreRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	c := setup(t)
	other := setup(t)
	otherStage := other.owner.Do("GET", other.base+"/stages", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"]
	outsider := other.owner.UserID
	none := slot("none")
	cases := []struct {
		method string
		body   map[string]any
		field  string
	}{
		{"chat", map[string]any{"primary": slot("creator"), "secondary": none}, "primary.strategy"},
		{"chat", map[string]any{"primary": slot("boss"), "secondary": none}, "primary.strategy"},
		{"chat", map[string]any{"primary": slot("member"), "secondary": none}, "primary.member_id"},
		{"chat", map[string]any{"primary": slot("member", "member_id", outsider), "secondary": none}, "primary.member_id"},
		{"chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID}), "secondary": none}, "primary.pool"},
		{"chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID, c.admin.UserID}), "secondary": none}, "primary.pool"},
		{"chat", map[string]any{"primary": slot("least_loaded", "pool", []any{c.admin.UserID, outsider}), "secondary": none}, "primary.pool"},
		{"chat", map[string]any{"primary": slot("workspace_owner", "pool", []any{c.admin.UserID, c.user.UserID}), "secondary": none}, "primary.pool"},
		{"chat", map[string]any{"primary": none, "secondary": slot("workspace_owner")}, "secondary.strategy"},
		{"chat", map[string]any{"primary": slot("member", "member_id", c.user.UserID), "secondary": slot("member", "member_id", c.user.UserID)}, "secondary.member_id"},
		{"chat", map[string]any{"primary": slot("workspace_owner"), "secondary": slot("workspace_owner")}, "secondary.strategy"},
		// The workspace owner selected by name on one side and by role on the other.
		{"chat", map[string]any{"primary": slot("member", "member_id", c.owner.UserID), "secondary": slot("workspace_owner")}, "secondary.strategy"},
		{"manual", map[string]any{"primary": slot("workspace_owner"), "secondary": slot("member", "member_id", c.owner.UserID)}, "secondary.member_id"},
		{"chat", map[string]any{"primary": slot("workspace_owner"), "secondary": none, "same_as_chat": true}, "same_as_chat"},
		{"manual", map[string]any{"primary": slot("creator"), "secondary": none, "stage_id": otherStage}, "stage_id"},
	}
	for _, tc := range cases {
		resp := c.owner.Do("PUT", c.base+"/automations/"+tc.method, tc.body)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%v: %s", tc.body, resp.Body)
		require.Contains(t, resp.Map(t)["error"].(map[string]any)["fields"], tc.field, "%v: %s", tc.body, resp.Body)
	}
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM automation_rules`), "nothing was saved")

	resp := c.owner.Do("PUT", c.base+"/automations/sms", map[string]any{"primary": none, "secondary": none})
	require.Equal(t, http.StatusNotFound, resp.Status)
	resp = c.owner.Do("POST", c.base+"/automations/chat/simulate", map[string]int{"count": automations.MaxSimulate + 1})
	require.Equal(t, http.StatusBadRequest, resp.Status)
	// Another workspace's agent does not exist for this owner.
	resp = c.owner.Do("GET", other.base+"/automations", nil)
	require.Equal(t, http.StatusNotFound, resp.Status)
	resp = c.owner.Do("PUT", other.base+"/automations/chat", map[string]any{"primary": none, "secondary": none})
	require.Equal(t, http.StatusNotFound, resp.Status)
}

// TestImportedContactsGetTheirAutomationInBulk: an import creates its contacts set-based and
// inserts their automation jobs in bulk; imported contacts rotate like any others and start
// in the import rule's stage.
func TestImportedContactsGetTheirAutomationInBulk(t *testing.T) {
	t.Parallel()
	c := setup(t)
	stages := c.owner.Do("GET", c.base+"/stages", nil).Map(t)["items"].([]any)
	prospect := stages[1].(map[string]any)["id"].(string)
	c.configure(t, "import", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID, c.user.UserID}),
		"secondary": slot("none"), "stage_id": prospect})

	const n = 30
	var file strings.Builder
	file.WriteString("email,name\n")
	for i := range n {
		fmt.Fprintf(&file, "imported%02d@example.com,Imported %02d\n", i, i)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", "people.csv")
	require.NoError(t, err)
	_, err = part.Write([]byte(file.String()))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	upload := *c.owner.Client
	upload.Header = http.Header{"Content-Type": {w.FormDataContentType()}}
	resp := upload.Do("POST", c.base+"/imports?start=true", body.Bytes())
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)

	var ids []uuid.UUID
	require.Eventually(t, func() bool {
		ids = nil
		c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
			rows, err := tx.Query(context.Background(), `SELECT id FROM contacts WHERE source = 'import' ORDER BY id`)
			require.NoError(t, err)
			defer rows.Close()
			for rows.Next() {
				var id uuid.UUID
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			return rows.Err()
		})
		return len(ids) == n
	}, 30*time.Second, 50*time.Millisecond)
	counts := map[uuid.UUID]int{}
	for _, o := range c.owners(t, ids...) {
		counts[o.primary.UUID]++
	}
	require.Equal(t, map[uuid.UUID]int{c.admin.UserID: n / 2, c.user.UserID: n / 2}, counts)
	require.Equal(t, n, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contacts WHERE source = 'import' AND stage_id = $1`, prospect))
	var jobs int
	require.NoError(t, c.env.DB.Owner.QueryRow(context.Background(),
		`SELECT count(*) FROM river.river_job WHERE kind = 'automate_contacts' AND jsonb_array_length(args->'contact_ids') > 1`).Scan(&jobs))
	require.Positive(t, jobs, "the import's jobs carry many contacts each")
}

// TestSelectedMemberGoneIsFlagged: a "selected member" who loses access to the agent, or leaves
// the workspace (the rule's member becomes NULL), is answered as member_id null with
// member_gone, and the job falls back as the flag says: the workspace owner as primary, no
// secondary.
func TestSelectedMemberGoneIsFlagged(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.configure(t, "chat", map[string]any{"primary": slot("member", "member_id", c.user.UserID), "secondary": slot("none")})
	cfg := c.configure(t, "manual", map[string]any{"primary": slot("creator"), "secondary": slot("member", "member_id", c.admin.UserID)})
	rules := cfg["rules"].([]any)
	slotOf := func(rules []any, i int, name string) map[string]any {
		return rules[i].(map[string]any)[name].(map[string]any)
	}
	require.Equal(t, c.user.UserID.String(), slotOf(rules, 0, "primary")["member_id"])
	require.Equal(t, false, slotOf(rules, 0, "primary")["member_gone"])
	require.Equal(t, false, slotOf(rules, 1, "secondary")["member_gone"])

	// The user loses the agent: still a member of the workspace, no longer one who can own its contacts.
	resp := c.owner.Do("PUT", "/api/v1/members/"+c.user.UserID.String()+"/agents", map[string]any{"agent_ids": []any{}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	rules = c.owner.Do("GET", c.base+"/automations", nil).Map(t)["rules"].([]any)
	require.Nil(t, slotOf(rules, 0, "primary")["member_id"])
	require.Equal(t, true, slotOf(rules, 0, "primary")["member_gone"])
	require.Equal(t, false, slotOf(rules, 1, "secondary")["member_gone"])
	o := c.owners(t, c.create(t, contacts.SourceChat, "fallback@example.com", uuid.Nil))[0]
	require.Equal(t, c.owner.UserID, o.primary.UUID, "the primary falls back to the workspace owner")

	// The admin leaves the workspace: the rule's member is set NULL by the foreign key.
	resp = c.owner.Do("DELETE", "/api/v1/members/"+c.admin.UserID.String(), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM automation_rules WHERE secondary_member_id IS NOT NULL`))
	rules = c.owner.Do("GET", c.base+"/automations", nil).Map(t)["rules"].([]any)
	require.Nil(t, slotOf(rules, 1, "secondary")["member_id"])
	require.Equal(t, true, slotOf(rules, 1, "secondary")["member_gone"])
	require.Equal(t, "member", slotOf(rules, 1, "secondary")["strategy"])
	o = c.owners(t, c.create(t, contacts.SourceManual, "no-second@example.com", c.owner.UserID))[0]
	require.Equal(t, c.owner.UserID, o.primary.UUID)
	require.False(t, o.secondary.Valid, "the secondary stays empty")

	// Choosing again clears the flag.
	cfg = c.configure(t, "chat", map[string]any{"primary": slot("member", "member_id", c.owner.UserID), "secondary": slot("none")})
	require.Equal(t, false, slotOf(cfg["rules"].([]any), 0, "primary")["member_gone"])
}

// TestSimulateStartsAfterTheContactsWaitingForTheirJobs: contacts created whose jobs have not
// run yet step the rotation (and the loads) first, in the order the jobs will take them, so the
// simulation shows what the next contacts will really get.
func TestSimulateStartsAfterTheContactsWaitingForTheirJobs(t *testing.T) {
	t.Parallel()
	c := setup(t)
	pool := []any{c.admin.UserID, c.user.UserID}
	c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", pool), "secondary": slot("none")})
	c.configure(t, "manual", map[string]any{"primary": slot("least_loaded", "pool", pool), "secondary": slot("none")})
	require.NoError(t, c.env.App.StopWorkers()) // the jobs wait

	// Three contacts in chat's rotation (form follows chat) whose jobs wait.
	for i, src := range []contacts.Source{contacts.SourceChat, contacts.SourceForm, contacts.SourceChat} {
		c.create(t, src, fmt.Sprintf("waiting%d@example.com", i), uuid.Nil)
	}
	require.Equal(t, 3, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contacts WHERE automated_at IS NULL`))

	type simulation struct {
		Items []struct {
			Primary *struct{ ID uuid.UUID } `json:"primary_owner"`
		} `json:"items"`
		Pending       int  `json:"pending"`
		PendingCapped bool `json:"pending_capped"`
	}
	simulate := func(method string, n int) (simulation, []uuid.UUID) {
		resp := c.owner.Do("POST", c.base+"/automations/"+method+"/simulate", map[string]int{"count": n})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var sim simulation
		resp.JSON(t, &sim)
		var ids []uuid.UUID
		for _, it := range sim.Items {
			ids = append(ids, it.Primary.ID)
		}
		return sim, ids
	}
	// Chat's rotation has 3 waiting contacts ahead (admin, user, admin): the next is the user's.
	sim, got := simulate("chat", 4)
	require.Equal(t, 3, sim.Pending)
	require.False(t, sim.PendingCapped)
	require.Equal(t, []uuid.UUID{c.user.UserID, c.admin.UserID, c.user.UserID, c.admin.UserID}, got)
	// Least loaded counts them too: the admin will own 2, the user 1, so the next manual contact
	// goes to the user, then (2 each) to the first in the pool.
	_, got = simulate("manual", 2)
	require.Equal(t, []uuid.UUID{c.user.UserID, c.admin.UserID}, got)
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT primary_turn FROM automation_rules WHERE source = 'chat'`), "nothing moved")

	// The jobs run; the next contacts get what the simulation said.
	startWorkers(t, c.env)
	require.Eventually(t, func() bool {
		return c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contacts WHERE automated_at IS NULL`) == 0
	}, 20*time.Second, 20*time.Millisecond)
	next := c.owners(t, c.create(t, contacts.SourceManual, "next-manual@example.com", c.owner.UserID))[0]
	require.Equal(t, c.user.UserID, next.primary.UUID)
	next = c.owners(t, c.create(t, contacts.SourceChat, "next-chat@example.com", uuid.Nil))[0]
	require.Equal(t, c.user.UserID, next.primary.UUID)
	sim, _ = simulate("chat", 1)
	require.Zero(t, sim.Pending)
}

// TestSimulateSaysWhenTooManyContactsAreWaiting: past MaxPending waiting contacts the simulation
// counts the first MaxPending and says so.
func TestSimulateSaysWhenTooManyContactsAreWaiting(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID, c.user.UserID}), "secondary": slot("none")})
	require.NoError(t, c.env.App.StopWorkers())
	// Contacts whose jobs wait, written straight into the table: only their count matters here.
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), `
			INSERT INTO contacts (workspace_id, agent_id, id, email, email_normalized, source)
			SELECT $1, $2, gen_random_uuid(), 'w' || i || '@example.com', 'w' || i || '@example.com', 'chat'
			FROM generate_series(1, $3::int) AS i`, c.owner.WorkspaceID, c.agent, automations.MaxPending+1)
		return err
	})
	resp := c.owner.Do("POST", c.base+"/automations/chat/simulate", map[string]int{"count": 1})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	sim := resp.Map(t)
	require.EqualValues(t, automations.MaxPending, sim["pending"])
	require.Equal(t, true, sim["pending_capped"])
	// MaxPending is even: the rotation of two went round and starts with the first again.
	require.Equal(t, c.admin.UserID.String(), sim["items"].([]any)[0].(map[string]any)["primary_owner"].(map[string]any)["id"])
}

// TestStartingStage: with nothing configured every source starts in the agent's first stage; a
// method that follows "agent captured" starts in chat's stage; a method with a rule of its own
// and no stage starts in the first.
func TestStartingStage(t *testing.T) {
	t.Parallel()
	c := setup(t)
	stages := c.owner.Do("GET", c.base+"/stages", nil).Map(t)["items"].([]any)
	first := uuid.MustParse(stages[0].(map[string]any)["id"].(string))
	customer := uuid.MustParse(stages[2].(map[string]any)["id"].(string))
	all := []contacts.Source{contacts.SourceChat, contacts.SourceManual, contacts.SourceForm, contacts.SourceImport, contacts.SourceAPI}
	n := 0
	stageOf := func(src contacts.Source) uuid.UUID {
		n++
		id := c.create(t, src, fmt.Sprintf("stage%d@example.com", n), c.owner.UserID)
		var stage uuid.UUID
		c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT stage_id FROM contacts WHERE id = $1`, id).Scan(&stage)
		})
		return stage
	}
	for _, src := range all {
		require.Equal(t, first, stageOf(src), "nothing configured: %s starts in the first stage", src)
	}

	c.configure(t, "chat", map[string]any{"primary": slot("workspace_owner"), "secondary": slot("none"), "stage_id": customer})
	for _, src := range all {
		want := customer
		if src == contacts.SourceManual {
			want = first // manual has its own rule, never chat's
		}
		require.Equal(t, want, stageOf(src), "%s", src)
	}

	// API gets a rule of its own without a stage: the first stage again; form still follows chat.
	c.configure(t, "api", map[string]any{"same_as_chat": false, "primary": slot("workspace_owner"), "secondary": slot("none")})
	require.Equal(t, first, stageOf(contacts.SourceAPI))
	require.Equal(t, customer, stageOf(contacts.SourceForm))
	// And the simulation says the same.
	items := c.owner.Do("POST", c.base+"/automations/import/simulate", map[string]int{"count": 1}).Map(t)["items"].([]any)
	require.Equal(t, customer.String(), items[0].(map[string]any)["stage"].(map[string]any)["id"])
}

// TestLeastLoadedCountsTheAgentsActiveContactsOnly: a member's archived contacts and their
// contacts in another agent are no load in this one.
func TestLeastLoadedCountsTheAgentsActiveContactsOnly(t *testing.T) {
	t.Parallel()
	c := setup(t)
	// The admin owns three archived contacts here, and three active ones in another agent.
	c.configure(t, "manual", map[string]any{"primary": slot("member", "member_id", c.admin.UserID), "secondary": slot("none")})
	for i := range 3 {
		id := c.create(t, contacts.SourceManual, fmt.Sprintf("archived%d@example.com", i), c.owner.UserID)
		require.Equal(t, c.admin.UserID, c.owners(t, id)[0].primary.UUID)
		resp := c.owner.Do("POST", c.base+"/contacts/"+id.String()+"/archive", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	}
	resp := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Sales"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	other := c
	other.agent = uuid.MustParse(resp.Map(t)["id"].(string))
	other.base = fmt.Sprintf("/api/v1/agents/%s", other.agent)
	other.configure(t, "manual", map[string]any{"primary": slot("member", "member_id", c.admin.UserID), "secondary": slot("none")})
	for i := range 3 {
		id := other.create(t, contacts.SourceManual, fmt.Sprintf("elsewhere%d@example.com", i), c.owner.UserID)
		require.Equal(t, c.admin.UserID, other.owners(t, id)[0].primary.UUID)
	}
	// The user owns one active contact here.
	c.configure(t, "manual", map[string]any{"primary": slot("member", "member_id", c.user.UserID), "secondary": slot("none")})
	c.owners(t, c.create(t, contacts.SourceManual, "users@example.com", c.owner.UserID))

	c.configure(t, "manual", map[string]any{"primary": slot("least_loaded", "pool", []any{c.user.UserID, c.admin.UserID}), "secondary": slot("none")})
	id := c.create(t, contacts.SourceManual, "next@example.com", c.owner.UserID)
	require.Equal(t, c.admin.UserID, c.owners(t, id)[0].primary.UUID, "the admin owns no active contact of this agent; the user owns one")
}

// TestNoNotificationUnlessAsked: with notify off, the owners get no email; nor for an imported
// contact with notify on (imports follow chat's rule, and a file would mail once per row); the
// contact after them, with notify on, shows the mail goes out (so their absence is not a slow
// job).
func TestNoNotificationUnlessAsked(t *testing.T) {
	t.Parallel()
	c := setup(t)
	owners := map[string]any{"primary": slot("member", "member_id", c.admin.UserID), "secondary": slot("member", "member_id", c.user.UserID)}
	c.configure(t, "chat", owners)
	quiet := c.create(t, contacts.SourceChat, "quiet@example.com", uuid.Nil)
	c.owners(t, quiet)
	owners["notify"] = true
	c.configure(t, "chat", owners)
	imported := c.create(t, contacts.SourceImport, "imported@example.com", uuid.Nil)
	require.Equal(t, c.admin.UserID, c.owners(t, imported)[0].primary.UUID, "the import's contact is assigned all the same")
	loud := c.create(t, contacts.SourceChat, "loud@example.com", uuid.Nil)
	c.env.WaitForMail(t, c.admin.Email, "/contacts/"+loud.String())
	c.env.WaitForMail(t, c.user.Email, "/contacts/"+loud.String())
	mails, err := c.env.App.Mail.(*mail.Outbox).List(1000)
	require.NoError(t, err)
	for _, m := range mails {
		require.NotContains(t, m.Text, quiet.String(), "notify was off for %s: %s", quiet, m.Subject)
		require.NotContains(t, m.Text, imported.String(), "imported contacts are not mailed about: %s", m.Subject)
	}
}

// TestLeftOutOwnersAreKept: the Contact stage tab saves a stage without sending the owners, so
// owners gone stale (a pool down to one member, a selected member who left) neither block the
// stage nor change; owners that are sent are checked as ever, and a kept slot still counts for
// the pair's check.
func TestLeftOutOwnersAreKept(t *testing.T) {
	t.Parallel()
	c := setup(t)
	stages := c.owner.Do("GET", c.base+"/stages", nil).Map(t)["items"].([]any)
	customer := stages[2].(map[string]any)["id"].(string)
	c.configure(t, "chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID, c.user.UserID}),
		"secondary": slot("none"), "notify": true})
	c.configure(t, "manual", map[string]any{"primary": slot("creator"), "secondary": slot("member", "member_id", c.user.UserID)})
	c.owners(t, c.create(t, contacts.SourceChat, "first@example.com", uuid.Nil)) // the admin's turn, used
	// The chat rule's rotation record and pool, as stored.
	stored := func() string {
		var out string
		c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT r.primary_picks::text || ' ' || COALESCE((SELECT string_agg(p.user_id::text, ',' ORDER BY p.position)
				FROM automation_pool p WHERE p.workspace_id = r.workspace_id AND p.agent_id = r.agent_id AND p.source = r.source AND p.slot = 'primary'), '')
				FROM automation_rules r WHERE r.agent_id = $1 AND r.source = 'chat'`, c.agent).Scan(&out)
		})
		return out
	}

	resp := c.owner.Do("DELETE", "/api/v1/members/"+c.user.UserID.String(), nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	rules := c.owner.Do("GET", c.base+"/automations", nil).Map(t)["rules"].([]any)
	chatShown := rules[0].(map[string]any)
	before := stored()
	require.Contains(t, before, c.admin.UserID.String(), "the admin's pick is recorded")
	// What the screen shows, sent back whole, is refused: the pool needs two members.
	resp = c.owner.Do("PUT", c.base+"/automations/chat", map[string]any{"primary": slot("round_robin", "pool", []any{c.admin.UserID}),
		"secondary": slot("none"), "notify": true, "stage_id": customer})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), "primary.pool")

	// The stage alone is saved; the owners and the email stay as they were, flags and all.
	for _, method := range []string{"chat", "manual"} {
		cfg := c.configure(t, method, map[string]any{"stage_id": customer})
		rule := cfg["rules"].([]any)[slices.Index([]string{"chat", "manual"}, method)].(map[string]any)
		require.Equal(t, customer, rule["stage_id"], method)
		was := rules[slices.Index([]string{"chat", "manual"}, method)].(map[string]any)
		for _, k := range []string{"primary", "secondary", "notify", "same_as_chat"} {
			require.Equal(t, was[k], rule[k], "%s %s", method, k)
		}
	}
	require.Equal(t, true, chatShown["primary"].(map[string]any)["pool_too_small"])
	// The rotation's record and the pool are as they were, and the rotation goes on with them.
	require.Equal(t, before, stored())
	o := c.owners(t, c.create(t, contacts.SourceChat, "second@example.com", uuid.Nil))[0]
	require.Equal(t, c.admin.UserID, o.primary.UUID)

	// A kept slot still counts in the pair's check: a secondary sent as the creator again is refused.
	resp = c.owner.Do("PUT", c.base+"/automations/manual", map[string]any{"secondary": slot("creator")})
	require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	require.Contains(t, string(resp.Body), "secondary.strategy")
	// A method that followed chat and stops on the Contact stage tab keeps the owners it had,
	// chat's (the pool's shortage flagged as it is on chat's), not the workspace owner's.
	cfg := c.configure(t, "api", map[string]any{"stage_id": customer})
	api := cfg["rules"].([]any)[4].(map[string]any)
	require.Equal(t, false, api["same_as_chat"])
	require.Equal(t, customer, api["stage_id"])
	require.Equal(t, "round_robin", api["primary"].(map[string]any)["strategy"], "%v", api)
	require.Equal(t, []any{c.admin.UserID.String()}, api["primary"].(map[string]any)["pool"], "%v", api)
	require.Equal(t, true, api["primary"].(map[string]any)["pool_too_small"], "%v", api)
	require.Equal(t, "none", api["secondary"].(map[string]any)["strategy"])
	require.Equal(t, true, api["notify"], "and chat's email")
	// A method with a rule of its own gets that back, not chat's.
	c.configure(t, "form", map[string]any{"same_as_chat": false, "primary": slot("workspace_owner"), "secondary": slot("none"), "notify": false})
	c.configure(t, "form", map[string]any{"same_as_chat": true})
	cfg = c.configure(t, "form", map[string]any{"stage_id": customer})
	form := cfg["rules"].([]any)[2].(map[string]any)
	require.Equal(t, "form", form["source"])
	require.Equal(t, "workspace_owner", form["primary"].(map[string]any)["strategy"], "%v", form)
	require.Equal(t, false, form["notify"])
}
