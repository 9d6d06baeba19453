package authz

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/policies"
)

const (
	Y = true
	N = false
)

// cells is one resource's answers, in the column order of allActions.
type cells struct {
	read, create, update, delete, readOwn, updateOwn bool
	resource                                         string
}

// allActions is the column order of the tables below, written out here (not
// taken from Actions()) so that the table reads on its own.
var allActions = []string{"read", "create", "update", "delete", "read_own", "update_own"}

func (c cells) want(action string) bool {
	switch action {
	case "read":
		return c.read
	case "create":
		return c.create
	case "update":
		return c.update
	case "delete":
		return c.delete
	case "read_own":
		return c.readOwn
	case "update_own":
		return c.updateOwn
	}
	panic("unknown action " + action)
}

// matrix is the WHOLE expected authorization matrix, written by hand.
// It is deliberately not derived from policies/policy.csv: any policy change
// that grants or removes something must be mirrored here, in review.
var matrix = map[Role][]cells{
	RoleOwner: {
		// read, create, update, delete, read_own, update_own, resource
		{Y, N, Y, Y, N, N, "workspace"},
		{Y, Y, Y, Y, N, N, "members"},
		{Y, Y, Y, Y, N, N, "admins"},
		{Y, Y, Y, Y, N, N, "agents"},
		{Y, Y, Y, Y, N, N, "contacts"},
		{Y, Y, Y, Y, N, N, "contact_notes"},
		{Y, Y, Y, Y, N, N, "contact_files"},
		{Y, N, Y, N, N, N, "contact_stage"},
		{Y, N, Y, N, N, Y, "contact_owner"},
		{Y, Y, Y, Y, N, N, "fields"},
		{Y, Y, Y, Y, N, N, "forms"},
		{Y, Y, Y, Y, N, N, "automations"},
		{Y, Y, Y, Y, N, N, "imports"},
		{Y, Y, Y, Y, N, N, "api_keys"},
		{Y, N, Y, N, N, N, "billing"},
		{Y, N, N, N, Y, N, "audit"},
	},
	RoleAdmin: {
		// read, create, update, delete, read_own, update_own, resource
		{Y, N, N, N, N, N, "workspace"},
		{Y, Y, Y, Y, N, N, "members"},
		{Y, N, N, N, N, N, "admins"},
		{Y, Y, Y, Y, N, N, "agents"},
		{Y, Y, Y, Y, N, N, "contacts"},
		{Y, Y, Y, Y, N, N, "contact_notes"},
		{Y, Y, Y, Y, N, N, "contact_files"},
		{Y, N, Y, N, N, N, "contact_stage"},
		{Y, N, Y, N, N, Y, "contact_owner"},
		{Y, Y, Y, Y, N, N, "fields"},
		{Y, Y, Y, Y, N, N, "forms"},
		{Y, Y, Y, Y, N, N, "automations"},
		{Y, Y, Y, Y, N, N, "imports"},
		{Y, Y, Y, Y, N, N, "api_keys"},
		{N, N, N, N, N, N, "billing"},
		{Y, N, N, N, Y, N, "audit"},
	},
	RoleUser: {
		// read, create, update, delete, read_own, update_own, resource
		{Y, N, N, N, N, N, "workspace"},
		{N, N, N, N, N, N, "members"},
		{N, N, N, N, N, N, "admins"},
		{Y, N, N, N, N, N, "agents"},
		{Y, N, N, N, N, N, "contacts"},
		{Y, Y, Y, Y, N, N, "contact_notes"},
		{Y, Y, N, N, N, N, "contact_files"},
		{Y, N, Y, N, N, N, "contact_stage"},
		{Y, N, N, N, N, Y, "contact_owner"},
		{Y, N, N, N, N, N, "fields"},
		{Y, N, N, N, N, N, "forms"},
		{Y, N, N, N, N, N, "automations"},
		{N, N, N, N, N, N, "imports"},
		{N, N, N, N, N, N, "api_keys"},
		{N, N, N, N, N, N, "billing"},
		{N, N, N, N, Y, N, "audit"},
	},
}

