package imports

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// automationBatch is how many new contacts one automate_contacts job carries.
const automationBatch = 1000

// stage loads rows into the transaction's staging table (COPY: the contacts table is under
// row-level security, which COPY refuses).
func stage(ctx context.Context, tx tenant.Tx, rows []db.StageImportRowsParams) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.Q.StageImportRows(ctx, rows)
	return err
}

// classify decides every staged row's outcome (create, update, skip, reject with a reason),
// set-based. During a run, earlier chunks are already written, so a row matching a contact the
// import touched before (in touched) is a duplicate inside the file; a preview (touched nil)
// stages the whole file and finds those duplicates among the staged rows.
func classify(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, mode string, p *plan, touched map[uuid.UUID]struct{}, took timings) error {
	ws := tx.WorkspaceID
	q := tx.Q
	steps := []func() error{
		func() error { return q.AnalyzeImportStage(ctx) },
		func() error {
			return q.MatchImportRowsByExternalID(ctx, db.MatchImportRowsByExternalIDParams{WorkspaceID: ws, AgentID: agentID})
		},
		func() error {
			return q.MatchImportRowsByEmail(ctx, db.MatchImportRowsByEmailParams{WorkspaceID: ws, AgentID: agentID})
		},
		func() error {
			return q.MatchImportRowsByPhone(ctx, db.MatchImportRowsByPhoneParams{WorkspaceID: ws, AgentID: agentID})
		},
		func() error { return q.AnalyzeImportMatches(ctx) },
		func() error { return q.RejectProblemRows(ctx) },
		func() error { return q.RejectDuplicateRows(ctx) },
		func() error {
			if touched == nil {
				return nil
			}
			// During a run, earlier chunks are already contacts: a row matching a contact the
			// import created or updated repeats an earlier row of the file. The run keeps those
			// ids in memory (a join with import_changes, which grows faster than its
			// statistics, was planned as a nested scan: 90 s for one chunk).
			matches, err := q.ImportStageMatches(ctx)
			if err != nil {
				return err
			}
			var again []int32
			for _, m := range matches {
				if _, ok := touched[m.MatchID]; ok {
					again = append(again, m.RowNumber)
				}
			}
			if len(again) == 0 {
				return nil
			}
			return q.RejectStageRows(ctx, db.RejectStageRowsParams{RowNumbers: again,
				Reason: "duplicate inside the file: an earlier row has the same external id, email or phone"})
		},
		func() error {
			return q.ClassifyImportRows(ctx, db.ClassifyImportRowsParams{Mode: mode, Defaults: p.defaults, RequiredKeys: p.required})
		},
		func() error {
			return q.RejectTakenDetails(ctx, db.RejectTakenDetailsParams{WorkspaceID: ws, AgentID: agentID})
		},
		func() error {
			if len(p.unique) == 0 {
				return nil
			}
			return q.RejectTakenCustomValues(ctx, db.RejectTakenCustomValuesParams{WorkspaceID: ws, AgentID: agentID, UniqueKeys: p.unique})
		},
		func() error {
			return q.SkipUnchangedRows(ctx, db.SkipUnchangedRowsParams{WorkspaceID: ws, AgentID: agentID})
		},
	}
	for i, step := range steps {
		began := time.Now()
		if err := step(); err != nil {
			return err
		}
		took[classifySteps[i]] += time.Since(began)
	}
	return nil
}

// classifySteps name classify's steps in the chunk timings logged at debug level.
var classifySteps = []string{"analyze", "match_external_id", "match_email", "match_phone", "analyze_matches", "reject_problems", "reject_duplicates",
	"reject_earlier_chunks", "classify", "reject_taken_details", "reject_taken_custom", "skip_unchanged"}

// timings are how long a chunk's steps took, logged at debug level: where an import's time goes.
type timings map[string]time.Duration

func (t timings) attrs() []any {
	out := make([]any, 0, 2*len(t))
	for k, v := range t {
		out = append(out, k, v.Round(time.Microsecond).String())
	}
	return out
}

