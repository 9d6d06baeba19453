package automations_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
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

// TestJobRunsOnceAfterTheWorkerDied: contacts committed while no worker runs (the one that
// would have worked their jobs died after the commit) are automated when a worker starts, once;
// and running the same job again changes nothing.
func TestJobRunsOnceAfterTheWorkerDied(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	agent := uuid.MustParse(o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string))
	a := env.AddMember(t, o, "admin")
	resp := o.Do("PUT", fmt.Sprintf("/api/v1/agents/%s/automations/chat", agent),
		map[string]any{"primary": slot("round_robin", "pool", []any{o.UserID, a.UserID}), "secondary": slot("none")})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.NoError(t, env.App.StopWorkers()) // the worker is gone

	svc := contacts.NewService(env.App.Tenants, env.App.River)
	var ids []uuid.UUID
	for i := range 4 {
		ct, err := svc.Create(context.Background(), o.WorkspaceID, agent, contacts.Input{Email: httpapi.Some(fmt.Sprintf("late%d@example.com", i))}, contacts.SourceChat, uuid.Nil)
		require.NoError(t, err)
		ids = append(ids, ct.ID)
	}
	require.Equal(t, 4, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM contacts WHERE automated_at IS NULL AND primary_owner_id IS NULL`))

	startWorkers(t, env) // the restarted worker
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

func TestRolledBackContactGetsNoJob(t *testing.T) {
	t.Parallel()
	c := setup(t)
	jobs := func() int {
		var n int
		require.NoError(t, c.env.DB.Owner.QueryRow(context.Background(),
			`SELECT count(*) FROM river.river_job WHERE kind = 'automate_contacts'`).Scan(&n))
		return n
	}
	c.create(t, contacts.SourceManual, "once@example.com", c.owner.UserID)
	before := jobs()
	_, err := c.contacts.Create(context.Background(), c.owner.WorkspaceID, c.agent, contacts.Input{Email: httpapi.Some("ONCE@example.com")}, contacts.SourceManual, c.owner.UserID)
	require.Error(t, err, "a duplicate")
	require.Equal(t, before, jobs(), "the failed create inserted no job")
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
