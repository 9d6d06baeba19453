package team

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/auth"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Rates of the invitation link door, per process and IP: lookups and acceptances share it.
const (
	InvitationLinkEvery = 3 * time.Second // 20 a minute, after a burst of 20
	InvitationLinkBurst = 20
)

// Register mounts the team, workspace, invitation and audit log endpoints.
func Register(r *httpapi.Router, s *Service) {
	h := handlers{s: s, links: httpapi.NewKeyedLimiter(InvitationLinkEvery, InvitationLinkBurst)}
	m := r.Members
	m.GET("/workspace", r.Require(authz.ResourceWorkspace, authz.ActionRead), h.workspace)
	m.PATCH("/workspace", r.Require(authz.ResourceWorkspace, authz.ActionUpdate), h.update)
	m.DELETE("/workspace", r.Require(authz.ResourceWorkspace, authz.ActionDelete), h.deleteWorkspace)
	m.POST("/workspace/transfer", r.Require(authz.ResourceWorkspace, authz.ActionUpdate), h.transfer)

	m.GET("/members", r.Require(authz.ResourceMembers, authz.ActionRead), h.members)
	// The service also checks the target: managing an admin needs the admins permission.
	m.PATCH("/members/:userId", r.Require(authz.ResourceMembers, authz.ActionUpdate), h.changeRole)
	m.DELETE("/members/:userId", r.Require(authz.ResourceMembers, authz.ActionDelete), h.remove)
	m.PUT("/members/:userId/agents", r.Require(authz.ResourceMembers, authz.ActionUpdate), h.setAgents)

	m.GET("/invitations", r.Require(authz.ResourceMembers, authz.ActionRead), h.invitations)
	m.POST("/invitations", r.Require(authz.ResourceMembers, authz.ActionCreate), h.invite)
	m.DELETE("/invitations/:invitationId", r.Require(authz.ResourceMembers, authz.ActionDelete), h.revoke)
	m.POST("/invitations/:invitationId/resend", r.Require(authz.ResourceMembers, authz.ActionUpdate), h.resend)
	r.Public.POST("/invitations/lookup", h.lookup)
	r.Public.POST("/invitations/accept", h.accept)

	// Everyone may read the audit log; the service narrows users to their own entries.
	m.GET("/audit", r.Require(authz.ResourceAudit, authz.ActionReadOwn), h.auditLog)
	m.GET("/audit/export", r.Require(authz.ResourceAudit, authz.ActionReadOwn), h.exportAuditLog)
}

type handlers struct {
	s     *Service
	links *httpapi.KeyedLimiter
}

func items[T any](v []T) gin.H { return gin.H{"items": v} }

func (h handlers) workspace(c *gin.Context) {
	w, err := h.s.Workspace(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID)
	httpapi.Reply(c, http.StatusOK, w, err)
}

func (h handlers) update(c *gin.Context) {
	var in Settings
	if httpapi.Bind(c, &in) {
		w, err := h.s.Update(c.Request.Context(), httpapi.CurrentMember(c), in)
		httpapi.Reply(c, http.StatusOK, w, err)
	}
}