// counts tallies the staged rows' outcomes.
type counts struct{ create, update, skip, reject int }

func tally(rows []db.ImportStageSummaryRow) (counts, []Reason) {
	var c counts
	reasons := []Reason{}
	for _, r := range rows {
		n := int(r.Rows)
		switch r.Outcome {
		case "create":
			c.create += n
		case "update":
			c.update += n
		case "skip":
			c.skip += n
		case "reject":
			c.reject += n
		}
		if r.Reason != "" {
			reasons = append(reasons, Reason{Outcome: r.Outcome, Reason: r.Reason, Rows: n})
		}
	}
	return c, reasons
}

// Reason is how many rows met one outcome for one reason.
type Reason struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	Rows    int    `json:"rows"`
}

// PreviewRow is one row of the file as mapped, with what the run would do with it.
type PreviewRow struct {
	Row        int            `json:"row"`
	Name       *string        `json:"name"`
	Email      *string        `json:"email"`
	Phone      *string        `json:"phone"`
	ExternalID *string        `json:"external_id"`
	StageID    *uuid.UUID     `json:"stage_id"`
	OwnerID    *uuid.UUID     `json:"owner_id"`
	Custom     map[string]any `json:"custom"`
	Outcome    string         `json:"outcome"`
	Reason     *string        `json:"reason"`
	// MatchID is the existing contact the row would update (or skip).
	MatchID *uuid.UUID `json:"match_id"`
}

// Preview is what a run would do, written nowhere: the first rows as mapped, and the whole
// file's counts with their reasons.
type Preview struct {
	Rows    []PreviewRow `json:"rows"`
	Create  int          `json:"create"`
	Update  int          `json:"update"`
	Skip    int          `json:"skip"`
	Reject  int          `json:"reject"`
	Reasons []Reason     `json:"reasons"`
}

// PreviewRows is how many rows a preview shows.
const PreviewRows = 20

func nullID(n uuid.NullUUID) *uuid.UUID {
	if !n.Valid {
		return nil
	}
	return &n.UUID
}

// Preview stages the whole file in a transaction of its own and classifies it as the run
// would, with the mapping and mode saved on the import; nothing is written.
func (s *Service) Preview(ctx context.Context, ws, agentID, id uuid.UUID) (Preview, error) {
	out := Preview{Rows: []PreviewRow{}}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		r, err := lookup(ctx, tx, agentID, id)
		if err != nil {
			return err
		}
		imp := fromRow(r)
		p, err := newPlan(ctx, tx, agentID, imp.Mapping, len(imp.Headers))
		if err != nil {
			return err
		}
		f, closer, err := s.open(ctx, r)
		if err != nil {
			return err
		}
		defer closer.Close()
		if err := tx.Q.CreateImportStage(ctx); err != nil {
			return err
		}
		n := 0
		for {
			rows, eof, err := s.readChunk(f, p, n)
			if err != nil {
				return err
			}
			if err := stage(ctx, tx, rows); err != nil {
				return err
			}
			n += len(rows)
			if eof {
				break
			}
		}
		if err := classify(ctx, tx, agentID, imp.Mode, p, nil, timings{}); err != nil {
			return err
		}
		summary, err := tx.Q.ImportStageSummary(ctx)
		if err != nil {
			return err
		}
		var c counts
		c, out.Reasons = tally(summary)
		out.Create, out.Update, out.Skip, out.Reject = c.create, c.update, c.skip, c.reject
		sample, err := tx.Q.ImportStageSample(ctx, PreviewRows)
		for _, r := range sample {
			row := PreviewRow{Row: int(r.RowNumber), Name: r.Name, Email: r.Email, Phone: r.Phone, ExternalID: r.ExternalID,
				StageID: nullID(r.StageID), OwnerID: nullID(r.OwnerID), Reason: r.Reason, MatchID: nullID(r.MatchID), Custom: map[string]any{}}
			_ = json.Unmarshal(r.Custom, &row.Custom) // staged by this package from a map
			if r.Outcome != nil {
				row.Outcome = *r.Outcome
			}
			out.Rows = append(out.Rows, row)
		}
		return err
	})
	return out, err
}

