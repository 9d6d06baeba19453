package agents

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Register mounts the agent endpoints.
func Register(r *httpapi.Router, s *Service) {
	h := handlers{s}
	r.Members.GET("/agents", r.Require(authz.ResourceAgents, authz.ActionRead), h.list)
	r.Members.POST("/agents", r.Require(authz.ResourceAgents, authz.ActionCreate), h.create)
	r.Members.GET("/agents/:agentId", r.Require(authz.ResourceAgents, authz.ActionRead), h.get)
	r.Members.PATCH("/agents/:agentId", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.update)
}

type handlers struct{ s *Service }

type page struct {
	Items      []Agent `json:"items"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

func (h handlers) list(c *gin.Context) {
	p, err := httpapi.ParsePage(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	m := httpapi.CurrentMember(c)
	onlyGranted := uuid.NullUUID{UUID: m.UserID, Valid: m.Role == authz.RoleUser}
	items, more, err := h.s.List(c.Request.Context(), m.WorkspaceID, onlyGranted, p.After, p.Limit)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	out := page{Items: items}
	if more {
		out.NextCursor = httpapi.NextCursor(items[len(items)-1].ID)
	}
	if out.Items == nil {
		out.Items = []Agent{}
	}
	c.JSON(http.StatusOK, out)
}

func (h handlers) create(c *gin.Context) {
	var in Input
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	a, err := h.s.Create(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID, in)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Header("ETag", a.ETag())
	c.JSON(http.StatusCreated, a)
}

func (h handlers) get(c *gin.Context) {
	id, err := httpapi.PathID(c, "agentId")
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	a, err := h.s.Get(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID, id)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Header("ETag", a.ETag())
	c.JSON(http.StatusOK, a)
}

func (h handlers) update(c *gin.Context) {
	id, err := httpapi.PathID(c, "agentId")
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	var in Input
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	a, err := h.s.Update(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID, id, in, c.GetHeader("If-Match"))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Header("ETag", a.ETag())
	c.JSON(http.StatusOK, a)
}
