// Package imports turns CSV files into contacts. An upload streams the file into blob storage
// (as internal/files does), then reads it once to learn its encoding, delimiter, header and
// row count; nothing is written if the file cannot be read. The member maps columns to
// contact fields (suggested from the headers, remembered per agent for the next file with the
// same headers), previews what would happen, and starts the run: the run_import job reads the
// file in chunks, COPYs each chunk into a temporary staging table and matches, validates and
// writes it set-based in SQL, committing each chunk with its checkpoint (run.go). A finished
// import can be undone (the undo_import job) from the snapshots the run took.
//
// Audit: one entry per action on an import (upload, start, cancel, undo, and the run's end
// with its counts), never one per row: the rows' changes are in import_changes, which undo
// reads.
package imports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/files"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// Statuses of an import.
const (
	Uploaded  = "uploaded"
	Queued    = "queued"
	Running   = "running"
	Finished  = "finished"
	Cancelled = "cancelled"
	Failed    = "failed"
	Undoing   = "undoing"
	Undone    = "undone"
)

// Limits of an import; the defaults are HubSpot's ceiling (a spreadsheet's row limit).
const (
	DefaultMaxBytes  = 512 << 20
	DefaultMaxRows   = 1 << 20
	DefaultChunkRows = 20000
	// DefaultSlice is how long one run of an import job works before it hands over. Its job's
	// timeout, and so how soon River's rescuer takes over the import of a worker that died, is
	// a small multiple of it (jobs.RunImportWorker.Timeout).
	DefaultSlice = 2 * time.Minute
)

// Limits are the configured ceilings, shown in the API and the UI.
type Limits struct {
	MaxBytes int64 `json:"max_bytes"`
	MaxRows  int   `json:"max_rows"`
}

// Inserter inserts jobs in a transaction, one or many (the run inserts a chunk's automation
// jobs in bulk): the River client.
type Inserter interface {
	jobs.Inserter
	InsertManyFastTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) (int, error)
}

var _ Inserter = (*river.Client[pgx.Tx])(nil)

// Service is the imports capability.
type Service struct {
	tenants   *tenant.DB
	contacts  *contacts.Service // the list an export reads
	jobs      Inserter
	bucket    *blob.Bucket
	limits    Limits
	chunkRows int
	slice     time.Duration
	// fileRetention is how long an ended import keeps its stored file; 0 keeps it (until an
	// erase). See housekeeping.go.
	fileRetention time.Duration
}

// Config sizes the service.
type Config struct {
	// BlobURL is where files are kept (GUESTLIST_BLOB_URL, see files.BucketURL).
	BlobURL string
	Limits  Limits
	// ChunkRows is how many rows each of the run's transactions writes.
	ChunkRows int
	// Slice is how long one run works before it stops at a committed chunk with
	// jobs.ErrRunAgain (DefaultSlice when zero).
	Slice time.Duration
	// FileRetention is how long after its run ended an import keeps its stored file
	// (GUESTLIST_IMPORT_FILE_RETENTION); 0 keeps files until an erase deletes them.
	FileRetention time.Duration
}

// NewService opens the blob storage.
func NewService(ctx context.Context, tenants *tenant.DB, inserter Inserter, cfg Config) (*Service, error) {
	u, err := files.BucketURL(cfg.BlobURL)
	if err != nil {
		return nil, err
	}
	bucket, err := blob.OpenBucket(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("GUESTLIST_BLOB_URL: %w", err)
	}
	if cfg.ChunkRows < 1 {
		cfg.ChunkRows = DefaultChunkRows
	}
	if cfg.Slice <= 0 {
		cfg.Slice = DefaultSlice
	}
	return &Service{tenants: tenants, contacts: contacts.NewService(tenants, inserter), jobs: inserter, bucket: bucket,
		limits: cfg.Limits, chunkRows: cfg.ChunkRows, slice: cfg.Slice, fileRetention: max(cfg.FileRetention, 0)}, nil
}

// Slice is how long one run works before it stops at a committed chunk (jobs.ErrRunAgain).
func (s *Service) Slice() time.Duration { return s.slice }

