package contacts

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Register mounts the CRM endpoints of an agent: stages, contacts, notes.
func Register(r *httpapi.Router, s *Service) {
	h := handlers{s}
	m := r.Members
	const a = "/agents/:agentId"
	m.GET(a+"/stages", r.Require(authz.ResourceContacts, authz.ActionRead), h.stages)
	// Shaping the pipeline is configuring the agent.
	m.POST(a+"/stages", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.addStage)
	m.PUT(a+"/stages", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.reorderStages)
	m.PATCH(a+"/stages/:stageId", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.renameStage)
	m.DELETE(a+"/stages/:stageId", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.removeStage)

	// Saved views: anyone who reads the list keeps views of it; sharing them is checked inside.
	m.GET(a+"/views", r.Require(authz.ResourceContacts, authz.ActionRead), h.views)
	m.POST(a+"/views", r.Require(authz.ResourceContacts, authz.ActionRead), h.saveView)
	m.PATCH(a+"/views/:viewId", r.Require(authz.ResourceContacts, authz.ActionRead), h.saveView)
	m.DELETE(a+"/views/:viewId", r.Require(authz.ResourceContacts, authz.ActionRead), h.deleteView)

	m.GET(a+"/contacts", r.Require(authz.ResourceContacts, authz.ActionRead), h.list)
	m.POST(a+"/contacts", r.Require(authz.ResourceContacts, authz.ActionCreate), h.create)
	m.GET(a+"/contacts/similar", r.Require(authz.ResourceContacts, authz.ActionRead), h.similar)
	// Merging and bulk deletes remove contacts: owners and admins.
	m.POST(a+"/contacts/merge", r.Require(authz.ResourceContacts, authz.ActionDelete), h.merge)
	m.POST(a+"/contacts/bulk", r.Require(authz.ResourceContacts, authz.ActionDelete), h.bulk)
	// Privacy tools: owners and admins.
	m.POST(a+"/contacts/:contactId/erase", r.Require(authz.ResourceContacts, authz.ActionDelete), h.erase)
	m.GET(a+"/contacts/:contactId", r.Require(authz.ResourceContacts, authz.ActionRead), h.get)
	m.PATCH(a+"/contacts/:contactId", r.Require(authz.ResourceContacts, authz.ActionUpdate), h.update)
	m.DELETE(a+"/contacts/:contactId", r.Require(authz.ResourceContacts, authz.ActionDelete), h.delete)
	m.POST(a+"/contacts/:contactId/archive", r.Require(authz.ResourceContacts, authz.ActionUpdate), h.status(Archived))
	m.POST(a+"/contacts/:contactId/restore", r.Require(authz.ResourceContacts, authz.ActionUpdate), h.status(Active))
	m.PUT(a+"/contacts/:contactId/stage", r.Require(authz.ResourceContactStage, authz.ActionUpdate), h.moveToStage)
	m.GET(a+"/contacts/:contactId/timeline", r.Require(authz.ResourceContacts, authz.ActionRead), h.timeline)

	m.GET(a+"/contacts/:contactId/notes", r.Require(authz.ResourceContactNotes, authz.ActionRead), h.notes)
	m.POST(a+"/contacts/:contactId/notes", r.Require(authz.ResourceContactNotes, authz.ActionCreate), h.addNote)
	m.PATCH(a+"/contacts/:contactId/notes/:noteId", r.Require(authz.ResourceContactNotes, authz.ActionUpdate), h.editNote)
	m.DELETE(a+"/contacts/:contactId/notes/:noteId", r.Require(authz.ResourceContactNotes, authz.ActionDelete), h.deleteNote)
}

type handlers struct{ s *Service }

func ws(c *gin.Context) uuid.UUID { return httpapi.CurrentMember(c).WorkspaceID }

func (h handlers) stages(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId"); ok {
		st, err := h.s.Stages(c.Request.Context(), ws(c), id[0])
		httpapi.Reply(c, http.StatusOK, gin.H{"items": st}, err)
	}
}