func (h handlers) deleteWorkspace(c *gin.Context) {
	var in struct {
		ConfirmName string `json:"confirm_name"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	httpapi.Reply(c, http.StatusNoContent, nil, h.s.Delete(c.Request.Context(), httpapi.CurrentMember(c), in.ConfirmName))
}

// parseUserID reads a member id: from a body field (a bad one is invalid) or, with field "",
// from the path (a bad one is not found, like an unknown one).
func parseUserID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		if field == "" {
			return uuid.Nil, apperr.New(apperr.NotFound, "no such member")
		}
		return uuid.Nil, apperr.Field(field, "must be a member's id")
	}
	return id, nil
}

func (h handlers) transfer(c *gin.Context) {
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	id, err := parseUserID("user_id", in.UserID)
	if err == nil {
		err = h.s.TransferOwnership(c.Request.Context(), httpapi.CurrentMember(c), id)
	}
	httpapi.Reply(c, http.StatusNoContent, nil, err)
}

func (h handlers) members(c *gin.Context) {
	ms, err := h.s.Members(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID)
	httpapi.Reply(c, http.StatusOK, items(ms), err)
}

func (h handlers) changeRole(c *gin.Context) {
	id, err := parseUserID("", c.Param("userId"))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	m, err := h.s.ChangeRole(c.Request.Context(), httpapi.CurrentMember(c), id, in.Role)
	httpapi.Reply(c, http.StatusOK, m, err)
}

func (h handlers) remove(c *gin.Context) {
	id, err := parseUserID("", c.Param("userId"))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	removed, err := h.s.Remove(c.Request.Context(), httpapi.CurrentMember(c), id)
	httpapi.Reply(c, http.StatusOK, removed, err)
}

func (h handlers) setAgents(c *gin.Context) {
	id, err := parseUserID("", c.Param("userId"))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	var in struct {
		AgentIDs []uuid.UUID `json:"agent_ids"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	if in.AgentIDs == nil {
		httpapi.Fail(c, apperr.Field("agent_ids", "is required (an empty list removes every grant)"))
		return
	}
	m, err := h.s.SetAgents(c.Request.Context(), httpapi.CurrentMember(c), id, in.AgentIDs)
	httpapi.Reply(c, http.StatusOK, m, err)
}

func (h handlers) invitations(c *gin.Context) {
	inv, err := h.s.Invitations(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID)
	httpapi.Reply(c, http.StatusOK, items(inv), err)
}

func (h handlers) invite(c *gin.Context) {
	var in struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	inv, err := h.s.Invite(c.Request.Context(), httpapi.CurrentMember(c), in.Email, in.Role)
	httpapi.Reply(c, http.StatusCreated, inv, err)
}

func (h handlers) invitationID(c *gin.Context) (uuid.UUID, bool) {
	id, err := httpapi.PathID(c, "invitationId")
	if err != nil {
		httpapi.Fail(c, err)
	}
	return id, err == nil
}

func (h handlers) revoke(c *gin.Context) {
	if id, ok := h.invitationID(c); ok {
		inv, err := h.s.Revoke(c.Request.Context(), httpapi.CurrentMember(c), id)
		httpapi.Reply(c, http.StatusOK, inv, err)
	}
}

func (h handlers) resend(c *gin.Context) {
	if id, ok := h.invitationID(c); ok {
		inv, err := h.s.Resend(c.Request.Context(), httpapi.CurrentMember(c), id)
		httpapi.Reply(c, http.StatusOK, inv, err)
	}
}

func (h handlers) lookup(c *gin.Context) {
	if auth.Limited(c, h.links, c.ClientIP()) {
		return
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	p, err := h.s.Lookup(c.Request.Context(), in.Token)
	httpapi.Reply(c, http.StatusOK, p, err)
}

func (h handlers) accept(c *gin.Context) {
	if auth.Limited(c, h.links, c.ClientIP()) {
		return
	}
	var in struct {
		Token    string `json:"token"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	token, err := h.s.Accept(c.Request.Context(), in.Token, in.Name, in.Password, auth.ClientOf(c))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.s.auth.Respond(c, token, http.StatusOK)
}

func (h handlers) auditLog(c *gin.Context) {
	p, err := httpapi.ParsePage(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	f, err := ParseAuditFilter(c.Request.URL.Query())
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	entries, more, err := h.s.AuditLog(c.Request.Context(), httpapi.CurrentMember(c), f, p.After, p.Limit)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	out := gin.H{"items": entries}
	if more {
		out["next_cursor"] = httpapi.NextCursor(entries[len(entries)-1].ID)
	}
	c.JSON(http.StatusOK, out)
}

func (h handlers) exportAuditLog(c *gin.Context) {
	f, err := ParseAuditFilter(c.Request.URL.Query())
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="audit-log-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	if err := h.s.ExportAuditLog(c.Request.Context(), httpapi.CurrentMember(c), f, c.Writer); err != nil {
		if !c.Writer.Written() {
			httpapi.Fail(c, err)
			return
		}
		// Rows are out already: all that is left is to cut the file short and log why.
		slog.ErrorContext(c.Request.Context(), "audit export cut short", "err", err, "request_id", httpapi.RequestID(c))
	}
}
