package imports

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/files"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// multipartOverhead is what an upload's body may hold beyond the file.
const multipartOverhead = 64 << 10

// uploadTimeout is how long reading one upload may take: 512 MiB at about 2.5 Mbit/s.
const uploadTimeout = 30 * time.Minute

// Register mounts an agent's imports.
func Register(r *httpapi.Router, s *Service) {
	h := handlers{s}
	m := r.Members
	const p = "/agents/:agentId/imports"
	m.GET(p, r.Require(authz.ResourceImports, authz.ActionRead), h.list)
	m.POST(p, r.Require(authz.ResourceImports, authz.ActionCreate), httpapi.UploadLimit(s.limits.MaxBytes+multipartOverhead), h.upload)
	m.GET(p+"/:importId", r.Require(authz.ResourceImports, authz.ActionRead), h.get)
	m.PUT(p+"/:importId/mapping", r.Require(authz.ResourceImports, authz.ActionUpdate), h.mapping)
	m.POST(p+"/:importId/preview", r.Require(authz.ResourceImports, authz.ActionRead), h.preview)
	m.POST(p+"/:importId/start", r.Require(authz.ResourceImports, authz.ActionUpdate), h.start)
	m.POST(p+"/:importId/cancel", r.Require(authz.ResourceImports, authz.ActionUpdate), h.cancel)
	m.POST(p+"/:importId/undo", r.Require(authz.ResourceImports, authz.ActionDelete), h.undo)
	m.GET(p+"/:importId/errors", r.Require(authz.ResourceImports, authz.ActionRead), h.errors)
	// Whoever reads the contact list may take it away as a file.
	m.GET("/agents/:agentId/contacts/export", r.Require(authz.ResourceContacts, authz.ActionRead), h.export)
}

type handlers struct{ s *Service }

func ws(c *gin.Context) uuid.UUID { return httpapi.CurrentMember(c).WorkspaceID }

func (h handlers) list(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	if !ok {
		return
	}
	p, err := httpapi.ParsePage(c)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	items, more, err := h.s.List(c.Request.Context(), ws(c), id[0], p.After, p.Limit)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	out := gin.H{"items": items, "limits": h.s.limits}
	if more {
		out["next_cursor"] = httpapi.NextCursor(items[len(items)-1].ID)
	}
	c.JSON(http.StatusOK, out)
}

var errNoFile = apperr.Field("file", "is required: send the CSV file as the multipart/form-data field file")

func boolQuery(c *gin.Context, name string) (bool, error) {
	s := c.Query(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, apperr.Field(name, "must be true or false")
	}
	return b, nil
}

// upload streams the multipart field `file` to storage, never buffering it whole.
func (h handlers) upload(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	if !ok {
		return
	}
	opts := UploadOptions{Mode: c.Query("mode")}
	var err error
	if opts.Start, err = boolQuery(c, "start"); err == nil {
		opts.ConfirmReimport, err = boolQuery(c, "confirm_reimport")
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(uploadTimeout))
	mr, err := c.Request.MultipartReader()
	if err != nil {
		httpapi.Fail(c, errNoFile)
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			httpapi.Fail(c, errNoFile)
			return
		}
		if err != nil {
			httpapi.Fail(c, uploadError(err))
			return
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			httpapi.Fail(c, apperr.Field("file", "must be a file (a part with a filename)"))
			return
		}
		imp, err := h.s.Upload(c.Request.Context(), httpapi.CurrentMember(c), id[0], part.FileName(), part, opts)
		httpapi.Reply(c, http.StatusCreated, imp, err)
		return
	}
}

func (h handlers) get(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "importId"); ok {
		imp, err := h.s.Get(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, imp, err)
	}
}

func (h handlers) mapping(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "importId")
	var in struct {
		Mode      string   `json:"mode"`
		Mapping   []string `json:"mapping"`
		HasHeader *bool    `json:"has_header"`
	}
	if ok && httpapi.Bind(c, &in) {
		imp, err := h.s.SetMapping(c.Request.Context(), ws(c), id[0], id[1], MappingChange{Mode: in.Mode, Mapping: in.Mapping, HasHeader: in.HasHeader})
		httpapi.Reply(c, http.StatusOK, imp, err)
	}
}

func (h handlers) preview(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "importId"); ok {
		p, err := h.s.Preview(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, p, err)
	}
}

func (h handlers) start(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "importId")
	var in struct {
		ConfirmReimport bool `json:"confirm_reimport"`
	}
	if ok && httpapi.Bind(c, &in) {
		imp, err := h.s.Start(c.Request.Context(), httpapi.CurrentMember(c), id[0], id[1], in.ConfirmReimport)
		httpapi.Reply(c, http.StatusAccepted, imp, err)
	}
}

func (h handlers) cancel(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "importId"); ok {
		imp, err := h.s.Cancel(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusAccepted, imp, err)
	}
}

func (h handlers) undo(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "importId"); ok {
		imp, err := h.s.Undo(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusAccepted, imp, err)
	}
}

// errors streams the error report; a failure after the first bytes can only cut it short.
func (h handlers) errors(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "importId")
	if !ok {
		return
	}
	imp, err := h.s.Get(c.Request.Context(), ws(c), id[0], id[1])
	if err == nil && imp.FileErasedAt != nil {
		err = errFileErased()
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", files.Disposition("errors-"+imp.FileName))
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if err := h.s.ErrorReport(c.Request.Context(), ws(c), id[0], id[1], c.Writer); err != nil {
		_ = c.Error(err)
	}
}

// export streams the contact list's current view (its filters, sort and custom columns) as CSV.
func (h handlers) export(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	if !ok {
		return
	}
	v := c.Request.URL.Query()
	q, err := contacts.ParseListQuery(v)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	o, err := ParseExportOptions(v)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	started := false
	start := func() {
		started = true
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", files.Disposition("contacts-"+time.Now().UTC().Format("2006-01-02")+".csv"))
		c.Header("Cache-Control", "private, no-store")
		c.Status(http.StatusOK)
	}
	if err := h.s.Export(c.Request.Context(), ws(c), id[0], q, o, start, c.Writer); err != nil {
		if !started {
			httpapi.Fail(c, err)
			return
		}
		_ = c.Error(err) // the file is cut short; the status is already sent
	}
}
