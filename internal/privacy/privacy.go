// Package privacy holds the data-subject tools of a contact: export everything about one person
// (a ZIP of their record, notes, files, conversations and history) and erase them completely
// (the contacts service reads the export and does the erasing; this package gives it its door
// beside the export).
package privacy

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

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

// export streams the ZIP: contact.json (contacts.Record: everything, read uncapped in one
// transaction), then files/<id>-<name> for every ready file. Everything in contact.json is read
// before the first byte goes out, so a failure still answers in the one error shape.
func (h handlers) export(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "contactId")
	if !ok {
		return
	}
	ctx, m := c.Request.Context(), httpapi.CurrentMember(c)
	agentID, contactID := id[0], id[1]
	rec, err := h.contacts.Export(ctx, m.WorkspaceID, agentID, contactID)
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

func writeZip(c *gin.Context, zw *zip.Writer, rec contacts.Record, fs *files.Service, ws, agentID, contactID uuid.UUID) error {
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
