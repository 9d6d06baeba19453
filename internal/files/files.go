// Package files keeps the files attached to a contact. The bytes go to blob storage (a local
// folder by default, S3-compatible storage in production) under <workspace_id>/<file id>, never
// under the uploader's file name; a contact_files row describes them. An upload whose first bytes
// or name show a program or a script is refused outright; any other is stored as processing; the
// process_file job sniffs the real type from the content, computes the SHA-256
// and marks the file ready, or rejected when it is an executable or a script (check.go). Only a
// ready file can be downloaded, always as an attachment.
package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// URLs: a local folder
	_ "gocloud.dev/blob/s3blob"   // s3:// URLs: S3 and S3-compatible storage
	"gocloud.dev/gcerrors"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// Statuses of a file.
const (
	Processing = "processing"
	Ready      = "ready"
	Rejected   = "rejected"
)

// MaxNameLength bounds a file's name, in characters.
const MaxNameLength = 255

// File is a contact's file as the API shows it.
type File struct {
	ID        uuid.UUID `json:"id"`
	ContactID uuid.UUID `json:"contact_id"`
	Name      string    `json:"name"`
	SizeBytes int64     `json:"size_bytes"`
	// ContentType is sniffed from the content by the job ("" while processing); DeclaredType is
	// what the uploader's client claimed, for information only.
	ContentType  string     `json:"content_type"`
	DeclaredType string     `json:"declared_type"`
	SHA256       *string    `json:"sha256"`
	Status       string     `json:"status"`
	RejectReason *string    `json:"reject_reason"`
	UploadedBy   *uuid.UUID `json:"uploaded_by"`
	CreatedAt    time.Time  `json:"created_at"`
	ProcessedAt  *time.Time `json:"processed_at"`
}

func fromRow(f db.ContactFile) File {
	out := File{ID: f.ID, ContactID: f.ContactID, Name: f.Name, SizeBytes: f.SizeBytes, ContentType: f.ContentType,
		DeclaredType: f.DeclaredType, SHA256: f.Sha256, Status: f.Status, RejectReason: f.RejectReason,
		CreatedAt: f.CreatedAt, ProcessedAt: f.ProcessedAt}
	if f.UploadedBy.Valid {
		out.UploadedBy = &f.UploadedBy.UUID
	}
	return out
}

// Service is the files capability.
type Service struct {
	tenants *tenant.DB
	jobs    jobs.Inserter
	bucket  *blob.Bucket
	max     int64
}

// NewService opens the blob storage at blobURL (see BucketURL). Files are limited to maxBytes.
func NewService(ctx context.Context, tenants *tenant.DB, jobs jobs.Inserter, blobURL string, maxBytes int64) (*Service, error) {
	u, err := BucketURL(blobURL)
	if err != nil {
		return nil, err
	}
	bucket, err := blob.OpenBucket(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("GUESTLIST_BLOB_URL: %w", err)
	}
	return &Service{tenants: tenants, jobs: jobs, bucket: bucket, max: maxBytes}, nil
}

// Close releases the blob storage.
func (s *Service) Close() error { return s.bucket.Close() }

// MaxBytes is the largest file accepted.
func (s *Service) MaxBytes() int64 { return s.max }

// BucketURL turns GUESTLIST_BLOB_URL into the URL the blob library opens. A path (relative
// ones are made absolute against the working directory) or a file:// URL is a local folder,
// created when missing; s3://bucket?region=...&endpoint=... is S3 or S3-compatible storage
// (credentials from the usual AWS environment).
func BucketURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("GUESTLIST_BLOB_URL is empty: set a folder (var/blobs) or s3://bucket?region=...")
	}
	if !strings.Contains(raw, "://") {
		return folderURL(raw, url.Values{})
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("GUESTLIST_BLOB_URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		dir := u.Path
		switch u.Host {
		case "", "localhost":
		default: // file://var/blobs, file://./var/blobs: a relative folder
			dir = u.Host + u.Path
		}
		return folderURL(dir, u.Query())
	case "s3":
		if u.Host == "" {
			return "", errors.New("GUESTLIST_BLOB_URL: an s3:// URL names its bucket: s3://bucket?region=...")
		}
		return u.String(), nil
	default:
		return "", fmt.Errorf("GUESTLIST_BLOB_URL: %q storage is not supported: use a folder (a path or file:///...) or s3://bucket?region=...", u.Scheme)
	}
}

// folderURL is the file:// URL of the folder dir, made absolute. Unless the URL says
// otherwise, the folder is created when missing, temporary files are written inside it (a
// rename from the system temp dir fails across file systems), and no metadata sidecar files
// are written (the database has the metadata).
func folderURL(dir string, q url.Values) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("GUESTLIST_BLOB_URL: %w", err)
	}
	for k, v := range map[string]string{"create_dir": "true", "no_tmp_dir": "true", "metadata": "skip"} {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String(), nil
}

// key is where a file's bytes are stored: never the uploader's file name.
func key(ws, id uuid.UUID) string { return ws.String() + "/" + id.String() }