// readChunk reads up to chunkRows rows after row n and stages them in memory; eof says the
// file ended.
func (s *Service) readChunk(f *fileReader, p *plan, n int) ([]db.StageImportRowsParams, bool, error) {
	rows := make([]db.StageImportRowsParams, 0, min(s.chunkRows, 4096))
	for len(rows) < s.chunkRows {
		rec, err := f.next()
		if errors.Is(err, io.EOF) {
			return rows, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		rows = append(rows, p.row(n+len(rows)+1, rec))
	}
	return rows, false, nil
}

// errStop ends a run without an error: the import was cancelled, or another run of the same
// job is ahead of this one.
var errStop = errors.New("imports: the run stops")

// RunImport is the run_import job: the file, chunk after chunk, each chunk in one transaction
// with its checkpoint. It resumes after the last committed chunk; an import that is no longer
// queued or running is left as it is.
func (s *Service) RunImport(ctx context.Context, ws, id uuid.UUID) error {
	var r db.Import
	var p *plan
	var starting uuid.NullUUID
	touched := map[uuid.UUID]struct{}{} // the contacts written by committed chunks
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		if r, err = tx.Q.GetImportByID(ctx, db.GetImportByIDParams{WorkspaceID: ws, ID: id}); err != nil {
			return err
		}
		if r.Status != Queued && r.Status != Running {
			return errStop
		}
		imp := fromRow(r)
		if p, err = newPlan(ctx, tx, r.AgentID, imp.Mapping, len(imp.Headers)); err != nil {
			return err
		}
		// The starting stage of imported contacts, once per import (automations decide it).
		stage, err := tx.Q.StartingStage(ctx, db.StartingStageParams{WorkspaceID: ws, AgentID: r.AgentID, Source: "import"})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		starting = uuid.NullUUID{UUID: stage, Valid: err == nil}
		ids, err := tx.Q.ImportTouchedContacts(ctx, db.ImportTouchedContactsParams{WorkspaceID: ws, ImportID: id})
		for _, c := range ids {
			touched[c] = struct{}{}
		}
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, errStop) {
		return nil
	}
	if err != nil {
		return err
	}
	f, closer, err := s.open(ctx, r)
	if err != nil {
		return err
	}
	defer closer.Close()
	// Resume: the rows of committed chunks are read past, not written again.
	done := int(r.RowsDone)
	for range done {
		if _, err := f.next(); err != nil {
			return fmt.Errorf("imports: skipping to row %d: %w", done, err)
		}
	}
	// The next chunk is read and validated while the database writes the current one: two
	// cores, one each. At most two chunks are in memory.
	chunks := make(chan chunk, 1)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	go func() {
		defer close(chunks)
		n := done
		for {
			rows, eof, err := s.readChunk(f, p, n)
			select {
			case chunks <- chunk{rows: rows, eof: eof, err: err}:
			case <-readCtx.Done():
				return
			}
			if err != nil || eof {
				return
			}
			n += len(rows)
		}
	}()
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		err := s.writeChunk(ctx, ws, r, p, starting, done, c.rows, c.eof, touched)
		if errors.Is(err, errStop) {
			return nil
		}
		if err != nil {
			return err
		}
		done += len(c.rows)
		if c.eof {
			return nil
		}
	}
	return ctx.Err()
}

// chunk is rows read from the file, ready to stage.
type chunk struct {
	rows []db.StageImportRowsParams
	eof  bool
	err  error
}

