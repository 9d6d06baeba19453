package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/tenant"
)

// Member is the signed-in person of a request, in their current workspace.
type Member struct {
	UserID      uuid.UUID
	Email       string
	Name        string
	WorkspaceID uuid.UUID
	Role        authz.Role
	// SessionHash identifies the session (sign-out, workspace switch).
	SessionHash []byte
	// AgentVisible says, on a route with an :agentId, whether that agent is the workspace's and,
	// for role user, granted to them.
	AgentVisible bool
}

// Authenticator resolves a request's credentials to a member in one transaction, which also
// answers whether the route's agent (agentID, uuid.Nil for none) is visible to them. It answers
// an *apperr.Error with code Unauthenticated when there is no valid session.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request, agentID uuid.UUID) (*Member, error)
}

const memberKey = "member"

// CurrentMember is the signed-in member; only call it from handlers under Router.Members.
func CurrentMember(c *gin.Context) *Member { return c.MustGet(memberKey).(*Member) }

func memberOrNil(c *gin.Context) *Member {
	m, _ := c.Get(memberKey)
	mem, _ := m.(*Member)
	return mem
}

// Router is what capabilities register on: Public for the doors anyone may knock on, Members
// for signed-in members. Every Members route that touches workspace data names its permission
// with Require; only the member's own session endpoints (/me) go without.
type Router struct {
	Public  gin.IRouter
	Members gin.IRouter

	enforcer *authz.Enforcer
	tenants  *tenant.DB
}

// NewRouter mounts the API groups under /api/v1 of engine.
func NewRouter(engine *gin.Engine, auth Authenticator, enforcer *authz.Enforcer, tenants *tenant.DB) *Router {
	api := engine.Group("/api/v1", SameOrigin())
	members := api.Group("", authenticate(auth))
	return &Router{Public: api, Members: members, enforcer: enforcer, tenants: tenants}
}

func authenticate(auth Authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		// A malformed agent id is simply not visible.
		agent, _ := uuid.Parse(c.Param("agentId"))
		m, err := auth.Authenticate(c.Request.Context(), c.Request, agent)
		if err != nil {
			Fail(c, err)
			return
		}
		c.Set(memberKey, m)
		a := audit.ActorFrom(c.Request.Context())
		a.UserID = m.UserID
		c.Request = c.Request.WithContext(audit.WithActor(c.Request.Context(), a))
		c.Next()
	}
}

// Require lets the request through only when the member's role may do action on resource
// (policies/). A refusal answers 403 and leaves a denied entry in the audit log. On routes
// with an :agentId the agent must be the workspace's, and a member with role user needs a
// grant of it (else 404).
func (r *Router) Require(resource, action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		m := CurrentMember(c)
		if m.WorkspaceID == uuid.Nil {
			Fail(c, apperr.New(apperr.Forbidden, "you belong to no workspace yet; create one"))
			return
		}
		ctx := c.Request.Context()
		if !r.enforcer.Allow(m.Role, resource, action) {
			if err := audit.RecordDenied(ctx, r.tenants, m.WorkspaceID, audit.Entry{
				Action: action, Resource: resource, ResourceID: c.Param("agentId"),
			}); err != nil {
				Fail(c, err)
				return
			}
			Fail(c, apperr.New(apperr.Forbidden, "your role (%s) may not %s %s", m.Role, action, resource))
			return
		}
		// Everything under an agent needs the agent to be the workspace's; a user also needs it
		// granted. Otherwise, to them, the agent does not exist.
		if c.Param("agentId") != "" && !m.AgentVisible {
			Fail(c, apperr.New(apperr.NotFound, "no such agent"))
			return
		}
		c.Next()
	}
}