// Files lists a contact's files, newest first.
func (s *Service) Files(ctx context.Context, ws, agentID, contactID uuid.UUID) ([]File, error) {
	out := []File{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if err := contacts.Exists(ctx, tx, agentID, contactID); err != nil {
			return err
		}
		rows, err := tx.Q.ListFiles(ctx, db.ListFilesParams{WorkspaceID: ws, ContactID: contactID})
		for _, r := range rows {
			out = append(out, fromRow(r))
		}
		return err
	})
	return out, err
}

// Upload stores one file on a contact, by m: name and declaredType as the client sent them,
// content at most MaxBytes. The bytes go to blob storage first; then one transaction records
// the file (processing), its process_file job and the audit entry. If that transaction fails,
// the bytes are deleted again.
func (s *Service) Upload(ctx context.Context, m *httpapi.Member, agentID, contactID uuid.UUID, name, declaredType string, content io.Reader) (File, error) {
	name, err := CleanName(name)
	if err != nil {
		return File{}, err
	}
	// Refuse early when there is no such contact, before storing anything.
	if err := s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error { return contacts.Exists(ctx, tx, agentID, contactID) }); err != nil {
		return File{}, err
	}
	// A program or a script is refused at once, from its first bytes, before anything is stored.
	// The process_file job still reads every stored file and has the last word on it.
	head, err := readHead(content)
	if err != nil {
		return File{}, uploadError(err)
	}
	if reason := Verdict(name, mimetype.Detect(head)); reason != "" {
		return File{}, apperr.Field("file", "refused, "+reason)
	}
	id := uuid.Must(uuid.NewV7())
	k := key(m.WorkspaceID, id)
	size, err := s.store(ctx, k, io.MultiReader(bytes.NewReader(head), content))
	if err != nil {
		return File{}, err
	}
	var out File
	err = s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		if err := contacts.Exists(ctx, tx, agentID, contactID); err != nil {
			return err
		}
		f, err := tx.Q.CreateFile(ctx, db.CreateFileParams{WorkspaceID: m.WorkspaceID, ContactID: contactID, ID: id, Name: name,
			SizeBytes: size, DeclaredType: declared(declaredType), UploadedBy: uuid.NullUUID{UUID: m.UserID, Valid: true}})
		if err != nil {
			if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == pgerrcode.ForeignKeyViolation {
				return apperr.New(apperr.NotFound, "no such contact") // deleted meanwhile
			}
			return err
		}
		out = fromRow(f)
		if _, err := s.jobs.InsertTx(ctx, tx.Tx, jobs.ProcessFileArgs{WorkspaceID: m.WorkspaceID, FileID: id}, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "contact_files", ResourceID: id.String(), SubjectID: contactID.String(), After: out})
	})
	if err != nil {
		s.deleteBlob(ctx, k)
		return File{}, err
	}
	return out, nil
}

// store writes content under k, refusing (and storing nothing) past MaxBytes.
func (s *Service) store(ctx context.Context, k string, content io.Reader) (int64, error) {
	// Cancelling the writer's context before Close aborts the write: nothing is stored.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, k, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return 0, err
	}
	in := &readErr{r: io.LimitReader(content, s.max+1)}
	n, err := io.Copy(w, in)
	switch {
	case in.err != nil:
		err = uploadError(in.err)
	case err != nil:
	case n > s.max:
		err = apperr.New(apperr.TooLarge, "the file is larger than %d bytes", s.max)
	}
	if err != nil {
		cancel()
		_ = w.Close()
		return 0, err
	}
	return n, w.Close()
}

// readErr remembers the error of reading the upload, to tell the client's faults (a body cut
// short, too large) from storage failures.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// uploadError maps a failure reading the request body to an answer.
func uploadError(err error) error {
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return apperr.New(apperr.TooLarge, "the body is larger than %d bytes", tooLarge.Limit)
	}
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return apperr.New(apperr.Invalid, "the upload is not a well-formed multipart/form-data body")
}

func (s *Service) deleteBlob(ctx context.Context, k string) {
	err := s.bucket.Delete(context.WithoutCancel(ctx), k)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		slog.ErrorContext(ctx, "files: deleting a blob failed; it is left orphaned", "key", k, "err", err)
	}
}

// PurgeBlobs deletes stored contents whose rows are gone (the purge_blobs job): the given
// files of ws, or with all every content of ws (its keys all start with the workspace id).
// Contents already gone are no error.
func (s *Service) PurgeBlobs(ctx context.Context, ws uuid.UUID, fileIDs []uuid.UUID, all bool) error {
	keys := make([]string, 0, len(fileIDs))
	for _, id := range fileIDs {
		keys = append(keys, key(ws, id))
	}
	if all {
		it := s.bucket.List(&blob.ListOptions{Prefix: ws.String() + "/"})
		for {
			obj, err := it.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("files: listing %s: %w", ws, err)
			}
			keys = append(keys, obj.Key)
		}
	}
	for _, k := range keys {
		if err := s.bucket.Delete(ctx, k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return fmt.Errorf("files: deleting %s: %w", k, err)
		}
	}
	return nil
}