func newEnforcer(t testing.TB) *Enforcer {
	t.Helper()
	e, err := New()
	require.NoError(t, err)
	return e
}

// TestMatrixCoversVocabulary makes sure the table above is the whole matrix:
// a resource or action added to the package must be added to the table.
func TestMatrixCoversVocabulary(t *testing.T) {
	t.Parallel()
	require.ElementsMatch(t, allActions, Actions())
	require.ElementsMatch(t, []Role{RoleOwner, RoleAdmin, RoleUser}, Roles())
	for _, role := range Roles() {
		rows, ok := matrix[role]
		require.True(t, ok, "matrix misses role %s", role)
		var got []string
		for _, r := range rows {
			got = append(got, r.resource)
		}
		require.ElementsMatch(t, Resources(), got, "matrix rows for %s", role)
	}
}

func TestMatrix(t *testing.T) {
	t.Parallel()
	e := newEnforcer(t)
	for role, rows := range matrix {
		for _, row := range rows {
			for _, action := range allActions {
				name := fmt.Sprintf("%s/%s/%s", role, row.resource, action)
				want := row.want(action)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					require.Equal(t, want, e.Allow(role, row.resource, action))
					allowed, rule := e.Explain(role, row.resource, action)
					require.Equal(t, want, allowed)
					if want {
						require.Len(t, rule, 3)
						require.Equal(t, []string{row.resource, action}, rule[1:])
					} else {
						require.Nil(t, rule)
					}
				})
			}
		}
	}
}

// TestMatrixMatchesCasbin checks the precomputed table against live Casbin
// enforcement for every cell of the matrix.
func TestMatrixMatchesCasbin(t *testing.T) {
	t.Parallel()
	e := newEnforcer(t)
	ce, err := newCasbin(policies.Model, policies.Policy)
	require.NoError(t, err)
	for _, role := range Roles() {
		for _, res := range Resources() {
			for _, act := range Actions() {
				want, wantRule, err := ce.EnforceEx(string(role), res, act)
				require.NoError(t, err)
				got, gotRule := e.Explain(role, res, act)
				require.Equal(t, want, got, "%s %s %s", role, res, act)
				if want {
					require.Equal(t, wantRule, gotRule)
				}
			}
		}
	}
}

func TestUnknownDenied(t *testing.T) {
	t.Parallel()
	e := newEnforcer(t)
	for _, role := range []Role{"", "Owner", "OWNER", " owner", "owner ", "superadmin", "root", "*", "member", "visitor"} {
		for _, res := range Resources() {
			for _, act := range Actions() {
				require.False(t, e.Allow(role, res, act), "%q %s %s", role, res, act)
			}
		}
	}
	for _, res := range []string{"", "*", "Contacts", "contact", "notes", "workspaces", "users", "p", "g"} {
		require.False(t, e.Allow(RoleOwner, res, "read"), "resource %q", res)
	}
	for _, act := range []string{"", "*", "Read", "write", "manage", "list", "all", "delete_own"} {
		require.False(t, e.Allow(RoleOwner, "contacts", act), "action %q", act)
	}
	allowed, rule := e.Explain("superadmin", "billing", "read")
	require.False(t, allowed)
	require.Nil(t, rule)
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"owner", "admin", "user"} {
		r, err := ParseRole(s)
		require.NoError(t, err)
		require.Equal(t, Role(s), r)
		require.True(t, r.Valid())
	}
	for _, s := range []string{"", "Owner", " admin", "user\n", "superadmin", "visitor"} {
		r, err := ParseRole(s)
		require.ErrorIs(t, err, ErrUnknownRole, "%q", s)
		require.Equal(t, Role(""), r)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	e := newEnforcer(t)

	allowed, rule := e.Explain(RoleOwner, "billing", "update")
	require.True(t, allowed)
	require.Equal(t, []string{"owner", "billing", "update"}, rule)

	// Inherited: the rule names the role that holds the grant.
	allowed, rule = e.Explain(RoleOwner, "contacts", "read")
	require.True(t, allowed)
	require.Equal(t, []string{"user", "contacts", "read"}, rule)
	allowed, rule = e.Explain(RoleAdmin, "members", "create")
	require.True(t, allowed)
	require.Equal(t, []string{"admin", "members", "create"}, rule)

	allowed, rule = e.Explain(RoleAdmin, "billing", "read")
	require.False(t, allowed)
	require.Nil(t, rule)
	allowed, rule = e.Explain(RoleUser, "audit", "read")
	require.False(t, allowed)
	require.Nil(t, rule)

	// The caller owns the returned slice.
	_, rule = e.Explain(RoleUser, "contacts", "read")
	rule[0] = "owner"
	_, again := e.Explain(RoleUser, "contacts", "read")
	require.Equal(t, []string{"user", "contacts", "read"}, again)
}

