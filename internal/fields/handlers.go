package fields

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Register mounts the custom field endpoints of an agent.
func Register(r *httpapi.Router, s *Service) {
	h := handlers{s}
	m := r.Members
	const p = "/agents/:agentId/fields"
	m.GET(p, r.Require(authz.ResourceFields, authz.ActionRead), h.list)
	m.POST(p, r.Require(authz.ResourceFields, authz.ActionCreate), h.create)
	m.PUT(p, r.Require(authz.ResourceFields, authz.ActionUpdate), h.reorder)
	m.GET(p+"/:fieldId", r.Require(authz.ResourceFields, authz.ActionRead), h.get)
	m.PATCH(p+"/:fieldId", r.Require(authz.ResourceFields, authz.ActionUpdate), h.update)
	m.DELETE(p+"/:fieldId", r.Require(authz.ResourceFields, authz.ActionDelete), h.delete)
	m.POST(p+"/:fieldId/archive", r.Require(authz.ResourceFields, authz.ActionUpdate), h.archive(true))
	m.POST(p+"/:fieldId/restore", r.Require(authz.ResourceFields, authz.ActionUpdate), h.archive(false))
}

type handlers struct{ s *Service }

func ws(c *gin.Context) uuid.UUID { return httpapi.CurrentMember(c).WorkspaceID }

func (h handlers) list(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	if !ok {
		return
	}
	all := false
	switch c.Query("include_archived") {
	case "", "false":
	case "true":
		all = true
	default:
		httpapi.Fail(c, apperr.Field("include_archived", "must be true or false"))
		return
	}
	fs, err := h.s.List(c.Request.Context(), ws(c), id[0], all)
	httpapi.Reply(c, http.StatusOK, gin.H{"items": fs}, err)
}

func (h handlers) create(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in Input
	if ok && httpapi.Bind(c, &in) {
		f, err := h.s.Create(c.Request.Context(), ws(c), id[0], in)
		httpapi.Reply(c, http.StatusCreated, f, err)
	}
}

func (h handlers) get(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "fieldId"); ok {
		f, err := h.s.Get(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, f, err)
	}
}

func (h handlers) update(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "fieldId")
	var in Input
	if ok && httpapi.Bind(c, &in) {
		f, err := h.s.Update(c.Request.Context(), ws(c), id[0], id[1], in, c.GetHeader("If-Match"))
		httpapi.Reply(c, http.StatusOK, f, err)
	}
}

func (h handlers) archive(archived bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if id, ok := httpapi.PathIDs(c, "agentId", "fieldId"); ok {
			f, err := h.s.SetArchived(c.Request.Context(), ws(c), id[0], id[1], archived)
			httpapi.Reply(c, http.StatusOK, f, err)
		}
	}
}

func (h handlers) reorder(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in struct {
		FieldIDs []uuid.UUID `json:"field_ids"`
	}
	if ok && httpapi.Bind(c, &in) {
		fs, err := h.s.Reorder(c.Request.Context(), ws(c), id[0], in.FieldIDs)
		httpapi.Reply(c, http.StatusOK, gin.H{"items": fs}, err)
	}
}

func (h handlers) delete(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "fieldId"); ok {
		httpapi.Reply(c, http.StatusNoContent, nil, h.s.Delete(c.Request.Context(), ws(c), id[0], id[1], c.Query("confirm")))
	}
}
