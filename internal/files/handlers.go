package files

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// multipartOverhead is what an upload's body may hold beyond the file: the part headers and
// boundaries, and small fields a client adds.
const multipartOverhead = 64 << 10

// uploadTimeout is how long reading one upload may take (the server's ReadTimeout is meant
// for JSON requests): 25 MB at about 350 kbit/s.
const uploadTimeout = 10 * time.Minute

// Register mounts a contact's files.
func Register(r *httpapi.Router, s *Service) {
	h := handlers{s}
	m := r.Members
	const f = "/agents/:agentId/contacts/:contactId/files"
	m.GET(f, r.Require(authz.ResourceContactFiles, authz.ActionRead), h.list)
	m.POST(f, r.Require(authz.ResourceContactFiles, authz.ActionCreate), httpapi.UploadLimit(s.max+multipartOverhead), h.upload)
	m.GET(f+"/:fileId/download", r.Require(authz.ResourceContactFiles, authz.ActionRead), h.download)
	m.DELETE(f+"/:fileId", r.Require(authz.ResourceContactFiles, authz.ActionDelete), h.delete)
}

type handlers struct{ s *Service }

func ws(c *gin.Context) uuid.UUID { return httpapi.CurrentMember(c).WorkspaceID }

func (h handlers) list(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		files, err := h.s.Files(c.Request.Context(), ws(c), id[0], id[1])
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": files, "max_bytes": h.s.MaxBytes()})
	}
}

var errNoFile = apperr.Field("file", "is required: send the file as the multipart/form-data field file")

// upload streams the multipart field `file` to storage, never buffering it whole.
func (h handlers) upload(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId")
	if !ok {
		return
	}
	// A large file on a slow line takes longer than the server's ReadTimeout allows.
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
			continue // other fields are skipped (and count towards the body limit)
		}
		if part.FileName() == "" {
			httpapi.Fail(c, apperr.Field("file", "must be a file (a part with a filename)"))
			return
		}
		f, err := h.s.Upload(c.Request.Context(), httpapi.CurrentMember(c), id[0], id[1], part.FileName(), part.Header.Get("Content-Type"), part)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, f)
		return
	}
}

func (h handlers) download(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId", "fileId")
	if !ok {
		return
	}
	d, err := h.s.Open(c.Request.Context(), ws(c), id[0], id[1], id[2])
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	defer d.Content.Close()
	c.DataFromReader(http.StatusOK, d.Size, ServeType(d.ContentType), d.Content, map[string]string{
		"Content-Disposition":     Disposition(d.Name),
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"Cache-Control":           "private, no-store",
	})
}

func (h handlers) delete(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId", "fileId"); ok {
		if err := h.s.Delete(c.Request.Context(), ws(c), id[0], id[1], id[2]); err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}