// writeChunk writes the rows after row `from` in one transaction, under the import's lock:
// outcomes, contacts, snapshots, automation jobs and the checkpoint commit together. last
// says these are the file's final rows, which ends the import in the same transaction.
func (s *Service) writeChunk(ctx context.Context, ws uuid.UUID, r db.Import, p *plan, starting uuid.NullUUID, from int,
	rows []db.StageImportRowsParams, last bool, touched map[uuid.UUID]struct{}) error {
	cancelled := false
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		cur, err := tx.Q.LockImport(ctx, db.LockImportParams{WorkspaceID: ws, ID: r.ID})
		if err != nil {
			return err
		}
		switch {
		case cur.Status != Queued && cur.Status != Running:
			return errStop
		case int(cur.RowsDone) != from:
			return errStop // another run of this job got here first
		case cur.CancelRequested:
			if _, err := tx.Q.EndImport(ctx, db.EndImportParams{WorkspaceID: ws, ID: r.ID, Status: Cancelled}); err != nil {
				return err
			}
			cancelled = true // commit the cancellation, then stop
			return s.recordEnd(ctx, tx, r.ID, Cancelled)
		case cur.Status == Queued:
			if err := tx.Q.StartImportRun(ctx, db.StartImportRunParams{WorkspaceID: ws, ID: r.ID}); err != nil {
				return err
			}
		}
		if len(rows) > 0 {
			if err := s.writeRows(ctx, tx, r, p, starting, from, rows, touched); err != nil {
				return err
			}
		}
		if last {
			if _, err := tx.Q.EndImport(ctx, db.EndImportParams{WorkspaceID: ws, ID: r.ID, Status: Finished}); err != nil {
				return err
			}
			return s.recordEnd(ctx, tx, r.ID, Finished)
		}
		return nil
	})
	if err == nil && cancelled {
		return errStop
	}
	return err
}

func (s *Service) recordEnd(ctx context.Context, tx tenant.Tx, id uuid.UUID, status string) error {
	end, err := tx.Q.GetImportByID(ctx, db.GetImportByIDParams{WorkspaceID: tx.WorkspaceID, ID: id})
	if err != nil {
		return err
	}
	imp := fromRow(end)
	return audit.Record(ctx, tx, audit.Entry{Action: map[string]string{Finished: "finish", Cancelled: "cancelled"}[status],
		Resource: "imports", ResourceID: id.String(), After: imp.Progress})
}

// writeRows stages, classifies and writes one chunk inside tx.
func (s *Service) writeRows(ctx context.Context, tx tenant.Tx, r db.Import, p *plan, starting uuid.NullUUID, from int,
	rows []db.StageImportRowsParams, touched map[uuid.UUID]struct{}) error {
	ws, q := tx.WorkspaceID, tx.Q
	took := timings{}
	step := func(name string, fn func() error) error {
		began := time.Now()
		err := fn()
		took[name] += time.Since(began)
		return err
	}
	if err := step("stage", func() error {
		if err := q.CreateImportStage(ctx); err != nil {
			return err
		}
		return stage(ctx, tx, rows)
	}); err != nil {
		return err
	}
	if err := classify(ctx, tx, r.AgentID, r.Mode, p, touched, took); err != nil {
		return err
	}
	if err := step("snapshot", func() error {
		return q.SnapshotImportUpdates(ctx, db.SnapshotImportUpdatesParams{WorkspaceID: ws, ImportID: r.ID, AgentID: r.AgentID})
	}); err != nil {
		return err
	}
	var updated []uuid.UUID
	if err := step("update", func() error {
		var err error
		updated, err = q.ApplyImportUpdates(ctx, db.ApplyImportUpdatesParams{WorkspaceID: ws, AgentID: r.AgentID})
		return err
	}); err != nil {
		return err
	}
	var created []uuid.UUID
	if err := step("insert", func() error {
		var err error
		created, err = q.InsertImportedContacts(ctx, db.InsertImportedContactsParams{WorkspaceID: ws, AgentID: r.AgentID,
			StartingStage: starting, CreatedBy: r.CreatedBy, Defaults: p.defaults})
		return err
	}); err != nil {
		return err
	}
	var c counts
	if err := step("record", func() error {
		if err := q.RecordImportCreations(ctx, db.RecordImportCreationsParams{WorkspaceID: ws, ImportID: r.ID}); err != nil {
			return err
		}
		if err := q.RecordImportIssues(ctx, db.RecordImportIssuesParams{WorkspaceID: ws, ImportID: r.ID}); err != nil {
			return err
		}
		summary, err := q.ImportStageSummary(ctx)
		if err != nil {
			return err
		}
		c, _ = tally(summary)
		return q.AdvanceImport(ctx, db.AdvanceImportParams{WorkspaceID: ws, ID: r.ID, RowsDone: int32(from + len(rows)),
			Created: int32(c.create), Updated: int32(c.update), Skipped: int32(c.skip), Rejected: int32(c.reject)})
	}); err != nil {
		return err
	}
	// The new contacts' automations (owners, notifications), in bulk, committed with them.
	err := step("automation_jobs", func() error {
		var batch []river.InsertManyParams
		for start := 0; start < len(created); start += automationBatch {
			ids := created[start:min(start+automationBatch, len(created))]
			batch = append(batch, river.InsertManyParams{Args: jobs.AutomateContactsArgs{WorkspaceID: ws, AgentID: r.AgentID, ContactIDs: ids}})
		}
		if len(batch) == 0 {
			return nil
		}
		_, err := s.jobs.InsertManyFastTx(ctx, tx, batch)
		return err
	})
	// Kept for the next chunks; a chunk that fails ends the run, and the next attempt reads
	// them again from import_changes.
	for _, ids := range [][]uuid.UUID{created, updated} {
		for _, id := range ids {
			touched[id] = struct{}{}
		}
	}
	slog.DebugContext(ctx, "imports: chunk written", append([]any{"import", r.ID, "from", from, "rows", len(rows)}, took.attrs()...)...)
	return err
}