// Close releases the blob storage.
func (s *Service) Close() error { return s.bucket.Close() }

// Limits are the ceilings of a file.
func (s *Service) Limits() Limits { return s.limits }

func blobKey(ws, id uuid.UUID) string { return ws.String() + "/imports/" + id.String() }

// Progress is how far a run is.
type Progress struct {
	RowsDone int `json:"rows_done"`
	Total    int `json:"total"`
	Created  int `json:"created"`
	Updated  int `json:"updated"`
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
	// RowsPerSecond since the run started; SecondsLeft at that rate (null when unknown).
	RowsPerSecond float64  `json:"rows_per_second"`
	SecondsLeft   *float64 `json:"seconds_left"`
}

// Earlier is a previous import of the same file.
type Earlier struct {
	ID        uuid.UUID `json:"id"`
	FileName  string    `json:"file_name"`
	CreatedAt time.Time `json:"created_at"`
}

// Kept is a contact the import updated that undo left as it is, and why: it changed after
// the import, or a value to restore (external id, email, phone, a unique custom field) now belongs to another contact.
type Kept struct {
	ID     uuid.UUID `json:"id"`
	Name   string    `json:"name"`
	Email  *string   `json:"email"`
	Phone  *string   `json:"phone"`
	Reason string    `json:"reason"`
}