// lookup loads a file of the contact, which must be the agent's.
func lookup(ctx context.Context, tx tenant.Tx, agentID, contactID, id uuid.UUID) (db.ContactFile, error) {
	if err := contacts.Exists(ctx, tx, agentID, contactID); err != nil {
		return db.ContactFile{}, err
	}
	f, err := tx.Q.GetFile(ctx, db.GetFileParams{WorkspaceID: tx.WorkspaceID, ContactID: contactID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return f, apperr.New(apperr.NotFound, "no such file")
	}
	return f, err
}

// Download is a ready file's description and its content; the caller closes the content.
type Download struct {
	File
	Content io.ReadCloser
	// Size is the stored size, which Content holds.
	Size int64
}

// Open returns a file for download. Only a ready file can be downloaded: one still being
// checked, or rejected, answers a conflict.
func (s *Service) Open(ctx context.Context, ws, agentID, contactID, id uuid.UUID) (Download, error) {
	var f db.ContactFile
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		f, err = lookup(ctx, tx, agentID, contactID, id)
		return err
	})
	if err != nil {
		return Download{}, err
	}
	switch f.Status {
	case Processing:
		return Download{}, apperr.New(apperr.Conflict, "the file is still being checked; try again in a moment")
	case Rejected:
		return Download{}, apperr.New(apperr.Conflict, "the file was rejected (%s) and cannot be downloaded", *f.RejectReason)
	}
	r, err := s.bucket.NewReader(ctx, key(ws, id), nil)
	if err != nil {
		return Download{}, fmt.Errorf("files: opening %s: %w", id, err)
	}
	return Download{File: fromRow(f), Content: r, Size: r.Size()}, nil
}

// Delete removes a file: its row (with an audit entry), then its bytes.
func (s *Service) Delete(ctx context.Context, ws, agentID, contactID, id uuid.UUID) error {
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		f, err := lookup(ctx, tx, agentID, contactID, id)
		if err != nil {
			return err
		}
		if err := tx.Q.DeleteFile(ctx, db.DeleteFileParams{WorkspaceID: ws, ContactID: contactID, ID: id}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "delete", Resource: "contact_files", ResourceID: id.String(), SubjectID: contactID.String(), Before: fromRow(f)})
	})
	if err != nil {
		return err
	}
	s.deleteBlob(ctx, key(ws, id))
	return nil
}

// ProcessFile is the process_file job: it reads the file's bytes, sniffs their type, computes
// their SHA-256 and records the verdict (check.go). A rejected file's bytes are deleted. A file
// no longer processing (done before, or deleted) is left as it is: running twice changes nothing.
func (s *Service) ProcessFile(ctx context.Context, ws, id uuid.UUID) error {
	var f db.ContactFile
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		f, err = tx.Q.GetFileByID(ctx, db.GetFileByIDParams{WorkspaceID: ws, ID: id})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil || f.Status != Processing {
		return err
	}
	k := key(ws, id)
	sniffed, sum, err := s.inspect(ctx, k)
	var reason, contentType string
	switch {
	case gcerrors.Code(err) == gcerrors.NotFound:
		reason = "missing: the stored content is gone"
	case err != nil:
		return err // River retries
	default:
		reason, contentType = Verdict(f.Name, sniffed), sniffed.String()
	}
	status, rejectReason := Ready, (*string)(nil)
	if reason != "" {
		status, rejectReason = Rejected, &reason
	}
	var sha *string
	if sum != "" {
		sha = &sum
	}
	done := false
	err = s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		after, err := tx.Q.FinishFile(ctx, db.FinishFileParams{WorkspaceID: ws, ID: id, Status: status,
			ContentType: contentType, Sha256: sha, RejectReason: rejectReason})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // finished by an earlier run, or deleted meanwhile
		}
		if err != nil {
			return err
		}
		done = true
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "contact_files", ResourceID: id.String(),
			SubjectID: after.ContactID.String(), Before: map[string]any{"status": Processing}, After: fromRow(after)})
	})
	if err == nil && done && status == Rejected {
		s.deleteBlob(ctx, k)
	}
	return err
}

// sniffLen is how much of the content the type is sniffed from (the mimetype library's own
// read limit).
const sniffLen = 3072

// readHead reads the first sniffLen bytes of r, fewer when r is shorter.
func readHead(r io.Reader) ([]byte, error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return head[:n], nil
}

// inspect reads the content under k: its sniffed type and its SHA-256 in hex.
func (s *Service) inspect(ctx context.Context, k string) (*mimetype.MIME, string, error) {
	r, err := s.bucket.NewReader(ctx, k, nil)
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	head, err := readHead(r)
	if err != nil {
		return nil, "", err
	}
	h := sha256.New()
	h.Write(head)
	if _, err := io.Copy(h, r); err != nil {
		return nil, "", err
	}
	return mimetype.Detect(head), hex.EncodeToString(h.Sum(nil)), nil
}
