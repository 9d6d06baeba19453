// Package authz answers "may this team role do this action on this resource?"
// from the Casbin model and policy embedded in package policies.
//
// The role comes from the member's membership row. Workspace isolation is not
// decided here (that is RLS, via tenant.Tx), nor whether a `user` member was
// granted a given agent, nor ownership of individual rows (e.g. "own note"):
// those checks belong to the services.
//
// The policy is static (embedded), so New asks Casbin once for every
// role × resource × action of the vocabulary and keeps the answers, with the
// matched rule, in an immutable table. Allow and Explain are then lock-free
// lookups: safe for concurrent use, allocation-free, and with no error path on
// the request. Anything outside the vocabulary is denied.
package authz

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/guestlist/guestlist/policies"
)

// Role is a team member's role in a workspace.
type Role string

// The three team roles. Exactly one owner per workspace.
const (
	RoleOwner Role = "owner"
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

var roles = []Role{RoleOwner, RoleAdmin, RoleUser}

// ErrUnknownRole is returned by ParseRole for anything but the three roles.
var ErrUnknownRole = errors.New("authz: unknown role")

// ParseRole converts a membership row's role to a Role. It is exact:
// no trimming or case folding.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("%w %q", ErrUnknownRole, s)
}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r.index() >= 0 }

func (r Role) index() int {
	switch r {
	case RoleOwner:
		return 0
	case RoleAdmin:
		return 1
	case RoleUser:
		return 2
	}
	return -1
}

// Roles returns the three roles, most powerful first.
func Roles() []Role { return slices.Clone(roles) }

// Resources, exactly as written in policies/policy.csv.
const (
	ResourceWorkspace    = "workspace"     // the workspace itself: name, deletion, ownership transfer
	ResourceMembers      = "members"       // memberships with role user
	ResourceAdmins       = "admins"        // memberships with role admin
	ResourceAgents       = "agents"        // agents and their settings
	ResourceContacts     = "contacts"      // contact records
	ResourceContactNotes = "contact_notes" // notes on a contact
	ResourceContactFiles = "contact_files" // files on a contact
	ResourceContactStage = "contact_stage" // a contact's pipeline stage
	ResourceContactOwner = "contact_owner" // a contact's primary/secondary owner
	ResourceFields       = "fields"        // custom field definitions
	ResourceForms        = "forms"         // forms
	ResourceAutomations  = "automations"   // contact-creation automations
	ResourceImports      = "imports"       // CSV imports
	ResourceAPIKeys      = "api_keys"      // workspace API keys
	ResourceBilling      = "billing"       // plan, payment, invoices
	ResourceAudit        = "audit"         // audit log
)

// Actions, exactly as written in policies/policy.csv.
const (
	ActionRead   = "read"
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	// ActionReadOwn is for audit: only the member's own entries
	// (ActionRead on audit is the whole log).
	ActionReadOwn = "read_own"
	// ActionUpdateOwn is for contact_owner: assign or unassign oneself
	// (ActionUpdate on contact_owner is assigning anyone).
	ActionUpdateOwn = "update_own"
)

var resources = []string{
	ResourceWorkspace, ResourceMembers, ResourceAdmins, ResourceAgents,
	ResourceContacts, ResourceContactNotes, ResourceContactFiles,
	ResourceContactStage, ResourceContactOwner, ResourceFields, ResourceForms,
	ResourceAutomations, ResourceImports, ResourceAPIKeys, ResourceBilling,
	ResourceAudit,
}

var actions = []string{
	ActionRead, ActionCreate, ActionUpdate, ActionDelete, ActionReadOwn, ActionUpdateOwn,
}

// Resources returns every resource the policy may name.
func Resources() []string { return slices.Clone(resources) }

// Actions returns every action the policy may name.
func Actions() []string { return slices.Clone(actions) }

var (
	resourceIndex = indexOf(resources)
	actionIndex   = indexOf(actions)
)