// Import is an import as the API shows it.
type Import struct {
	ID              uuid.UUID  `json:"id"`
	AgentID         uuid.UUID  `json:"agent_id"`
	FileName        string     `json:"file_name"`
	SizeBytes       int64      `json:"size_bytes"`
	Checksum        string     `json:"checksum"`
	Encoding        string     `json:"encoding"`
	Delimiter       string     `json:"delimiter"`
	HasHeader       bool       `json:"has_header"`
	Headers         []string   `json:"headers"`
	Mode            string     `json:"mode"`
	Mapping         []string   `json:"mapping"`
	Status          string     `json:"status"`
	CancelRequested bool       `json:"cancel_requested"`
	Progress        Progress   `json:"progress"`
	Error           *string    `json:"error"`
	UndoKept        []Kept     `json:"undo_kept"`
	EarlierImport   *Earlier   `json:"earlier_import"`
	CreatedBy       *uuid.UUID `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	StartedAt       *time.Time `json:"started_at"`
	FinishedAt      *time.Time `json:"finished_at"`
	UndoneAt        *time.Time `json:"undone_at"`
	// FileErasedAt is when the stored file was deleted because a contact it held was erased
	// (privacy); the error report went with it.
	FileErasedAt *time.Time `json:"file_erased_at"`
}

func fromRow(r db.Import) Import {
	out := Import{ID: r.ID, AgentID: r.AgentID, FileName: r.FileName, SizeBytes: r.SizeBytes, Checksum: r.Checksum,
		Encoding: r.Encoding, Delimiter: r.Delimiter, HasHeader: r.HasHeader, Mode: r.Mode, Status: r.Status,
		CancelRequested: r.CancelRequested, Error: r.Error, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, UndoneAt: r.UndoneAt, FileErasedAt: r.FileErasedAt, Headers: []string{}, Mapping: []string{}, UndoKept: []Kept{},
		Progress: Progress{RowsDone: int(r.RowsDone), Total: int(r.TotalRows), Created: int(r.CreatedCount),
			Updated: int(r.UpdatedCount), Skipped: int(r.SkippedCount), Rejected: int(r.RejectedCount)}}
	// The columns are JSON arrays (check constraints say so), written by this package.
	_ = json.Unmarshal(r.Headers, &out.Headers)
	_ = json.Unmarshal(r.Mapping, &out.Mapping)
	_ = json.Unmarshal(r.UndoKept, &out.UndoKept)
	for i := range out.UndoKept {
		if out.UndoKept[i].Reason == "" { // kept by an undo from before reasons were recorded
			out.UndoKept[i].Reason = "changed since the import"
		}
	}
	if r.CreatedBy.Valid {
		out.CreatedBy = &r.CreatedBy.UUID
	}
	if r.StartedAt != nil && r.RowsDone > 0 {
		end := r.UpdatedAt
		if r.FinishedAt != nil {
			end = *r.FinishedAt
		}
		if secs := end.Sub(*r.StartedAt).Seconds(); secs > 0 {
			out.Progress.RowsPerSecond = float64(r.RowsDone) / secs
			if r.Status == Running || r.Status == Queued {
				left := float64(r.TotalRows-r.RowsDone) / out.Progress.RowsPerSecond
				out.Progress.SecondsLeft = &left
			}
		}
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("imports: %v", err))
	}
	return b
}

func lookup(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID) (db.Import, error) {
	r, err := tx.Q.GetImport(ctx, db.GetImportParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "no such import")
	}
	return r, err
}

// lockOf locks an import of the agent.
func lockOf(ctx context.Context, tx tenant.Tx, agentID, id uuid.UUID) (db.Import, error) {
	if _, err := lookup(ctx, tx, agentID, id); err != nil {
		return db.Import{}, err
	}
	return tx.Q.LockImport(ctx, db.LockImportParams{WorkspaceID: tx.WorkspaceID, ID: id})
}

func withEarlier(ctx context.Context, tx tenant.Tx, r db.Import) (Import, error) {
	out := fromRow(r)
	e, err := tx.Q.EarlierImportOfFile(ctx, db.EarlierImportOfFileParams{WorkspaceID: tx.WorkspaceID, AgentID: r.AgentID, Checksum: r.Checksum, ID: r.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.EarlierImport = &Earlier{ID: e.ID, FileName: e.FileName, CreatedAt: e.CreatedAt}
	return out, nil
}

// Get returns an import of the agent, with its progress.
func (s *Service) Get(ctx context.Context, ws, agentID, id uuid.UUID) (Import, error) {
	var out Import
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := lookup(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		out, err = withEarlier(ctx, tx, r)
		return err
	})
	return out, err
}

// List returns the agent's imports, newest first.
func (s *Service) List(ctx context.Context, ws, agentID, before uuid.UUID, limit int) ([]Import, bool, error) {
	out := []Import{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		rows, err := tx.Q.ListImports(ctx, db.ListImportsParams{WorkspaceID: ws, AgentID: agentID,
			BeforeID: uuid.NullUUID{UUID: before, Valid: before != uuid.Nil}, MaxRows: int32(limit + 1)})
		for _, r := range rows {
			out = append(out, fromRow(r))
		}
		return err
	})
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, err
}

// UploadOptions start the run at once, for scripts: the mapping is the agent's template for
// these headers or the suggestion.
type UploadOptions struct {
	Start           bool
	Mode            string
	ConfirmReimport bool
}

// Upload stores a CSV file and reads it once: encoding, delimiter, header, row count. A file
// that cannot be read (empty, binary, over the limits, a row too large) is refused and nothing
// is kept. The import row (and, with opts.Start, its run_import job) commit in one transaction.
func (s *Service) Upload(ctx context.Context, m *httpapi.Member, agentID uuid.UUID, name string, content io.Reader, opts UploadOptions) (Import, error) {
	name, err := files.CleanName(name)
	if err != nil {
		return Import{}, err
	}
	if opts.Mode == "" {
		opts.Mode = CreateAndUpdate
	}
	if !validMode(opts.Mode) {
		return Import{}, apperr.Field("mode", "must be create_only, create_and_update or update_only")
	}
	if err := s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error { _, err := agentExists(ctx, tx, agentID); return err }); err != nil {
		return Import{}, err
	}
	id := uuid.Must(uuid.NewV7())
	k := blobKey(m.WorkspaceID, id)
	facts, err := s.store(ctx, k, content)
	if err == nil {
		var out Import
		out, err = s.record(ctx, m, agentID, id, name, facts, opts)
		if err == nil {
			return out, nil
		}
	}
	s.deleteBlob(ctx, k)
	return Import{}, err
}

func agentExists(ctx context.Context, tx tenant.Tx, agentID uuid.UUID) (bool, error) {
	a, err := tx.Q.AgentAccess(ctx, db.AgentAccessParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID})
	if err != nil {
		return false, err
	}
	if !a.AgentExists {
		return false, apperr.New(apperr.NotFound, "no such agent")
	}
	return true, nil
}

// analysis is what reading a stored file once tells.
type analysis struct {
	encoding  string
	delimiter rune
	hasHeader bool
	headers   []string
	rows      int
}

// record reads the stored file through and records the import.
func (s *Service) record(ctx context.Context, m *httpapi.Member, agentID, id uuid.UUID, name string, facts rawFacts, opts UploadOptions) (Import, error) {
	a, err := s.analyze(ctx, blobKey(m.WorkspaceID, id), facts)
	if err != nil {
		return Import{}, err
	}
	var out Import
	err = s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		if _, err := agentExists(ctx, tx, agentID); err != nil {
			return err
		}
		fs, err := fields.ListTx(ctx, tx, agentID, true)
		if err != nil {
			return err
		}
		mode := opts.Mode
		mapping, remembered, err := suggestion(ctx, tx, agentID, a.headers, a.hasHeader, fs)
		if err != nil {
			return err
		}
		if remembered != "" && !opts.Start {
			mode = remembered
		}
		r, err := tx.Q.CreateImport(ctx, db.CreateImportParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, ID: id, FileName: name,
			SizeBytes: facts.size, Checksum: facts.checksum, Encoding: a.encoding, Delimiter: string(a.delimiter), HasHeader: a.hasHeader,
			Headers: mustJSON(a.headers), TotalRows: int32(a.rows), Mode: mode, Mapping: mustJSON(mapping), Status: Uploaded,
			CreatedBy: uuid.NullUUID{UUID: m.UserID, Valid: true}})
		if err != nil {
			return err
		}
		if out, err = withEarlier(ctx, tx, r); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "imports", ResourceID: id.String(), After: out}); err != nil {
			return err
		}
		if opts.Start {
			out, err = s.startTx(ctx, tx, m, r, fs, opts.ConfirmReimport)
		}
		return err
	})
	return out, err
}

// store streams content to k, learning its size, checksum, head and whether it is UTF-8; past
// the size limit nothing is stored.
func (s *Service) store(ctx context.Context, k string, content io.Reader) (rawFacts, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, k, &blob.WriterOptions{ContentType: "text/csv"})
	if err != nil {
		return rawFacts{}, err
	}
	sum, utf, head := sha256.New(), newUTF8Checker(), &headBuffer{max: sniffLen}
	in := &readErr{r: io.LimitReader(content, s.limits.MaxBytes+1)}
	n, err := io.Copy(io.MultiWriter(w, sum, utf, head), in)
	switch {
	case in.err != nil:
		err = uploadError(in.err)
	case err != nil:
	case n > s.limits.MaxBytes:
		err = apperr.New(apperr.TooLarge, "the file is larger than %d MiB, the limit of an import", s.limits.MaxBytes>>20)
	case n == 0:
		err = apperr.Field("file", "is empty")
	}
	if err != nil {
		cancel()
		_ = w.Close()
		return rawFacts{}, err
	}
	if err := w.Close(); err != nil {
		return rawFacts{}, err
	}
	return rawFacts{size: n, checksum: hex.EncodeToString(sum.Sum(nil)), head: head.b, validUTF8: utf.done(), nul: utf.nul}, nil
}

type headBuffer struct {
	b   []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// readErr remembers the error of reading the upload, to tell the client's faults from
// storage failures.
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

func uploadError(err error) error {
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return apperr.New(apperr.TooLarge, "the body is larger than %d bytes", tooLarge.Limit)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return apperr.New(apperr.Invalid, "the upload is not a well-formed multipart/form-data body")
}

// analyze reads the stored file through: encoding, delimiter, header, rows (at most MaxRows).
func (s *Service) analyze(ctx context.Context, k string, facts rawFacts) (analysis, error) {
	var a analysis
	var err error
	if a.encoding, err = detectEncoding(facts); err != nil {
		return a, err
	}
	sample, _ := io.ReadAll(io.LimitReader(decoder(bytes.NewReader(facts.head), a.encoding), sniffLen))
	a.delimiter = detectDelimiter(sample)
	r, err := s.bucket.NewReader(ctx, k, nil)
	if err != nil {
		return a, err
	}
	defer r.Close()
	f := newFileReader(r, a.encoding, a.delimiter)
	first, err := f.next()
	if errors.Is(err, io.EOF) {
		return a, apperr.Field("file", "has no rows")
	}
	if err != nil {
		return a, err
	}
	a.hasHeader = !looksLikeData(first)
	a.headers = headersOf(first, a.hasHeader)
	if !a.hasHeader {
		a.rows = 1
		f.headerless()
	}
	for {
		_, err := f.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return a, err
		}
		a.rows++
		if a.rows > s.limits.MaxRows {
			return a, apperr.Field("file", fmt.Sprintf("has more than %d data rows, the limit of an import: split it", s.limits.MaxRows))
		}
		if a.rows%65536 == 0 && ctx.Err() != nil {
			return a, ctx.Err()
		}
	}
	if a.rows == 0 {
		return a, apperr.Field("file", "has a header row but no data rows")
	}
	return a, nil
}

// headersOf names a file's columns: its first row's cells when that row is a header (a blank
// cell by its position), else by position alone.
func headersOf(first []string, hasHeader bool) []string {
	headers := make([]string, len(first))
	for i, h := range first {
		if !hasHeader {
			h = ""
		}
		if h = clip(Unneutralize(trimBOM(h))); h == "" {
			h = fmt.Sprintf("Column %d", i+1)
		}
		headers[i] = h
	}
	return headers
}

func trimBOM(s string) string {
	for len(s) > 0 && s[0] == 0xEF && len(s) >= 3 && s[1] == 0xBB && s[2] == 0xBF {
		s = s[3:]
	}
	return s
}

// PurgeImportFiles is the purge_import_files job: it deletes the stored files of imports that
// held an erased contact's row (the erase marked them). A file already gone is no error, so a
// second run changes nothing; a storage failure is retried.
func (s *Service) PurgeImportFiles(ctx context.Context, ws uuid.UUID, ids []uuid.UUID) error {
	for _, id := range ids {
		if err := s.bucket.Delete(ctx, blobKey(ws, id)); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return fmt.Errorf("imports: deleting an erased import's file: %w", err)
		}
	}
	return nil
}

func (s *Service) deleteBlob(ctx context.Context, k string) {
	err := s.bucket.Delete(context.WithoutCancel(ctx), k)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		slog.ErrorContext(ctx, "imports: deleting a blob failed; it is left orphaned", "key", k, "err", err)
	}
}

// open reads an import's stored file, positioned at its first data row.
func (s *Service) open(ctx context.Context, r db.Import) (*fileReader, io.Closer, error) {
	f, br, err := s.openFromTop(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	if r.HasHeader {
		if _, err := f.next(); err != nil {
			br.Close()
			return nil, nil, err
		}
	} else {
		f.headerless()
	}
	return f, br, nil
}

// openFromTop reads an import's stored file from its first row, header or not.
func (s *Service) openFromTop(ctx context.Context, r db.Import) (*fileReader, io.Closer, error) {
	br, err := s.bucket.NewReader(ctx, blobKey(r.WorkspaceID, r.ID), nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, nil, errFileErased() // deleted (retention, erase) since the import was read
	}
	if err != nil {
		return nil, nil, fmt.Errorf("imports: opening the file of %s: %w", r.ID, err)
	}
	return newFileReader(br, r.Encoding, []rune(r.Delimiter)[0]), br, nil
}

// MappingChange is what a member sets on an import not started yet. HasHeader nil keeps
// whether the first row is a header; Mapping nil keeps the mapping, or, when the first row
// changes role (and so the headers), takes the agent's template or the suggestion for the new
// headers.
type MappingChange struct {
	Mode      string
	Mapping   []string
	HasHeader *bool
}

// SetMapping saves the mode, the column mapping and whether the first row is a header, of an
// import not started yet. The header guess (a first row holding an email or phone is data)
// can be wrong either way, so the member has the last word.
func (s *Service) SetMapping(ctx context.Context, ws, agentID, id uuid.UUID, in MappingChange) (Import, error) {
	mode, mapping := in.Mode, in.Mapping
	if !validMode(mode) {
		return Import{}, apperr.Field("mode", "must be create_only, create_and_update or update_only")
	}
	var out Import
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := lockOf(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		if r.Status != Uploaded {
			return apperr.New(apperr.Conflict, "the import has started; its mapping can no longer change")
		}
		fs, err := fields.ListTx(ctx, tx, agentID, true)
		if err != nil {
			return err
		}
		headerChanged := in.HasHeader != nil && *in.HasHeader != r.HasHeader
		if headerChanged {
			if r, err = s.setHeader(ctx, tx, r, *in.HasHeader); err != nil {
				return err
			}
		}
		var headers []string
		_ = json.Unmarshal(r.Headers, &headers)
		switch {
		case mapping == nil && headerChanged:
			// A suggestion, as an upload's: checked when the import starts, not here.
			if mapping, _, err = suggestion(ctx, tx, agentID, headers, r.HasHeader, fs); err != nil {
				return err
			}
		case mapping == nil:
			_ = json.Unmarshal(r.Mapping, &mapping)
			fallthrough
		default:
			if err := checkMapping(mapping, headers, fs); err != nil {
				return err
			}
		}
		r, err = tx.Q.SetImportMapping(ctx, db.SetImportMappingParams{WorkspaceID: ws, ID: id, Mode: mode, Mapping: mustJSON(mapping)})
		if err != nil {
			return err
		}
		out, err = withEarlier(ctx, tx, r)
		return err
	})
	return out, err
}

// setHeader makes the first row of r's file its header, or its first data row: the headers
// are named anew and the data rows counted again.
func (s *Service) setHeader(ctx context.Context, tx tenant.Tx, r db.Import, hasHeader bool) (db.Import, error) {
	f, br, err := s.openFromTop(ctx, r)
	if err != nil {
		return r, err
	}
	defer br.Close()
	first, err := f.next()
	if err != nil {
		return r, err
	}
	rows := r.TotalRows + 1
	if hasHeader {
		rows = r.TotalRows - 1
	}
	if rows == 0 {
		return r, apperr.Field("has_header", "the file has one row: as a header, it would leave no data rows")
	}
	if int(rows) > s.limits.MaxRows {
		return r, apperr.Field("has_header", fmt.Sprintf("with its first row as data the file has more than %d data rows, the limit of an import: split it", s.limits.MaxRows))
	}
	return tx.Q.SetImportHeader(ctx, db.SetImportHeaderParams{WorkspaceID: r.WorkspaceID, ID: r.ID, HasHeader: hasHeader,
		Headers: mustJSON(headersOf(first, hasHeader)), TotalRows: rows})
}

// suggestion is the mapping an import starts with: the agent's template for the headers when
// the file has a header and the template fits the agent's fields (with the template's mode),
// else what the headers suggest (and no mode).
func suggestion(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, headers []string, hasHeader bool, fs []fields.Field) ([]string, string, error) {
	if !hasHeader {
		return Suggest(headers, fs), "", nil
	}
	t, err := tx.Q.GetImportTemplate(ctx, db.GetImportTemplateParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID, HeaderKey: headerKey(headers)})
	if errors.Is(err, pgx.ErrNoRows) {
		return Suggest(headers, fs), "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var remembered []string
	if json.Unmarshal(t.Mapping, &remembered) == nil && checkMapping(remembered, headers, fs) == nil {
		return remembered, t.Mode, nil
	}
	return Suggest(headers, fs), "", nil
}

// Start queues the run of an uploaded import. A file imported before into the agent (same
// checksum) needs confirmReimport: the answer is a conflict naming the earlier import.
func (s *Service) Start(ctx context.Context, m *httpapi.Member, agentID, id uuid.UUID, confirmReimport bool) (Import, error) {
	var out Import
	err := s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		r, err := lockOf(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		fs, err := fields.ListTx(ctx, tx, agentID, true)
		if err != nil {
			return err
		}
		out, err = s.startTx(ctx, tx, m, r, fs, confirmReimport)
		return err
	})
	return out, err
}

func (s *Service) startTx(ctx context.Context, tx tenant.Tx, m *httpapi.Member, r db.Import, fs []fields.Field, confirmReimport bool) (Import, error) {
	if r.Status != Uploaded {
		return Import{}, apperr.New(apperr.Conflict, "the import has already started")
	}
	imp := fromRow(r)
	if err := checkMapping(imp.Mapping, imp.Headers, fs); err != nil {
		return Import{}, err
	}
	if e, err := tx.Q.EarlierImportOfFile(ctx, db.EarlierImportOfFileParams{WorkspaceID: tx.WorkspaceID, AgentID: r.AgentID, Checksum: r.Checksum, ID: r.ID}); err == nil {
		if !confirmReimport {
			return Import{}, &apperr.Error{Code: apperr.Conflict,
				Message: fmt.Sprintf("this file was already imported on %s (%s); confirm to import it again", e.CreatedAt.Format(time.DateOnly), e.FileName),
				Fields:  map[string]string{"confirm_reimport": "must be true to import the same file again"},
				Details: map[string]any{"earlier_import_id": e.ID}}
		}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return Import{}, err
	}
	q, err := tx.Q.QueueImport(ctx, db.QueueImportParams{WorkspaceID: tx.WorkspaceID, ID: r.ID})
	if err != nil {
		return Import{}, err
	}
	// A file without a header has only positions for names ("Column 1"): nothing to know the next
	// such file by, so no template.
	if r.HasHeader {
		if err := tx.Q.SaveImportTemplate(ctx, db.SaveImportTemplateParams{WorkspaceID: tx.WorkspaceID, AgentID: r.AgentID,
			HeaderKey: headerKey(imp.Headers), Mode: r.Mode, Mapping: r.Mapping, UpdatedBy: uuid.NullUUID{UUID: m.UserID, Valid: true}}); err != nil {
			return Import{}, err
		}
	}
	if _, err := s.jobs.InsertTx(ctx, tx, jobs.RunImportArgs{WorkspaceID: tx.WorkspaceID, ImportID: r.ID}, nil); err != nil {
		return Import{}, err
	}
	out, err := withEarlier(ctx, tx, q)
	if err != nil {
		return Import{}, err
	}
	return out, audit.Record(ctx, tx, audit.Entry{Action: "start", Resource: "imports", ResourceID: r.ID.String(),
		After: map[string]any{"mode": r.Mode, "mapping": imp.Mapping, "total_rows": r.TotalRows}})
}

// Cancel stops a run. The chunk in flight is rolled back, not finished: it finds the request
// when it comes to commit (see writeChunk), and the run ends at the last chunk that committed
// before the cancel. A queued import stops before its first chunk; one not started at once.
func (s *Service) Cancel(ctx context.Context, ws, agentID, id uuid.UUID) (Import, error) {
	var out Import
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := lockOf(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		switch r.Status {
		case Uploaded:
			r, err = tx.Q.EndImport(ctx, db.EndImportParams{WorkspaceID: ws, ID: id, Status: Cancelled})
		case Queued, Running:
			r, err = tx.Q.RequestImportCancel(ctx, db.RequestImportCancelParams{WorkspaceID: ws, ID: id})
		default:
			return apperr.New(apperr.Conflict, "the import is %s; only an import not finished can be cancelled", r.Status)
		}
		if err != nil {
			return err
		}
		out = fromRow(r)
		return audit.Record(ctx, tx, audit.Entry{Action: "cancel", Resource: "imports", ResourceID: id.String(),
			After: map[string]any{"rows_done": r.RowsDone}})
	})
	return out, err
}

// Undo queues the undo of a finished, cancelled or failed run: the undo_import job deletes the
// contacts it created and restores those it updated, unless they changed since (see UndoImport).
func (s *Service) Undo(ctx context.Context, ws, agentID, id uuid.UUID) (Import, error) {
	var out Import
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := lockOf(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		if r.Status != Finished && r.Status != Cancelled && r.Status != Failed {
			return apperr.New(apperr.Conflict, "the import is %s; only a run that ended can be undone", r.Status)
		}
		if r.RowsDone == 0 && r.Status != Failed {
			return apperr.New(apperr.Conflict, "the import wrote nothing; there is nothing to undo")
		}
		if r, err = tx.Q.SetImportStatus(ctx, db.SetImportStatusParams{WorkspaceID: ws, ID: id, Status: Undoing}); err != nil {
			return err
		}
		if _, err := s.jobs.InsertTx(ctx, tx, jobs.UndoImportArgs{WorkspaceID: ws, ImportID: id}, nil); err != nil {
			return err
		}
		out = fromRow(r)
		return nil
	})
	return out, err
}

// UndoImport is the undo_import job: one transaction, so it either happens whole or not at
// all (and a second run finds the import undone and does nothing). The contacts the import
// created are deleted first (their notes, files, conversations and everything else added to
// them since go with them: the foreign keys cascade), which frees the values they held; then
// the updated contacts get their values back, except those changed since and those whose
// external id, email, phone or unique custom value now belongs to another contact: those are left as they are
// and listed, with the reason, in undo_kept.
func (s *Service) UndoImport(ctx context.Context, ws, id uuid.UUID) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := tx.Q.LockImport(ctx, db.LockImportParams{WorkspaceID: ws, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil || r.Status != Undoing {
			return err
		}
		purge, err := tx.Q.ImportedContactFiles(ctx, db.ImportedContactFilesParams{WorkspaceID: ws, ImportID: id})
		if err != nil {
			return err
		}
		deleted, err := tx.Q.DeleteImportedContacts(ctx, db.DeleteImportedContactsParams{WorkspaceID: ws, ImportID: id, AgentID: r.AgentID})
		if err != nil {
			return err
		}
		rows, err := tx.Q.RestoreImportedUpdates(ctx, db.RestoreImportedUpdatesParams{WorkspaceID: ws, ImportID: id, AgentID: r.AgentID})
		if err != nil {
			return err
		}
		restored, kept := int64(0), []Kept{}
		for _, c := range rows {
			restored = c.Restored
			if c.ID != uuid.Nil {
				kept = append(kept, Kept{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, Reason: c.Reason})
			}
		}
		if len(purge) > 0 {
			if _, err := s.jobs.InsertTx(ctx, tx, jobs.PurgeBlobsArgs{WorkspaceID: ws, FileIDs: purge}, nil); err != nil {
				return err
			}
		}
		if _, err := tx.Q.FinishImportUndo(ctx, db.FinishImportUndoParams{WorkspaceID: ws, ID: id, UndoKept: mustJSON(kept)}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "undo", Resource: "imports", ResourceID: id.String(),
			After: map[string]any{"deleted": len(deleted), "restored": restored, "kept": len(kept)}})
	})
}

// FailUndo marks an undo failed after the undo_import job's last attempt, so the import does
// not stay undoing: nothing was undone (the undo is one transaction), the status is failed
// and error says so; the member may ask for the undo again.
func (s *Service) FailUndo(ctx context.Context, ws, id uuid.UUID, cause error) error {
	msg := "The undo failed, so nothing was undone: the contacts are as the import left them. Try the undo again."
	if e, ok := errors.AsType[*apperr.Error](cause); ok {
		msg = "The undo failed, so nothing was undone: " + e.Message
	}
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := tx.Q.FailImportUndo(ctx, db.FailImportUndoParams{WorkspaceID: ws, ID: id, Error: &msg})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // not undoing (any more)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "undo", Resource: "imports", ResourceID: id.String(), Outcome: audit.Failure,
			After: map[string]any{"error": msg, "rows_done": r.RowsDone}})
	})
}