// FailImport marks an import failed after the job's last attempt.
func (s *Service) FailImport(ctx context.Context, ws, id uuid.UUID, cause error) error {
	msg := "the run failed; the rows written so far are kept and can be undone"
	if e, ok := errors.AsType[*apperr.Error](cause); ok {
		msg = e.Message
	}
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		cur, err := tx.Q.LockImport(ctx, db.LockImportParams{WorkspaceID: ws, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil || (cur.Status != Queued && cur.Status != Running) {
			return err
		}
		if _, err := tx.Q.EndImport(ctx, db.EndImportParams{WorkspaceID: ws, ID: id, Status: Failed, Error: &msg}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "fail", Resource: "imports", ResourceID: id.String(), Outcome: audit.Failure,
			After: map[string]any{"error": msg, "rows_done": cur.RowsDone}})
	})
}

// ErrorReport writes the rejected rows as CSV: the file's own columns, as they were, and a
// reason column; fixed, it can be uploaded again. The stored file is read once, alongside the
// rejected row numbers in file order, so memory stays constant.
func (s *Service) ErrorReport(ctx context.Context, ws, agentID, id uuid.UUID, w io.Writer) error {
	var r db.Import
	if err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		r, err = lookup(ctx, tx, agentID, id)
		return err
	}); err != nil {
		return err
	}
	f, closer, err := s.open(ctx, r)
	if err != nil {
		return err
	}
	defer closer.Close()
	out := csv.NewWriter(w)
	imp := fromRow(r)
	if err := out.Write(append(append([]string{}, imp.Headers...), "reason")); err != nil {
		return err
	}
	row, after := 0, 0
	for {
		var issues []db.ImportIssuesRow
		if err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
			issues, err = tx.Q.ImportIssues(ctx, db.ImportIssuesParams{WorkspaceID: ws, ImportID: id, Kind: "reject", AfterRow: int32(after), MaxRows: 1000})
			return err
		}); err != nil {
			return err
		}
		if len(issues) == 0 {
			break
		}
		for _, is := range issues {
			var rec []string
			for row < int(is.RowNumber) {
				if rec, err = f.next(); err != nil {
					return fmt.Errorf("imports: reading row %d of %s: %w", is.RowNumber, id, err)
				}
				row++
			}
			cells := make([]string, len(imp.Headers), len(imp.Headers)+1)
			copy(cells, rec)
			if err := out.Write(append(cells, is.Reason)); err != nil {
				return err
			}
			after = int(is.RowNumber)
		}
	}
	out.Flush()
	return out.Error()
}