type nameBody struct {
	Name string `json:"name"`
}

func (h handlers) addStage(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in nameBody
	if ok && httpapi.Bind(c, &in) {
		st, err := h.s.AddStage(c.Request.Context(), ws(c), id[0], in.Name)
		httpapi.Reply(c, http.StatusCreated, st, err)
	}
}

func (h handlers) reorderStages(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in struct {
		StageIDs []uuid.UUID `json:"stage_ids"`
	}
	if ok && httpapi.Bind(c, &in) {
		st, err := h.s.ReorderStages(c.Request.Context(), ws(c), id[0], in.StageIDs)
		httpapi.Reply(c, http.StatusOK, gin.H{"items": st}, err)
	}
}

func (h handlers) renameStage(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "stageId")
	var in nameBody
	if ok && httpapi.Bind(c, &in) {
		st, err := h.s.RenameStage(c.Request.Context(), ws(c), id[0], id[1], in.Name)
		httpapi.Reply(c, http.StatusOK, st, err)
	}
}

func (h handlers) removeStage(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "stageId")
	if !ok {
		return
	}
	moveTo, err := uuid.Parse(c.Query("move_to"))
	if err != nil {
		httpapi.Fail(c, apperr.Field("move_to", "is required: the stage its contacts move to"))
		return
	}
	httpapi.Reply(c, http.StatusNoContent, nil, h.s.RemoveStage(c.Request.Context(), ws(c), id[0], id[1], moveTo))
}

// optionalID reads an optional uuid query parameter.
func optionalID(c *gin.Context, name string) (uuid.NullUUID, error) {
	s := c.Query(name)
	if s == "" {
		return uuid.NullUUID{}, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.NullUUID{}, apperr.Field(name, "must be an id")
	}
	return uuid.NullUUID{UUID: id, Valid: true}, nil
}

func (h handlers) list(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	if !ok {
		return
	}
	v := c.Request.URL.Query()
	page, err := ParsePage(v)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	q, err := ParseListQuery(v)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	out, err := h.s.List(c.Request.Context(), ws(c), id[0], q, page)
	httpapi.Reply(c, http.StatusOK, out, err)
}

func validSource(s Source) bool {
	switch s {
	case SourceChat, SourceForm, SourceManual, SourceImport, SourceAPI:
		return true
	}
	return false
}

func (h handlers) create(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in Input
	if ok && httpapi.Bind(c, &in) {
		// A member adding a contact through the app is a manual creation; API keys (source api)
		// arrive with their issue.
		ct, err := h.s.Create(c.Request.Context(), ws(c), id[0], in, SourceManual, httpapi.CurrentMember(c).UserID)
		httpapi.Reply(c, http.StatusCreated, ct, err)
	}
}

func (h handlers) similar(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	if !ok {
		return
	}
	exclude, err := optionalID(c, "exclude")
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	sim, err := h.s.Similar(c.Request.Context(), ws(c), id[0], c.Query("name"), c.Query("email"), c.Query("phone"), exclude.UUID)
	httpapi.Reply(c, http.StatusOK, gin.H{"items": sim}, err)
}

func (h handlers) get(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		ct, err := h.s.Get(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, ct, err)
	}
}

func (h handlers) update(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId")
	var in Input
	if ok && httpapi.Bind(c, &in) {
		ct, err := h.s.Update(c.Request.Context(), ws(c), id[0], id[1], in, c.GetHeader("If-Match"))
		httpapi.Reply(c, http.StatusOK, ct, err)
	}
}

func (h handlers) delete(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		httpapi.Reply(c, http.StatusNoContent, nil, h.s.Delete(c.Request.Context(), ws(c), id[0], id[1]))
	}
}

func (h handlers) status(status string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
			ct, err := h.s.SetStatus(c.Request.Context(), ws(c), id[0], id[1], status)
			httpapi.Reply(c, http.StatusOK, ct, err)
		}
	}
}