func indexOf(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

// Enforcer decides role × resource × action. It is immutable after New and
// safe for concurrent use.
type Enforcer struct {
	// rule[role][resource][action] is the matched policy rule, nil for deny.
	rule [3][][][]string
}

// New builds the Enforcer from the embedded policies.
func New() (*Enforcer, error) {
	return newFrom(policies.Model, policies.Policy)
}

func newFrom(modelText, policyText string) (*Enforcer, error) {
	ce, err := newCasbin(modelText, policyText)
	if err != nil {
		return nil, err
	}
	e := &Enforcer{}
	for ri, role := range roles {
		e.rule[ri] = make([][][]string, len(resources))
		for si, res := range resources {
			e.rule[ri][si] = make([][]string, len(actions))
			for ai, act := range actions {
				ok, rule, err := ce.EnforceEx(string(role), res, act)
				if err != nil {
					return nil, fmt.Errorf("authz: enforce %s %s %s: %w", role, res, act, err)
				}
				if ok {
					if len(rule) != 3 {
						return nil, fmt.Errorf("authz: %s %s %s allowed without a matched rule (%q)", role, res, act, rule)
					}
					e.rule[ri][si][ai] = slices.Clip(rule)
				}
			}
		}
	}
	return e, nil
}

// newCasbin loads the model and the policy into a Casbin enforcer, rejecting
// any row that names an unknown role, resource or action, a duplicate row, or
// a malformed one: a typo in policy.csv fails startup instead of silently
// denying (or granting) something.
func newCasbin(modelText, policyText string) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	ce, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	ce.EnableLog(false)

	p, g, err := parsePolicy(policyText)
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, errors.New("authz: policy has no p rows")
	}
	if _, err := ce.AddGroupingPolicies(g); err != nil {
		return nil, fmt.Errorf("authz: grouping policy: %w", err)
	}
	if _, err := ce.AddPolicies(p); err != nil {
		return nil, fmt.Errorf("authz: policy: %w", err)
	}
	return ce, nil
}

func parsePolicy(text string) (p, g [][]string, err error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return p, g, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("authz: policy.csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		key := strings.Join(rec, ",")
		if seen[key] {
			return nil, nil, fmt.Errorf("authz: policy.csv:%d: duplicate row %q", line, key)
		}
		seen[key] = true
		switch rec[0] {
		case "p":
			if len(rec) != 4 {
				return nil, nil, fmt.Errorf("authz: policy.csv:%d: p row needs role, resource, action: %q", line, key)
			}
			if !Role(rec[1]).Valid() {
				return nil, nil, fmt.Errorf("authz: policy.csv:%d: unknown role %q", line, rec[1])
			}
			if _, ok := resourceIndex[rec[2]]; !ok {
				return nil, nil, fmt.Errorf("authz: policy.csv:%d: unknown resource %q", line, rec[2])
			}
			if _, ok := actionIndex[rec[3]]; !ok {
				return nil, nil, fmt.Errorf("authz: policy.csv:%d: unknown action %q", line, rec[3])
			}
			p = append(p, rec[1:])
		case "g":
			if len(rec) != 3 {
				return nil, nil, fmt.Errorf("authz: policy.csv:%d: g row needs role, inherited role: %q", line, key)
			}
			if !Role(rec[1]).Valid() || !Role(rec[2]).Valid() {
				return nil, nil, fmt.Errorf("authz: policy.csv:%d: g row with unknown role: %q", line, key)
			}
			g = append(g, rec[1:])
		default:
			return nil, nil, fmt.Errorf("authz: policy.csv:%d: unknown row type %q", line, rec[0])
		}
	}
}

func (e *Enforcer) lookup(role Role, resource, action string) []string {
	ri := role.index()
	if ri < 0 {
		return nil
	}
	si, ok := resourceIndex[resource]
	if !ok {
		return nil
	}
	ai, ok := actionIndex[action]
	if !ok {
		return nil
	}
	return e.rule[ri][si][ai]
}

// Allow reports whether role may perform action on resource. Unknown roles,
// resources and actions are denied.
func (e *Enforcer) Allow(role Role, resource, action string) bool {
	return e.lookup(role, resource, action) != nil
}

// Explain is Allow plus the policy rule that allowed it, as written in
// policy.csv without the "p" (e.g. ["user", "contacts", "read"] for an owner
// reading contacts, through inheritance). rule is nil when denied: a denial
// is always "no rule grants it". The returned slice is a fresh copy.
func (e *Enforcer) Explain(role Role, resource, action string) (allowed bool, rule []string) {
	r := e.lookup(role, resource, action)
	if r == nil {
		return false, nil
	}
	return true, slices.Clone(r)
}