func TestPolicySubjectsAreRolesOnly(t *testing.T) {
	t.Parallel()
	p, g, err := parsePolicy(policies.Policy)
	require.NoError(t, err)
	require.NotEmpty(t, p)
	require.ElementsMatch(t, [][]string{{"admin", "user"}, {"owner", "admin"}}, g)
	for _, row := range p {
		require.True(t, Role(row[0]).Valid(), "%v", row)
	}
}

func TestNewRejectsBadPolicy(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ policy, err string }{
		"unknown role":     {"p, guest, contacts, read", "unknown role"},
		"unknown resource": {"p, user, contact, read", "unknown resource"},
		"unknown action":   {"p, user, contacts, write", "unknown action"},
		"duplicate":        {"p, user, contacts, read\np,user,contacts,read", "duplicate"},
		"short p":          {"p, user, contacts", "p row needs"},
		"long p":           {"p, user, contacts, read, allow", "p row needs"},
		"g unknown role":   {"g, alice, admin\np, user, contacts, read", "g row with unknown role"},
		"row type":         {"x, user, contacts, read", "unknown row type"},
		"empty":            {"# only a comment\n", "no p rows"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := newFrom(policies.Model, tc.policy)
			require.Error(t, err)
			require.True(t, strings.Contains(err.Error(), tc.err), "%v", err)
		})
	}
	_, err := newFrom("not a model", policies.Policy)
	require.Error(t, err)
}

func TestConcurrentAllow(t *testing.T) {
	t.Parallel()
	e := newEnforcer(t)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 2000 {
				role := Roles()[(w+i)%3]
				res := resources[i%len(resources)]
				act := actions[(w*7+i)%len(actions)]
				var want bool
				for _, c := range matrix[role] {
					if c.resource == res {
						want = c.want(act)
					}
				}
				if got := e.Allow(role, res, act); got != want {
					t.Errorf("%s %s %s: got %v want %v", role, res, act, got, want)
					return
				}
				if ok, _ := e.Explain(role, res, act); ok != want {
					t.Errorf("explain %s %s %s: got %v want %v", role, res, act, ok, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

var sink bool

// BenchmarkAllow is the per-request cost (precomputed table).
func BenchmarkAllow(b *testing.B) {
	e := newEnforcer(b)
	reqs := []struct {
		role     Role
		res, act string
	}{
		{RoleUser, "contacts", "read"},
		{RoleAdmin, "api_keys", "create"},
		{RoleOwner, "billing", "update"},
		{RoleUser, "billing", "read"}, // deny
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := reqs[i&3]
		sink = e.Allow(r.role, r.res, r.act)
		i++
	}
}

func BenchmarkAllowParallel(b *testing.B) {
	e := newEnforcer(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var s bool
		for pb.Next() {
			s = e.Allow(RoleAdmin, "contacts", "update")
		}
		sink = s
	})
}

// BenchmarkCasbinEnforce is what Allow would cost if it called Casbin on
// every request (the reason New precomputes the table).
func BenchmarkCasbinEnforce(b *testing.B) {
	ce, err := newCasbin(policies.Model, policies.Policy)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		ok, err := ce.Enforce("admin", "api_keys", "create")
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
