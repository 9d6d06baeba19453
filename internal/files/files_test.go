package files_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/files"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// crm is a workspace with an agent and a contact, seen through its owner, storing blobs in dir.
type crm struct {
	env     *apptest.Env
	owner   *apptest.Member
	dir     string // the blob folder
	agent   string
	contact string
	files   string // /api/v1/agents/{agent}/contacts/{contact}/files
}

func setup(t *testing.T, configure ...func(*app.Config)) crm {
	t.Helper()
	dir := t.TempDir()
	env := apptest.Start(t, append([]func(*app.Config){func(c *app.Config) { c.BlobURL = dir }}, configure...)...)
	o := env.SignUp(t)
	agent := o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	resp := o.Do("POST", "/api/v1/agents/"+agent+"/contacts", map[string]string{"email": "files@example.com"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	contact := resp.Map(t)["id"].(string)
	return crm{env: env, owner: o, dir: dir, agent: agent, contact: contact,
		files: "/api/v1/agents/" + agent + "/contacts/" + contact + "/files"}
}

// upload posts content as the multipart field `file`.
func upload(t *testing.T, as *apptest.Client, url, filename, declared string, content []byte) apptest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": filename}))
	if declared != "" {
		h.Set("Content-Type", declared)
	}
	part, err := w.CreatePart(h)
	require.NoError(t, err)
	_, err = part.Write(content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return multipartDo(t, as, url, w.FormDataContentType(), body.Bytes())
}

func multipartDo(t *testing.T, as *apptest.Client, url, contentType string, body []byte) apptest.Response {
	t.Helper()
	c := *as // the same session, with the multipart Content-Type
	c.Header = as.Header.Clone()
	c.Header.Set("Content-Type", contentType)
	return c.Do("POST", url, body)
}

func (c crm) mustUpload(t *testing.T, filename, declared string, content []byte) map[string]any {
	t.Helper()
	resp := upload(t, c.owner.Client, c.files, filename, declared, content)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

// wait polls the list until the file is no longer processing (the job ran), up to 15 s.
func (c crm) wait(t *testing.T, id string) map[string]any {
	t.Helper()
	var found map[string]any
	require.Eventually(t, func() bool {
		for _, it := range c.owner.Do("GET", c.files, nil).Map(t)["items"].([]any) {
			if f := it.(map[string]any); f["id"] == id && f["status"] != files.Processing {
				found = f
				return true
			}
		}
		return false
	}, 15*time.Second, 25*time.Millisecond, "file %s was not processed", id)
	return found
}

// blob is the path of a file's stored bytes.
func (c crm) blob(id string) string {
	return filepath.Join(c.dir, c.owner.WorkspaceID.String(), id)
}

// stored lists every regular file under the blob folder.
func stored(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	}))
	return out
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// elfBytes is the start of a 64-bit little-endian ELF executable (e_type ET_EXEC).
var elfBytes = append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0, 1, 0, 0, 0}, bytes.Repeat([]byte{0x90}, 2000)...)

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestUploadProcessDownload(t *testing.T) {
	t.Parallel()
	c := setup(t)
	pngData := pngBytes(t)
	for _, tc := range []struct {
		name, declared, sniffed string
		content                 []byte
	}{
		{"Photo été.png", "image/png", "image/png", pngData},
		{"contract.pdf", "application/pdf", "application/pdf", pdfBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := c.mustUpload(t, tc.name, tc.declared, tc.content)
			require.Equal(t, files.Processing, f["status"])
			require.Equal(t, tc.name, f["name"])
			require.EqualValues(t, len(tc.content), f["size_bytes"])
			require.Equal(t, tc.declared, f["declared_type"])
			require.Equal(t, "", f["content_type"], "the type is sniffed by the job")
			require.Nil(t, f["sha256"])
			require.Nil(t, f["processed_at"])
			require.Equal(t, c.owner.UserID.String(), f["uploaded_by"])
			require.Equal(t, c.contact, f["contact_id"])
			id := f["id"].(string)
			raw, err := os.ReadFile(c.blob(id))
			require.NoError(t, err, "the blob is stored under <workspace>/<file id>, not the file's name")
			require.Equal(t, tc.content, raw)

			f = c.wait(t, id)
			require.Equal(t, files.Ready, f["status"])
			require.Equal(t, tc.sniffed, f["content_type"])
			require.Equal(t, hexSHA(tc.content), f["sha256"])
			require.Nil(t, f["reject_reason"])
			require.NotNil(t, f["processed_at"])

			resp := c.owner.Do("GET", c.files+"/"+id+"/download", nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			require.Equal(t, tc.content, resp.Body)
			require.Equal(t, tc.sniffed, resp.Header.Get("Content-Type"))
			require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			require.Equal(t, files.Disposition(tc.name), resp.Header.Get("Content-Disposition"))
			_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			require.NoError(t, err)
			require.Equal(t, tc.name, params["filename"], "filename* carries the exact name")
			require.Equal(t, fmt.Sprint(len(tc.content)), resp.Header.Get("Content-Length"))
		})
	}

	// Newest first.
	items := c.owner.Do("GET", c.files, nil).Map(t)["items"].([]any)
	require.Len(t, items, 2)
	require.Equal(t, "contract.pdf", items[0].(map[string]any)["name"])
	require.Equal(t, "Photo été.png", items[1].(map[string]any)["name"])

	t.Run("a type outside the allow-list downloads as octet-stream", func(t *testing.T) {
		html := []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
		f := c.wait(t, c.mustUpload(t, "page.html", "text/html", html)["id"].(string))
		require.Equal(t, files.Ready, f["status"])
		require.Equal(t, "text/html; charset=utf-8", f["content_type"])
		resp := c.owner.Do("GET", c.files+"/"+f["id"].(string)+"/download", nil)
		require.Equal(t, http.StatusOK, resp.Status)
		require.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"))
		require.True(t, strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;"))
		require.Equal(t, html, resp.Body)
	})

	t.Run("every write is audited", func(t *testing.T) {
		ws := c.owner.WorkspaceID
		require.Equal(t, 3, c.env.Count(t, ws, `SELECT count(*) FROM audit_log WHERE resource = 'contact_files' AND action = 'create'`))
		require.Equal(t, 3, c.env.Count(t, ws, `SELECT count(*) FROM audit_log WHERE resource = 'contact_files' AND action = 'update'`))
		require.Equal(t, 6, c.env.Count(t, ws, `SELECT count(*) FROM audit_log WHERE resource = 'contact_files' AND subject_id = $1`, c.contact),
			"file entries belong to the contact's history")
	})
}

// A program or a script is refused at upload (a 400 naming the file field), whatever its name
// and declared type say, and nothing is kept: no row, no bytes.
func TestRejectsExecutablesAndScripts(t *testing.T) {
	t.Parallel()
	c := setup(t)
	for _, tc := range []struct {
		name, declared, reason string
		content                []byte
	}{
		{"report.pdf", "application/pdf", "executable", elfBytes},
		{"notes.txt", "text/plain", "script", []byte("#!/bin/sh\nrm -rf ~\n")},
		{"invoice.pdf", "application/pdf", "executable", append([]byte("MZ\x90\x00\x03"), make([]byte, 500)...)},
		{"run.bat", "text/plain", "executable", []byte("@echo off\r\ndel /q C:\\*\r\n")},
		{"big.pdf", "application/pdf", "executable", append(append([]byte{}, elfBytes...), bytes.Repeat([]byte{0}, 1<<20)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := upload(t, c.owner.Client, c.files, tc.name, tc.declared, tc.content)
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
			require.Equal(t, "invalid", resp.ErrorCode())
			fields := resp.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
			require.Contains(t, fields["file"], tc.reason)
		})
	}
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_files`), "no row")
	require.Empty(t, stored(t, c.dir), "no blob")
}

// The process_file job has the last word on stored bytes: content that turns out to be a
// program when the job reads it (stored by another path, or changed in storage) is rejected
// and deleted, and cannot be downloaded.
func TestJobRejectsStoredPrograms(t *testing.T) {
	t.Parallel()
	c := setup(t)
	f := c.storedProgram(t)
	require.Equal(t, files.Rejected, f["status"])
	require.Contains(t, f["reject_reason"], "executable")
	require.Equal(t, hexSHA(elfBytes), f["sha256"])
	id := f["id"].(string)
	_, err := os.Stat(c.blob(id))
	require.ErrorIs(t, err, os.ErrNotExist, "a rejected file's bytes are deleted")
	resp := c.owner.Do("GET", c.files+"/"+id+"/download", nil)
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Equal(t, "conflict", resp.ErrorCode())
}

// storedProgram is a file the job rejected: a document was uploaded and checked, then its
// stored bytes became a program and the job ran on it again.
func (c crm) storedProgram(t *testing.T) map[string]any {
	t.Helper()
	id := c.mustUpload(t, "report.pdf", "application/pdf", pdfBytes)["id"].(string)
	require.Equal(t, files.Ready, c.wait(t, id)["status"])
	require.NoError(t, os.WriteFile(c.blob(id), elfBytes, 0o600))
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE contact_files SET status = 'processing', processed_at = NULL, sha256 = NULL WHERE id = $1`, id)
		return err
	})
	require.NoError(t, c.env.App.Files.ProcessFile(context.Background(), c.owner.WorkspaceID, uuid.MustParse(id)))
	return c.wait(t, id)
}

