package automations

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Register mounts an agent's automations: everyone who works in the agent may see them and
// simulate; owners and admins change them.
func Register(r *httpapi.Router, s *Service) {
	h := handlers{s}
	const a = "/agents/:agentId/automations"
	r.Members.GET(a, r.Require(authz.ResourceAutomations, authz.ActionRead), h.get)
	r.Members.PUT(a+"/:method", r.Require(authz.ResourceAutomations, authz.ActionUpdate), h.save)
	r.Members.POST(a+"/:method/simulate", r.Require(authz.ResourceAutomations, authz.ActionRead), h.simulate)
}

type handlers struct{ s *Service }

func (h handlers) get(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId"); ok {
		cfg, err := h.s.Get(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID, id[0])
		httpapi.Reply(c, http.StatusOK, cfg, err)
	}
}

func (h handlers) save(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in RuleInput
	if ok && httpapi.Bind(c, &in) {
		cfg, err := h.s.Save(c.Request.Context(), httpapi.CurrentMember(c).WorkspaceID, id[0], c.Param("method"), in)
		httpapi.Reply(c, http.StatusOK, cfg, err)
	}
}

func (h handlers) simulate(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in struct {
		Count int `json:"count"`
	}
	if ok && httpapi.Bind(c, &in) {
		m := httpapi.CurrentMember(c)
		out, err := h.s.Simulate(c.Request.Context(), m.WorkspaceID, id[0], c.Param("method"), in.Count, m.UserID)
		httpapi.Reply(c, http.StatusOK, out, err)
	}
}
