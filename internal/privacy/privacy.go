// Package privacy holds the data-subject tools of a contact: export everything about one person
// (a ZIP of their record, notes, files and history) and erase them completely (the contacts
// service does the erasing; this package gives it its door beside the export).
package privacy

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/files"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Register mounts the export (erase is mounted by internal/contacts).
func Register(r *httpapi.Router, c *contacts.Service, f *files.Service) {
	h := handlers{contacts: c, files: f}
	r.Members.GET("/agents/:agentId/contacts/:contactId/export", r.Require(authz.ResourceContacts, authz.ActionDelete), h.export)
}

type handlers struct {
	contacts *contacts.Service
	files    *files.Service
}

// record is contact.json: everything Guestlist holds about the person.
type record struct {
	ExportedAt time.Time        `json:"exported_at"`
	Contact    contacts.Contact `json:"contact"`
	Notes      []contacts.Note  `json:"notes"`
	Files      []files.File     `json:"files"`
	History    []audit.Logged   `json:"history"`
}

// export streams the ZIP: contact.json, then files/<id>-<name> for every ready file. Everything
// is read before the first byte goes out, so a failure still answers in the one error shape.
func (h handlers) export(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId")
	if !ok {
		return
	}
	ctx, m := c.Request.Context(), httpapi.CurrentMember(c)
	agentID, contactID := id[0], id[1]
	rec := record{ExportedAt: time.Now().UTC()}
	var err error
	if rec.Contact, err = h.contacts.Get(ctx, m.WorkspaceID, agentID, contactID); err == nil {
		if rec.Notes, err = h.contacts.Notes(ctx, m.WorkspaceID, agentID, contactID); err == nil {
			if rec.Files, err = h.files.Files(ctx, m.WorkspaceID, agentID, contactID); err == nil {
				rec.History, err = h.contacts.Timeline(ctx, m.WorkspaceID, agentID, contactID)
			}
		}
	}
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	c.Header("Content-Type", "application/zip")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="contact-%s.zip"`, contactID))
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	zw := zip.NewWriter(c.Writer)
	if err := writeZip(c, zw, rec, h.files, m.WorkspaceID, agentID, contactID); err != nil {
		// The answer has started: cut it short (the archive is then unreadable) and log why.
		_ = c.Error(err)
		return
	}
	_ = zw.Close()
}

func writeZip(c *gin.Context, zw *zip.Writer, rec record, fs *files.Service, ws, agentID, contactID uuid.UUID) error {
	w, err := zw.Create("contact.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rec); err != nil {
		return err
	}
	for _, f := range rec.Files {
		if f.Status != files.Ready {
			continue
		}
		d, err := fs.Open(c.Request.Context(), ws, agentID, contactID, f.ID)
		if err != nil {
			return err
		}
		w, err := zw.Create(path.Join("files", f.ID.String()+"-"+path.Base(f.Name)))
		if err == nil {
			_, err = io.Copy(w, d.Content)
		}
		d.Content.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