func TestOversize(t *testing.T) {
	t.Parallel()
	const max = 64 << 10
	c := setup(t, func(cfg *app.Config) { cfg.FileMaxBytes = max })
	require.EqualValues(t, max, c.owner.Do("GET", c.files, nil).Map(t)["max_bytes"], "the list states the limit")
	for name, size := range map[string]int{
		"one byte over, caught while streaming": max + 1,
		"far over, refused on Content-Length":   4 * max,
		"well over the 1 MiB JSON limit":        2 << 20,
	} {
		t.Run(name, func(t *testing.T) {
			resp := upload(t, c.owner.Client, c.files, "big.bin", "", bytes.Repeat([]byte("x"), size))
			require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status, "%s", resp.Body)
			require.Equal(t, "body_too_large", resp.ErrorCode())
		})
	}
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_files`), "no row")
	require.Empty(t, stored(t, c.dir), "no blob")

	t.Run("exactly the limit is accepted", func(t *testing.T) {
		f := c.wait(t, c.mustUpload(t, "max.txt", "text/plain", bytes.Repeat([]byte("y"), max))["id"].(string))
		require.Equal(t, files.Ready, f["status"])
	})

	t.Run("the default limit lets a file past the 1 MiB body limit", func(t *testing.T) {
		d := setup(t)
		content := bytes.Repeat([]byte("z"), 3<<20)
		f := d.wait(t, d.mustUpload(t, "large.txt", "", content)["id"].(string))
		require.Equal(t, files.Ready, f["status"])
		require.Equal(t, hexSHA(content), f["sha256"])
	})

	t.Run("JSON routes keep the 1 MiB limit for multipart bodies", func(t *testing.T) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		require.NoError(t, w.WriteField("body_html", strings.Repeat("x", 2<<20)))
		require.NoError(t, w.Close())
		resp := multipartDo(t, c.owner.Client, "/api/v1/agents/"+c.agent+"/contacts/"+c.contact+"/notes", w.FormDataContentType(), body.Bytes())
		require.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, resp.Status, "%s", resp.Body)
		require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_notes`))
	})
}

