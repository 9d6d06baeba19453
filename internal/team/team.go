// Package team manages who works in a workspace: members and their roles, the agents a `user`
// works in, invitations, ownership transfer, the workspace's own settings, and the audit log
// screen. The role rules are the Casbin policy's (internal/authz); this package adds the rules
// that depend on the target: an admin manages users, never admins or the owner; nobody changes
// their own role; ownership moves only by transfer to an admin.
package team

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/nyaruka/phonenumbers"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/auth"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// MaxGrants bounds the agents set in one request.
const MaxGrants = 500

// Service holds the team rules.
type Service struct {
	tenants  *tenant.DB
	enforcer *authz.Enforcer
	auth     *auth.Service
	jobs     jobs.Inserter
	baseURL  string
	log      *slog.Logger
}

// NewService returns the team service.
func NewService(tenants *tenant.DB, enforcer *authz.Enforcer, authService *auth.Service, jobs jobs.Inserter, baseURL string, log *slog.Logger) *Service {
	return &Service{tenants: tenants, enforcer: enforcer, auth: authService, jobs: jobs, baseURL: baseURL, log: log}
}

// Member is a member as the API shows it.
type Member struct {
	UserID   uuid.UUID   `json:"user_id"`
	Name     string      `json:"name"`
	Email    string      `json:"email"`
	Role     authz.Role  `json:"role"`
	Since    time.Time   `json:"since"`
	AgentIDs []uuid.UUID `json:"agent_ids"`
}

func memberFrom(userID uuid.UUID, name, email, role string, since time.Time, agents []uuid.UUID) Member {
	if agents == nil {
		agents = []uuid.UUID{}
	}
	return Member{UserID: userID, Name: name, Email: email, Role: authz.Role(role), Since: since, AgentIDs: agents}
}

// Members lists the workspace's members, owner first.
func (s *Service) Members(ctx context.Context, ws uuid.UUID) ([]Member, error) {
	out := []Member{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		rows, err := tx.Q.ListMembers(ctx, ws)
		for _, r := range rows {
			out = append(out, memberFrom(r.UserID, r.Name, r.Email, r.Role, r.CreatedAt, r.AgentIds))
		}
		return err
	})
	return out, err
}

// resourceFor is the policy resource that governs memberships with role r: admins are
// managed under "admins" (owner only), everyone else under "members".
func resourceFor(r authz.Role) string {
	if r == authz.RoleAdmin {
		return authz.ResourceAdmins
	}
	return authz.ResourceMembers
}

// allow checks the actor's role on resource and action; a refusal is audited and forbidden.
func (s *Service) allow(ctx context.Context, actor *httpapi.Member, resource, action, resourceID string) error {
	if s.enforcer.Allow(actor.Role, resource, action) {
		return nil
	}
	if err := audit.RecordDenied(ctx, s.tenants, actor.WorkspaceID, audit.Entry{Action: action, Resource: resource, ResourceID: resourceID}); err != nil {
		return err
	}
	return apperr.New(apperr.Forbidden, "your role (%s) may not %s %s", actor.Role, action, resource)
}

// target loads another member for a change; oneself and unknown members are refused.
func target(ctx context.Context, tx tenant.Tx, actor *httpapi.Member, userID uuid.UUID, what string) (Member, error) {
	if userID == actor.UserID {
		return Member{}, apperr.New(apperr.Forbidden, "you cannot %s yourself", what)
	}
	r, err := tx.Q.GetMemberForUpdate(ctx, db.GetMemberForUpdateParams{WorkspaceID: tx.WorkspaceID, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, apperr.New(apperr.NotFound, "no such member")
	}
	if err != nil {
		return Member{}, err
	}
	m := memberFrom(r.UserID, r.Name, r.Email, r.Role, r.CreatedAt, r.AgentIds)
	if m.Role == authz.RoleOwner {
		return Member{}, apperr.New(apperr.Forbidden, "the owner cannot be changed or removed; the owner may transfer ownership")
	}
	return m, nil
}

// ChangeRole moves a member between admin and user.
func (s *Service) ChangeRole(ctx context.Context, actor *httpapi.Member, userID uuid.UUID, role string) (Member, error) {
	defer s.auth.ForgetSessions() // after the commit: sessions resolve differently now
	newRole, err := authz.ParseRole(role)
	if err != nil || newRole == authz.RoleOwner {
		return Member{}, apperr.Field("role", "must be admin or user (ownership moves by transfer)")
	}
	var out Member
	err = s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		before, err := target(ctx, tx, actor, userID, "change the role of")
		if err != nil {
			return err
		}
		// Both sides count: making someone an admin, or changing an admin, is managing admins.
		for _, r := range []authz.Role{before.Role, newRole} {
			if err := s.allow(ctx, actor, resourceFor(r), authz.ActionUpdate, userID.String()); err != nil {
				return err
			}
		}
		out = before
		if before.Role == newRole {
			return nil
		}
		if err := tx.Q.SetMemberRole(ctx, db.SetMemberRoleParams{WorkspaceID: tx.WorkspaceID, UserID: userID, Role: string(newRole)}); err != nil {
			return err
		}
		if newRole != authz.RoleUser {
			// Grants mean something only for users; an admin works in every agent.
			if err := tx.Q.DeleteMemberGrants(ctx, db.DeleteMemberGrantsParams{WorkspaceID: tx.WorkspaceID, UserID: userID}); err != nil {
				return err
			}
			out.AgentIDs = []uuid.UUID{}
		}
		out.Role = newRole
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "members", ResourceID: userID.String(),
			Before: map[string]any{"role": before.Role}, After: map[string]any{"role": newRole}})
	})
	return out, err
}