func (h handlers) moveToStage(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId")
	var in struct {
		StageID uuid.UUID `json:"stage_id"`
	}
	if ok && httpapi.Bind(c, &in) {
		ct, err := h.s.MoveToStage(c.Request.Context(), ws(c), id[0], id[1], in.StageID, c.GetHeader("If-Match"))
		httpapi.Reply(c, http.StatusOK, ct, err)
	}
}

func (h handlers) merge(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in struct {
		SurvivorID uuid.UUID `json:"survivor_id"`
		MergedID   uuid.UUID `json:"merged_id"`
		Take       []string  `json:"take"`
	}
	if ok && httpapi.Bind(c, &in) {
		ct, err := h.s.Merge(c.Request.Context(), ws(c), id[0], in.SurvivorID, in.MergedID, in.Take)
		httpapi.Reply(c, http.StatusOK, ct, err)
	}
}

func (h handlers) bulk(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in BulkInput
	if ok && httpapi.Bind(c, &in) {
		n, err := h.s.Bulk(c.Request.Context(), ws(c), id[0], in)
		httpapi.Reply(c, http.StatusOK, gin.H{"done": n}, err)
	}
}

func (h handlers) erase(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		httpapi.Reply(c, http.StatusNoContent, nil, h.s.Erase(c.Request.Context(), ws(c), id[0], id[1]))
	}
}

func (h handlers) views(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId"); ok {
		v, err := h.s.Views(c.Request.Context(), httpapi.CurrentMember(c), id[0])
		httpapi.Reply(c, http.StatusOK, gin.H{"items": v}, err)
	}
}

// saveView creates a view (POST) or changes one (PATCH, with a :viewId).
func (h handlers) saveView(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	view := uuid.Nil
	if ok && c.Param("viewId") != "" {
		var v []uuid.UUID
		if v, ok = httpapi.PathIDs(c, "viewId"); ok {
			view = v[0]
		}
	}
	var in ViewInput
	if ok && httpapi.Bind(c, &in) {
		v, err := h.s.SaveView(c.Request.Context(), httpapi.CurrentMember(c), id[0], view, in)
		httpapi.Reply(c, map[bool]int{true: http.StatusCreated, false: http.StatusOK}[view == uuid.Nil], v, err)
	}
}

func (h handlers) deleteView(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "viewId"); ok {
		httpapi.Reply(c, http.StatusNoContent, nil, h.s.DeleteView(c.Request.Context(), httpapi.CurrentMember(c), id[0], id[1]))
	}
}

func (h handlers) timeline(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		entries, err := h.s.Timeline(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, gin.H{"items": entries}, err)
	}
}

func (h handlers) notes(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		n, err := h.s.Notes(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, gin.H{"items": n}, err)
	}
}

type noteBodyIn struct {
	BodyHTML string `json:"body_html"`
}

func (h handlers) addNote(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId")
	var in noteBodyIn
	if ok && httpapi.Bind(c, &in) {
		n, err := h.s.AddNote(c.Request.Context(), httpapi.CurrentMember(c), id[0], id[1], in.BodyHTML)
		httpapi.Reply(c, http.StatusCreated, n, err)
	}
}

func (h handlers) editNote(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId", "noteId")
	var in noteBodyIn
	if ok && httpapi.Bind(c, &in) {
		n, err := h.s.EditNote(c.Request.Context(), httpapi.CurrentMember(c), id[0], id[1], id[2], in.BodyHTML)
		httpapi.Reply(c, http.StatusOK, n, err)
	}
}

func (h handlers) deleteNote(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId", "noteId"); ok {
		httpapi.Reply(c, http.StatusNoContent, nil, h.s.DeleteNote(c.Request.Context(), httpapi.CurrentMember(c), id[0], id[1], id[2]))
	}
}