func TestBadUploads(t *testing.T) {
	t.Parallel()
	c := setup(t)
	t.Run("no file field", func(t *testing.T) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		require.NoError(t, w.WriteField("name", "x"))
		require.NoError(t, w.Close())
		resp := multipartDo(t, c.owner.Client, c.files, w.FormDataContentType(), body.Bytes())
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, string(resp.Body), `"file"`)
	})
	t.Run("a field named file that is not a file", func(t *testing.T) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		require.NoError(t, w.WriteField("file", "just text"))
		require.NoError(t, w.Close())
		resp := multipartDo(t, c.owner.Client, c.files, w.FormDataContentType(), body.Bytes())
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	})
	t.Run("not multipart", func(t *testing.T) {
		resp := c.owner.Do("POST", c.files, map[string]string{"file": "x"})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	})
	t.Run("a broken multipart body", func(t *testing.T) {
		resp := multipartDo(t, c.owner.Client, c.files, "multipart/form-data; boundary=xyz", []byte("--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno end"))
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	})
	t.Run("a name over 255 characters", func(t *testing.T) {
		resp := upload(t, c.owner.Client, c.files, strings.Repeat("é", 252)+".txt", "", []byte("x"))
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	})
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_files`))
	require.Empty(t, stored(t, c.dir))

	t.Run("names lose paths, control and bidi characters", func(t *testing.T) {
		f := c.mustUpload(t, `C:\Users\eve\..\evil`+"\u202efdp.txt", "", []byte("hello"))
		require.Equal(t, "evilfdp.txt", f["name"])
		resp := upload(t, c.owner.Client, c.files, "evil\u202egnp.exe", "image/png", []byte("hello"))
		require.Equal(t, http.StatusBadRequest, resp.Status, "a name that only looks like evilexe.png: %s", resp.Body)
		f = c.mustUpload(t, "../../etc/passwd", "", []byte("hello"))
		require.Equal(t, "passwd", f["name"])
		f = c.mustUpload(t, "tab\there.txt", "not a type", []byte("hello"))
		require.Equal(t, "tabhere.txt", f["name"])
		require.Equal(t, "", f["declared_type"], "a malformed declared type is dropped")
	})
}

func TestProcessingTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ctx := context.Background()
	ws := c.owner.WorkspaceID
	ready := c.wait(t, c.mustUpload(t, "a.png", "image/png", pngBytes(t))["id"].(string))
	rejected := c.storedProgram(t)
	audits := c.env.Count(t, ws, `SELECT count(*) FROM audit_log`)
	for _, f := range []map[string]any{ready, rejected} {
		require.NoError(t, c.env.App.Files.ProcessFile(ctx, ws, uuid.MustParse(f["id"].(string))))
	}
	// A file deleted meanwhile, or never there: nothing to do, no retry.
	require.NoError(t, c.env.App.Files.ProcessFile(ctx, ws, uuid.Must(uuid.NewV7())))

	items := c.owner.Do("GET", c.files, nil).Map(t)["items"].([]any)
	require.Equal(t, []any{rejected, ready}, items)
	require.Equal(t, audits, c.env.Count(t, ws, `SELECT count(*) FROM audit_log`))
	raw, err := os.ReadFile(c.blob(ready["id"].(string)))
	require.NoError(t, err)
	require.Equal(t, pngBytes(t), raw)
}

// failingJobs refuses every job, as a database failure inside the upload's transaction would.
type failingJobs struct{}

var errNoJobs = errors.New("no jobs today")

func (failingJobs) InsertTx(context.Context, pgx.Tx, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return nil, errNoJobs
}

func (failingJobs) InsertManyTx(context.Context, pgx.Tx, []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return nil, errNoJobs
}

func TestFailedTransactionLeavesNoBlob(t *testing.T) {
	t.Parallel()
	c := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	svc, err := files.NewService(ctx, c.env.App.Tenants, failingJobs{}, dir, 1<<20)
	require.NoError(t, err)
	defer svc.Close()
	m := &httpapi.Member{UserID: c.owner.UserID, WorkspaceID: c.owner.WorkspaceID, Role: authz.RoleOwner}
	_, err = svc.Upload(ctx, m, uuid.MustParse(c.agent), uuid.MustParse(c.contact), "a.txt", "text/plain", strings.NewReader("hello"))
	require.ErrorIs(t, err, errNoJobs)
	require.Empty(t, stored(t, dir), "the stored bytes are deleted when the transaction fails")
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_files`), "the row rolled back with the job")
}