// Removed is what removing a member reports.
type Removed struct {
	Member Member `json:"member"`
	// OpenAssignments counts the active contacts the member owned (as primary or secondary);
	// they keep their other owner, or none.
	OpenAssignments int64 `json:"open_assignments"`
}

// Remove takes a member out of the workspace, with their grants.
func (s *Service) Remove(ctx context.Context, actor *httpapi.Member, userID uuid.UUID) (Removed, error) {
	defer s.auth.ForgetSessions() // after the commit: sessions resolve differently now
	var out Removed
	err := s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		m, err := target(ctx, tx, actor, userID, "remove")
		if err != nil {
			return err
		}
		if err := s.allow(ctx, actor, resourceFor(m.Role), authz.ActionDelete, userID.String()); err != nil {
			return err
		}
		if out.OpenAssignments, err = tx.Q.CountOwnedContacts(ctx, db.CountOwnedContactsParams{WorkspaceID: tx.WorkspaceID, PrimaryOwnerID: uuid.NullUUID{UUID: userID, Valid: true}}); err != nil {
			return err
		}
		if err := tx.Q.DeleteMember(ctx, db.DeleteMemberParams{WorkspaceID: tx.WorkspaceID, UserID: userID}); err != nil {
			return err
		}
		out.Member = m
		return audit.Record(ctx, tx, audit.Entry{Action: "delete", Resource: "members", ResourceID: userID.String(), Before: m,
			After: map[string]any{"open_assignments": out.OpenAssignments}})
	})
	return out, err
}

// SetAgents replaces the agents a user works in.
func (s *Service) SetAgents(ctx context.Context, actor *httpapi.Member, userID uuid.UUID, agentIDs []uuid.UUID) (Member, error) {
	defer s.auth.ForgetSessions() // after the commit: sessions resolve differently now
	if len(agentIDs) > MaxGrants {
		return Member{}, apperr.Field("agent_ids", "must list at most 500 agents")
	}
	var out Member
	err := s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		before, err := target(ctx, tx, actor, userID, "change the agents of")
		if err != nil {
			return err
		}
		if before.Role != authz.RoleUser {
			return apperr.Field("agent_ids", "owners and admins work in every agent; grants are for users")
		}
		unique := uniqueIDs(agentIDs)
		n, err := tx.Q.CountAgents(ctx, db.CountAgentsParams{WorkspaceID: tx.WorkspaceID, AgentIds: unique})
		if err != nil {
			return err
		}
		if int(n) != len(unique) {
			return apperr.Field("agent_ids", "names an agent that does not exist")
		}
		if err := tx.Q.DeleteMemberGrants(ctx, db.DeleteMemberGrantsParams{WorkspaceID: tx.WorkspaceID, UserID: userID}); err != nil {
			return err
		}
		if err := tx.Q.GrantAgents(ctx, db.GrantAgentsParams{WorkspaceID: tx.WorkspaceID, UserID: userID, AgentIds: unique}); err != nil {
			return err
		}
		r, err := tx.Q.GetMemberForUpdate(ctx, db.GetMemberForUpdateParams{WorkspaceID: tx.WorkspaceID, UserID: userID})
		if err != nil {
			return err
		}
		out = memberFrom(r.UserID, r.Name, r.Email, r.Role, r.CreatedAt, r.AgentIds)
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "members", ResourceID: userID.String(),
			Before: map[string]any{"agent_ids": before.AgentIDs}, After: map[string]any{"agent_ids": out.AgentIDs}})
	})
	return out, err
}

func uniqueIDs(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	out := []uuid.UUID{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// TransferOwnership makes an admin the owner; the owner becomes an admin.
func (s *Service) TransferOwnership(ctx context.Context, actor *httpapi.Member, userID uuid.UUID) error {
	defer s.auth.ForgetSessions() // after the commit: sessions resolve differently now
	return s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		next, err := target(ctx, tx, actor, userID, "transfer ownership to")
		if err != nil {
			return err
		}
		if next.Role != authz.RoleAdmin {
			return apperr.Field("user_id", "ownership goes to an admin; make them an admin first")
		}
		// Demote first: at most one owner at any moment (memberships_one_owner).
		if err := tx.Q.SetMemberRole(ctx, db.SetMemberRoleParams{WorkspaceID: tx.WorkspaceID, UserID: actor.UserID, Role: string(authz.RoleAdmin)}); err != nil {
			return err
		}
		if err := tx.Q.SetMemberRole(ctx, db.SetMemberRoleParams{WorkspaceID: tx.WorkspaceID, UserID: userID, Role: string(authz.RoleOwner)}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "transfer", Resource: "workspace", ResourceID: tx.WorkspaceID.String(),
			Before: map[string]any{"owner": actor.UserID}, After: map[string]any{"owner": userID}})
	})
}