func TestAccess(t *testing.T) {
	t.Parallel()
	c := setup(t)
	id := c.wait(t, c.mustUpload(t, "a.txt", "text/plain", []byte("hello"))["id"].(string))["id"].(string)
	file := c.files + "/" + id

	t.Run("another workspace sees nothing", func(t *testing.T) {
		out := c.env.SignUp(t)
		require.Equal(t, http.StatusNotFound, out.Do("GET", c.files, nil).Status)
		require.Equal(t, http.StatusNotFound, out.Do("GET", file+"/download", nil).Status)
		require.Equal(t, http.StatusNotFound, out.Do("DELETE", file, nil).Status)
		require.Equal(t, http.StatusNotFound, upload(t, out.Client, c.files, "x.txt", "", []byte("x")).Status)
		// Its own agent, with this workspace's contact and file ids.
		theirs := out.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
		path := "/api/v1/agents/" + theirs + "/contacts/" + c.contact + "/files"
		require.Equal(t, http.StatusNotFound, out.Do("GET", path, nil).Status)
		require.Equal(t, http.StatusNotFound, out.Do("GET", path+"/"+id+"/download", nil).Status)
		require.Equal(t, http.StatusNotFound, upload(t, out.Client, path, "x.txt", "", []byte("x")).Status)
	})

	t.Run("another agent's path", func(t *testing.T) {
		resp := c.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Second agent"})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		path := "/api/v1/agents/" + resp.Map(t)["id"].(string) + "/contacts/" + c.contact + "/files"
		require.Equal(t, http.StatusNotFound, c.owner.Do("GET", path, nil).Status)
		require.Equal(t, http.StatusNotFound, c.owner.Do("GET", path+"/"+id+"/download", nil).Status)
		require.Equal(t, http.StatusNotFound, c.owner.Do("DELETE", path+"/"+id, nil).Status)
		require.Equal(t, http.StatusNotFound, upload(t, c.owner.Client, path, "x.txt", "", []byte("x")).Status)
		// And a file id under another contact.
		other := c.owner.Do("POST", "/api/v1/agents/"+c.agent+"/contacts", map[string]string{"email": "other@example.com"}).Map(t)["id"].(string)
		require.Equal(t, http.StatusNotFound, c.owner.Do("GET", "/api/v1/agents/"+c.agent+"/contacts/"+other+"/files/"+id+"/download", nil).Status)
	})

	t.Run("users: with the agent granted upload and read, without it see nothing; deleting is for admins", func(t *testing.T) {
		granted := c.env.AddMember(t, c.owner, "user")
		notGranted := c.env.AddMember(t, c.owner, "user")
		resp := c.owner.Do("PUT", "/api/v1/members/"+granted.UserID.String()+"/agents", map[string]any{"agent_ids": []string{c.agent}})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

		resp = upload(t, granted.Client, c.files, "by user.txt", "text/plain", []byte("from a user"))
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		require.Equal(t, granted.UserID.String(), resp.Map(t)["uploaded_by"])
		require.Len(t, granted.Do("GET", c.files, nil).Map(t)["items"].([]any), 2)
		dl := granted.Do("GET", file+"/download", nil)
		require.Equal(t, http.StatusOK, dl.Status)
		require.Equal(t, "hello", string(dl.Body))
		require.Equal(t, http.StatusForbidden, granted.Do("DELETE", file, nil).Status)

		require.Equal(t, http.StatusNotFound, upload(t, notGranted.Client, c.files, "x.txt", "", []byte("x")).Status)
		require.Equal(t, http.StatusNotFound, notGranted.Do("GET", c.files, nil).Status)
		require.Equal(t, http.StatusNotFound, notGranted.Do("GET", file+"/download", nil).Status)
	})

	t.Run("an admin deletes: row and blob", func(t *testing.T) {
		admin := c.env.AddMember(t, c.owner, "admin")
		require.FileExists(t, c.blob(id))
		require.Equal(t, http.StatusNoContent, admin.Do("DELETE", file, nil).Status)
		_, err := os.Stat(c.blob(id))
		require.ErrorIs(t, err, os.ErrNotExist)
		require.Equal(t, http.StatusNotFound, admin.Do("GET", file+"/download", nil).Status)
		require.Equal(t, http.StatusNotFound, admin.Do("DELETE", file, nil).Status)
		require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'contact_files' AND action = 'delete' AND resource_id = $1`, id))
	})

	t.Run("signed out", func(t *testing.T) {
		anon := c.env.Client(t)
		require.Equal(t, http.StatusUnauthorized, anon.Do("GET", c.files, nil).Status)
		require.Equal(t, http.StatusUnauthorized, upload(t, anon, c.files, "x.txt", "", []byte("x")).Status)
	})
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	machO := append([]byte{0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00, 0x00, 0x01}, make([]byte, 64)...)
	class := append([]byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34}, make([]byte, 64)...)
	for _, tc := range []struct {
		name    string
		content []byte
		want    string // a prefix of the reason; "" for kept
	}{
		{"a.pdf", elfBytes, "executable"},
		{"a.txt", []byte("MZ\x90\x00"), "executable"},
		{"a.txt", machO, "executable"},
		{"a.txt", class, "executable"},
		{"a.txt", []byte("#!/bin/bash\necho hi\n"), "script"},
		{"a.txt", []byte("#!/usr/bin/env python3\nprint(1)\n"), "script"},
		{"a.txt", []byte("#!/usr/bin/env node\nconsole.log(1)\n"), "script"},
		{"a.txt", []byte("<?php echo 1; ?>"), "script"},
		{"Setup.EXE", []byte("plain text"), "executable"},
		{"script.ps1", []byte("Remove-Item C:\\"), "executable"},
		{"notes.txt", []byte("plain text"), ""},
		{"notes", []byte("#!not a script"), ""},
		{"photo.png", pdfBytes, ""},
	} {
		got := files.Verdict(tc.name, mimetype.Detect(tc.content))
		if tc.want == "" {
			require.Empty(t, got, "%s", tc.name)
		} else {
			require.True(t, strings.HasPrefix(got, tc.want+":"), "%s %q: %q", tc.name, tc.content[:min(len(tc.content), 8)], got)
		}
	}
}

func TestNamesAndTypes(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"report.pdf":             "report.pdf",
		"  spaced  ":             "spaced",
		"a/b/c.txt":              "c.txt",
		`a\b\c.txt`:              "c.txt",
		"..":                     "file",
		"":                       "file",
		"\x00\x01":               "file",
		"inv\u202eoice.pdf":      "invoice.pdf",
		"Überweisung €.pdf":      "Überweisung €.pdf",
		strings.Repeat("a", 255): strings.Repeat("a", 255),
	} {
		got, err := files.CleanName(raw)
		require.NoError(t, err, "%q", raw)
		require.Equal(t, want, got, "%q", raw)
	}
	_, err := files.CleanName(strings.Repeat("a", 256))
	require.Error(t, err)

	require.Equal(t, `attachment; filename="a_b_ _.pdf"; filename*=UTF-8''a%22b%5C%20%C3%A9.pdf`, files.Disposition(`a"b\ é.pdf`))
	require.Equal(t, "image/png", files.ServeType("image/png"))
	require.Equal(t, "text/plain; charset=utf-8", files.ServeType("text/plain; charset=utf-8"))
	for _, unsafe := range []string{"text/html; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "application/zip", ""} {
		require.Equal(t, "application/octet-stream", files.ServeType(unsafe), unsafe)
	}
}

func TestBucketURL(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	require.NoError(t, err)
	local := "file://" + filepath.ToSlash(filepath.Join(wd, "var", "blobs")) + "?create_dir=true&metadata=skip&no_tmp_dir=true"
	for raw, want := range map[string]string{
		"var/blobs":                    local,
		"./var/blobs":                  local,
		"file://var/blobs":             local,
		"file://./var/blobs":           local,
		"/srv/blobs":                   "file:///srv/blobs?create_dir=true&metadata=skip&no_tmp_dir=true",
		"file:///srv/blobs?metadata=":  "file:///srv/blobs?create_dir=true&metadata=&no_tmp_dir=true",
		"s3://bucket?region=eu-west-1": "s3://bucket?region=eu-west-1",
		"s3://bucket?region=us-east-1&endpoint=http://minio:9000": "s3://bucket?region=us-east-1&endpoint=http://minio:9000",
	} {
		got, err := files.BucketURL(raw)
		require.NoError(t, err, raw)
		require.Equal(t, want, got, raw)
	}
	for _, bad := range []string{"", "gs://bucket", "s3://", "ftp://host/x"} {
		_, err := files.BucketURL(bad)
		require.Error(t, err, bad)
	}
}

// Deleting a contact, or the whole workspace, removes the stored contents of its files too
// (a purge_blobs job committed with the deletion); a bystander workspace's contents stay.
func TestDeletingAContactOrTheWorkspacePurgesItsFiles(t *testing.T) {
	t.Parallel()
	c := setup(t)
	first := c.mustUpload(t, "a.png", "image/png", pngBytes(t))
	c.wait(t, first["id"].(string))
	require.FileExists(t, c.blob(first["id"].(string)))

	// The contact: its file's contents go.
	require.Equal(t, http.StatusNoContent, c.owner.Do("DELETE", "/api/v1/agents/"+c.agent+"/contacts/"+c.contact, nil).Status)
	require.Eventually(t, func() bool { _, err := os.Stat(c.blob(first["id"].(string))); return os.IsNotExist(err) },
		15*time.Second, 25*time.Millisecond, "the deleted contact's file is still stored")

	// The workspace: everything of it goes, nothing of anyone else.
	resp := c.owner.Do("POST", "/api/v1/agents/"+c.agent+"/contacts", map[string]string{"email": "second@example.com"})
	require.Equal(t, http.StatusCreated, resp.Status)
	second := c.contact
	c.contact = resp.Map(t)["id"].(string)
	c.files = strings.Replace(c.files, second, c.contact, 1)
	kept := c.mustUpload(t, "b.png", "image/png", pngBytes(t))
	c.wait(t, kept["id"].(string))
	bystander := filepath.Join(c.dir, uuid.NewString(), "untouched")
	require.NoError(t, os.MkdirAll(filepath.Dir(bystander), 0o755))
	require.NoError(t, os.WriteFile(bystander, []byte("another workspace's"), 0o644))

	name := c.owner.Do("GET", "/api/v1/workspace", nil).Map(t)["name"].(string)
	require.Equal(t, http.StatusNoContent, c.owner.Do("DELETE", "/api/v1/workspace", map[string]string{"confirm_name": name}).Status)
	require.Eventually(t, func() bool { _, err := os.Stat(c.blob(kept["id"].(string))); return os.IsNotExist(err) },
		15*time.Second, 25*time.Millisecond, "the deleted workspace's file is still stored")
	require.FileExists(t, bystander)
}