// Workspace is the workspace as the API shows it.
type Workspace struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	// DefaultCountry is the region phone numbers without a country code are read in.
	DefaultCountry string    `json:"default_country"`
	CreatedAt      time.Time `json:"created_at"`
}

func workspaceFrom(w db.Workspace) Workspace {
	return Workspace{ID: w.ID, Name: w.Name, DefaultCountry: w.DefaultCountry, CreatedAt: w.CreatedAt}
}

// Workspace returns the current workspace.
func (s *Service) Workspace(ctx context.Context, ws uuid.UUID) (Workspace, error) {
	var out Workspace
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		w, err := tx.Q.GetWorkspace(ctx, ws)
		out = workspaceFrom(w)
		return err
	})
	return out, err
}

// Settings changes the workspace's settings; nil fields keep their value.
type Settings struct {
	Name           *string `json:"name"`
	DefaultCountry *string `json:"default_country"`
}

// Update changes the workspace's name and the country phone numbers are read in.
func (s *Service) Update(ctx context.Context, actor *httpapi.Member, in Settings) (Workspace, error) {
	defer s.auth.ForgetSessions() // after the commit: sessions resolve differently now
	var out Workspace
	err := s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		before, err := tx.Q.GetWorkspace(ctx, tx.WorkspaceID)
		if err != nil {
			return err
		}
		name, country := before.Name, before.DefaultCountry
		bad := apperr.Fields{}
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
			if n := utf8.RuneCountInString(name); n < 3 || n > 100 {
				bad.Add("name", "must be 3 to 100 characters")
			}
		}
		if in.DefaultCountry != nil {
			country = strings.ToUpper(strings.TrimSpace(*in.DefaultCountry))
			if !phonenumbers.GetSupportedRegions()[country] {
				bad.Add("default_country", "must be a region code such as US, GB or DE")
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		w, err := tx.Q.UpdateWorkspace(ctx, db.UpdateWorkspaceParams{ID: tx.WorkspaceID, Name: name, DefaultCountry: country})
		if err != nil {
			return err
		}
		out = workspaceFrom(w)
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "workspace", ResourceID: w.ID.String(),
			Before: map[string]any{"name": before.Name, "default_country": before.DefaultCountry},
			After:  map[string]any{"name": w.Name, "default_country": w.DefaultCountry}})
	})
	return out, err
}

// Delete removes the workspace and, by cascade, every row of it. confirmName must repeat the
// workspace's name exactly. Its audit log goes with it, so the deletion is logged to the
// process log instead.
func (s *Service) Delete(ctx context.Context, actor *httpapi.Member, confirmName string) error {
	defer s.auth.ForgetSessions() // after the commit: sessions resolve differently now
	// The cascade locks the workspace's rows table by table, in its own order; a job writing
	// them at the same moment (an automation setting a new contact's owners) may lock them in
	// another, and PostgreSQL then aborts one of the two. The deletion is tried again then.
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		if err = s.delete(ctx, actor.WorkspaceID, confirmName); !isDeadlock(err) {
			break
		}
		s.log.WarnContext(ctx, "deleting the workspace met a deadlock with a concurrent write; trying again",
			"workspace_id", actor.WorkspaceID, "attempt", attempt)
	}
	if err == nil {
		a := audit.ActorFrom(ctx)
		s.log.InfoContext(ctx, "workspace deleted", "workspace_id", actor.WorkspaceID, "actor_user_id", actor.UserID,
			"ip", a.IP, "request_id", a.RequestID)
	}
	return err
}

func isDeadlock(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == pgerrcode.DeadlockDetected
}

// delete is Delete's one transaction.
func (s *Service) delete(ctx context.Context, ws uuid.UUID, confirmName string) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		w, err := tx.Q.GetWorkspace(ctx, tx.WorkspaceID)
		if err != nil {
			return err
		}
		if confirmName != w.Name {
			return apperr.Field("confirm_name", "must be the workspace's exact name")
		}
		if _, err := tx.Q.DeleteWorkspace(ctx, tx.WorkspaceID); err != nil {
			return err
		}
		// The rows go by cascade; the stored file contents go with this job, committed with them.
		_, err = s.jobs.InsertTx(ctx, tx, jobs.PurgeBlobsArgs{WorkspaceID: tx.WorkspaceID, All: true}, nil)
		return err
	})
}
