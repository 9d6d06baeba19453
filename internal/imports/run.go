package imports

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
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
// set-based: one statement finds the contacts that hold each row's details, one decides. During
// a run, earlier chunks are already written, so a row matching a contact the import touched
// before (in touched) is a duplicate inside the file; a preview (touched nil) stages the whole
// file and finds those duplicates among the staged rows.
func classify(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, mode string, p *plan, touched *touchedSet, before *flight,
	took timings) ([]db.MatchImportRowsRow, error) {
	ws := tx.WorkspaceID
	q := tx.Q
	var repeated []int32
	var matches []db.MatchImportRowsRow
	steps := []func() error{
		func() error { return q.AnalyzeImportStage(ctx) },
		func() error {
			var err error
			matches, err = q.MatchImportRows(ctx, db.MatchImportRowsParams{WorkspaceID: ws, AgentID: agentID})
			if err != nil || touched == nil {
				return err
			}
			repeated = touched.repeated(matches)
			return nil
		},
		func() error {
			args := db.DecideImportRowsParams{RepeatedRows: repeated, Mode: mode, Defaults: p.defaults, RequiredKeys: p.required}
			if before != nil {
				before.context(&args)
			}
			return q.DecideImportRows(ctx, args)
		},
		func() error {
			if len(p.retiring) == 0 {
				return nil
			}
			return q.RejectRetiredOptions(ctx, db.RejectRetiredOptionsParams{WorkspaceID: ws, AgentID: agentID})
		},
		func() error {
			if len(p.unique) == 0 {
				return nil
			}
			args := db.RejectTakenCustomValuesParams{WorkspaceID: ws, AgentID: agentID, UniqueKeys: p.unique}
			if before != nil {
				args.ContextKeys, args.ContextValues = before.uniqueKeys, before.uniqueValues
			}
			return q.RejectTakenCustomValues(ctx, args)
		},
		func() error {
			return q.SkipUnchangedRows(ctx, db.SkipUnchangedRowsParams{WorkspaceID: ws, AgentID: agentID})
		},
	}
	for i, step := range steps {
		began := time.Now()
		if err := step(); err != nil {
			return nil, err
		}
		took[classifySteps[i]] += time.Since(began)
	}
	return matches, nil
}

// classifySteps name classify's steps in the chunk timings logged at debug level.
var classifySteps = []string{"analyze", "match", "decide", "reject_retired", "reject_taken_custom", "skip_unchanged"}

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
	return c, topReasons(reasons)
}

// MaxReasons bounds a preview's reasons: a reason names the value at fault ('invalid phone
// "+1 555 0100"'), so a file of 50,000 bad phones has 50,000 of them.
const MaxReasons = 20

// topReasons orders the reasons by rows, most first, and keeps the MaxReasons first; the
// others are folded into one line per outcome ("412 other reasons"), so the counts still add up
// (a single one left over is listed itself).
func topReasons(reasons []Reason) []Reason {
	slices.SortStableFunc(reasons, func(a, b Reason) int {
		if a.Rows != b.Rows {
			return b.Rows - a.Rows
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	if len(reasons) <= MaxReasons {
		return reasons
	}
	out := reasons[:MaxReasons:MaxReasons]
	type folded struct {
		reasons []Reason
		rows    int
	}
	others := map[string]*folded{}
	var order []string
	for _, r := range reasons[MaxReasons:] {
		f := others[r.Outcome]
		if f == nil {
			f = &folded{}
			others[r.Outcome] = f
			order = append(order, r.Outcome)
		}
		f.reasons = append(f.reasons, r)
		f.rows += r.Rows
	}
	for _, outcome := range order {
		f := others[outcome]
		if len(f.reasons) == 1 {
			out = append(out, f.reasons[0])
			continue
		}
		out = append(out, Reason{Outcome: outcome, Reason: fmt.Sprintf("%d other reasons", len(f.reasons)), Rows: f.rows})
	}
	return out
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
		if _, err := classify(ctx, tx, agentID, imp.Mode, p, nil, nil, timings{}); err != nil {
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

// errStop ends a run without an error: the import ended (finished, cancelled, failed).
var errStop = errors.New("imports: the run stops")

// errOvertaken ends a run whose chunk found the checkpoint moved by another run of the same
// job (an attempt River rescued while it was still committing). The import is not over: the
// run asks to go again (jobs.ErrRunAgain) and resumes from the checkpoint, so the job stays
// live. Ending it without an error instead would complete the job with the import unfinished.
var errOvertaken = errors.New("imports: another run of the job moved the checkpoint")

// errCancelled is a chunk that found the import cancelled when it came to commit: its writes
// are rolled back and the cancellation is committed on its own.
var errCancelled = errors.New("imports: cancelled")

// errFileErased answers for the report of an import whose file is gone: its retention
// (GUESTLIST_IMPORT_FILE_RETENTION, housekeeping.go) ended, or an erase of a contact it held
// took it. file_erased_at does not say which (the audit log does).
func errFileErased() error {
	return apperr.New(apperr.Conflict, "the import's file was deleted: import files are kept for a limited time after the run, "+
		"and deleted sooner when a contact they held is erased; its error report went with it")
}

// RunImport is the run_import job: the file, chunk after chunk, each chunk in one transaction
// with its checkpoint. It resumes after the last committed chunk; an import that is no longer
// queued or running is left as it is.
//
// Two chunks are written at once, on two connections: the database does most of an import's
// work, one core per connection, and a chunk's transaction spends most of its time writing
// contacts that the next chunk does not touch. Chunk k is staged, classified and written while
// chunk k-1 is still being written; it commits after it (both take the import's lock to
// commit, and k checks that the checkpoint is where k-1 left it). Chunk k cannot see k-1's
// contacts before they commit, so it is classified with k-1's rows as context: a row of k
// repeating a key of k-1, or matching the same contact, is a duplicate inside the file, as it
// would be within one chunk; the contacts of earlier chunks are committed and found as before.
//
// A run works for its time slice (Config.Slice), then lets the chunks in flight commit and
// returns jobs.ErrRunAgain; the next run resumes from there like any other. So one attempt stays
// short, and so does its job's timeout, after which River's rescuer takes over the import of a
// worker that died.
func (s *Service) RunImport(ctx context.Context, ws, id uuid.UUID) error {
	sliceStart := time.Now()
	var r db.Import
	var p *plan
	var starting uuid.NullUUID
	touched := &touchedSet{ids: map[uuid.UUID]struct{}{}} // the contacts written by committed chunks
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		if r, err = tx.Q.GetImportByID(ctx, db.GetImportByIDParams{WorkspaceID: ws, ID: id}); err != nil {
			return err
		}
		if r.Status != Queued && r.Status != Running {
			return errStop
		}
		// The run starts now: its rate is counted from here, not from its first commit.
		if err := tx.Q.BeginImportRun(ctx, db.BeginImportRunParams{WorkspaceID: ws, ID: id}); err != nil {
			return err
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
		touched.add(ids)
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
	resumedAt := done
	for range done {
		if _, err := f.next(); err != nil {
			return fmt.Errorf("imports: skipping to row %d: %w", done, err)
		}
	}
	// The file is read and validated ahead of the database: the next chunk waits, read, while
	// two are written. At most three chunks are in memory.
	chunks := make(chan chunk)
	readCtx, stopReading := context.WithCancel(ctx)
	readerDone := make(chan struct{})
	// The reader has stopped (after the chunk it is reading) before the file is closed.
	defer func() {
		stopReading()
		<-readerDone
	}()
	go func() {
		defer close(readerDone)
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
	// At most two chunks in flight; the older one's result decides the run.
	var flying []*flight
	settle := func() error {
		f := flying[0]
		flying = flying[1:]
		<-f.written
		return f.err
	}
	finish := func(err error) error {
		for len(flying) > 0 {
			if e := settle(); err == nil {
				err = e
			}
		}
		switch {
		case errors.Is(err, errStop):
			return nil
		case errors.Is(err, errOvertaken):
			return jobs.ErrRunAgain
		}
		return err
	}
	for c := range chunks {
		if c.err != nil {
			return finish(c.err)
		}
		// The slice is over: the chunks in flight commit, this one is read again next time (a
		// run writes at least one chunk, so every run makes progress).
		if !c.eof && done > resumedAt && time.Since(sliceStart) >= s.slice {
			stopReading()
			if err := finish(nil); err != nil {
				return err
			}
			return jobs.ErrRunAgain
		}
		// A run's first chunk is written alone: the next one is classified once it has committed
		// and contacts' statistics have caught up with it (refreshStatistics). Classified beside
		// it, on an agent the planner still took for nearly empty, the next chunk's lookups
		// walked the first chunk's 20,000 new index entries for every row (15 s for one chunk on
		// a fresh deployment).
		if len(flying) == 2 || (len(flying) == 1 && flying[0].from == resumedAt) {
			if err := settle(); err != nil {
				return finish(err)
			}
		}
		var before *flight
		if len(flying) > 0 {
			before = flying[0]
		}
		fl := &flight{rows: c.rows, n: len(c.rows), from: done, last: c.eof, classified: make(chan struct{}), written: make(chan struct{})}
		flying = append(flying, fl)
		go func() {
			defer close(fl.written)
			fl.err = s.writeChunk(ctx, ws, r, p, starting, fl, before, touched)
		}()
		done += len(c.rows)
		if c.eof {
			return finish(nil)
		}
	}
	return finish(ctx.Err())
}

// chunk is rows read from the file, ready to stage.
type chunk struct {
	rows []db.StageImportRowsParams
	eof  bool
	err  error
}

// flight is a chunk being written.
type flight struct {
	rows []db.StageImportRowsParams // released once classified: only keys are needed then
	n    int                        // how many rows
	from int                        // the rows before it
	last bool                       // the file's final rows: the import ends with them
	// closed when the chunk's rows are classified (ok and keys set) or the chunk has failed
	// before
	classified chan struct{}
	ok         bool
	keys       db.DecideImportRowsParams // the context the next chunk is classified with
	// the unique custom values the chunk writes (key, jsonb text), for the next chunk too
	uniqueKeys, uniqueValues []string
	// the checkpoint and counts the chunk commits with
	advance db.AdvanceImportParams
	// closed when the chunk's transaction has ended (err set)
	written chan struct{}
	err     error
}

// context gives the next chunk this chunk's clean rows, their keys and matched contacts (see
// RunImport). The caller has waited for classified.
func (f *flight) context(args *db.DecideImportRowsParams) {
	args.ContextRows, args.ContextExternalIds, args.ContextEmails = f.keys.ContextRows, f.keys.ContextExternalIds, f.keys.ContextEmails
	args.ContextPhones, args.ContextMatches = f.keys.ContextPhones, f.keys.ContextMatches
}

// classifiedAs keeps the chunk's clean rows' keys and matched contacts for the next chunk and
// lets go of the rows.
func (f *flight) classifiedAs(matches []db.MatchImportRowsRow) {
	matched := make(map[int32]uuid.UUID, len(matches))
	for _, m := range matches {
		matched[m.RowNumber] = m.MatchID
	}
	args := &f.keys
	orEmpty := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	for _, r := range f.rows {
		if r.Problem != nil {
			continue
		}
		args.ContextRows = append(args.ContextRows, r.RowNumber)
		args.ContextExternalIds = append(args.ContextExternalIds, orEmpty(r.ExternalID))
		args.ContextEmails = append(args.ContextEmails, orEmpty(r.EmailNormalized))
		args.ContextPhones = append(args.ContextPhones, orEmpty(r.Phone))
		args.ContextMatches = append(args.ContextMatches, matched[r.RowNumber]) // uuid.Nil: none
	}
	f.rows, f.ok = nil, true
}

// touchedSet is the contacts that committed chunks of the run created or updated: a later row
// matching one repeats an earlier row of the file. The run keeps the ids in memory (16 bytes a
// contact): a join with import_changes, which grows faster than its statistics, was planned as
// a nested scan (90 s for one chunk).
type touchedSet struct {
	mu  sync.Mutex
	ids map[uuid.UUID]struct{}
}

func (t *touchedSet) add(ids ...[]uuid.UUID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, list := range ids {
		for _, id := range list {
			t.ids[id] = struct{}{}
		}
	}
}

// repeated returns the rows whose match is a touched contact.
func (t *touchedSet) repeated(matches []db.MatchImportRowsRow) []int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int32
	for _, m := range matches {
		if _, ok := t.ids[m.MatchID]; ok {
			out = append(out, m.RowNumber)
		}
	}
	return out
}

// writeChunk writes one chunk in one transaction: outcomes, contacts, snapshots, automation
// jobs and the checkpoint commit together. The import's lock is taken last, after the chunk
// before has committed (see RunImport): then the checkpoint must be where this chunk starts,
// the import still queued or running and not cancelled; otherwise everything is rolled back.
func (s *Service) writeChunk(ctx context.Context, ws uuid.UUID, r db.Import, p *plan, starting uuid.NullUUID, fl, before *flight,
	touched *touchedSet) error {
	classified := false
	defer func() {
		if !classified {
			close(fl.classified)
		}
	}()
	var created, updated []uuid.UUID
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if err := tx.Q.BoundImportLockWaits(ctx); err != nil {
			return err
		}
		if fl.n > 0 {
			var err error
			created, updated, err = s.writeRows(ctx, tx, r, p, starting, fl, before, touched, func() {
				classified = true
				close(fl.classified)
			})
			if err != nil {
				return err
			}
		}
		if before != nil {
			// Chunks commit in file order: this one after the one before has ended.
			select {
			case <-before.written:
			case <-ctx.Done():
				return ctx.Err()
			}
			if before.err != nil {
				return errStop // the run ends with the chunk before's outcome
			}
		}
		cur, err := tx.Q.LockImport(ctx, db.LockImportParams{WorkspaceID: ws, ID: r.ID})
		if err != nil {
			return err
		}
		switch {
		case cur.Status != Queued && cur.Status != Running:
			return errStop
		case int(cur.RowsDone) != fl.from:
			return errOvertaken
		case cur.CancelRequested:
			return errCancelled
		case cur.Status == Queued:
			if err := tx.Q.StartImportRun(ctx, db.StartImportRunParams{WorkspaceID: ws, ID: r.ID}); err != nil {
				return err
			}
		}
		if fl.n > 0 {
			if err := tx.Q.AdvanceImport(ctx, fl.advance); err != nil {
				return err
			}
		}
		if fl.last {
			if _, err := tx.Q.EndImport(ctx, db.EndImportParams{WorkspaceID: ws, ID: r.ID, Status: Finished}); err != nil {
				return err
			}
			return s.recordEnd(ctx, tx, r.ID, Finished)
		}
		return nil
	})
	if errors.Is(err, errCancelled) {
		if err := s.cancelRun(ctx, ws, r.ID, fl.from); err != nil {
			return err
		}
		return errStop
	}
	if err == nil {
		// Kept for the chunks after the next; a chunk that fails ends the run, and the next
		// attempt reads them again from import_changes.
		touched.add(created, updated)
		s.refreshStatistics(ctx, ws, len(created)+len(updated))
	}
	return err
}

// refreshStatistics has contacts analyzed when a chunk left the planner's statistics stale
// (00028): on a first import, the next chunks' and the automations' lookups by id would walk the
// agent's contacts until autovacuum came by. Only a hint: a failure is logged, not the run's.
func (s *Service) refreshStatistics(ctx context.Context, ws uuid.UUID, written int) {
	if written == 0 {
		return
	}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		analyzed, err := tx.Q.RefreshContactStatistics(ctx, int64(written))
		if analyzed {
			slog.DebugContext(ctx, "imports: contacts analyzed after a chunk", "rows", written)
		}
		return err
	})
	if err != nil && ctx.Err() == nil {
		slog.WarnContext(ctx, "imports: refreshing the statistics on contacts", "err", err)
	}
}

// cancelRun commits a requested cancellation, the rows before `from` written.
func (s *Service) cancelRun(ctx context.Context, ws, id uuid.UUID, from int) error {
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		cur, err := tx.Q.LockImport(ctx, db.LockImportParams{WorkspaceID: ws, ID: id})
		if err != nil {
			return err
		}
		if (cur.Status != Queued && cur.Status != Running) || int(cur.RowsDone) != from {
			return nil
		}
		if _, err := tx.Q.EndImport(ctx, db.EndImportParams{WorkspaceID: ws, ID: id, Status: Cancelled}); err != nil {
			return err
		}
		return s.recordEnd(ctx, tx, id, Cancelled)
	})
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

// writeRows stages, classifies and writes one chunk inside tx and sets the chunk's checkpoint
// (fl.advance). classified is called once the rows are classified (fl.ok, fl.keys).
func (s *Service) writeRows(ctx context.Context, tx tenant.Tx, r db.Import, p *plan, starting uuid.NullUUID, fl, before *flight,
	touched *touchedSet, classified func()) (created, updated []uuid.UUID, err error) {
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
		return stage(ctx, tx, fl.rows)
	}); err != nil {
		return nil, nil, err
	}
	if before != nil {
		if err := step("wait_for_chunk_before", func() error {
			select {
			case <-before.classified:
			case <-ctx.Done():
				return ctx.Err()
			}
			if !before.ok && before.n > 0 {
				return errStop // the chunk before failed: this one is not written
			}
			return nil
		}); err != nil {
			return nil, nil, err
		}
	}
	matches, err := classify(ctx, tx, r.AgentID, r.Mode, p, touched, before, took)
	if err != nil {
		return nil, nil, err
	}
	if len(p.unique) > 0 {
		values, err := q.ImportStageUniqueValues(ctx, p.unique)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range values {
			fl.uniqueKeys, fl.uniqueValues = append(fl.uniqueKeys, v.Key), append(fl.uniqueValues, v.Value)
		}
	}
	fl.classifiedAs(matches)
	classified()
	if err := step("snapshot", func() error {
		return q.SnapshotImportUpdates(ctx, db.SnapshotImportUpdatesParams{WorkspaceID: ws, ImportID: r.ID, AgentID: r.AgentID})
	}); err != nil {
		return nil, nil, err
	}
	if err := step("update", func() error {
		var err error
		updated, err = q.ApplyImportUpdates(ctx, db.ApplyImportUpdatesParams{WorkspaceID: ws, AgentID: r.AgentID})
		return err
	}); err != nil {
		return nil, nil, err
	}
	if err := step("insert", func() error {
		var err error
		created, err = q.InsertImportedContacts(ctx, db.InsertImportedContactsParams{WorkspaceID: ws, AgentID: r.AgentID,
			StartingStage: starting, CreatedBy: r.CreatedBy, Defaults: p.defaults})
		return err
	}); err != nil {
		return nil, nil, err
	}
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
		c, _ := tally(summary)
		fl.advance = db.AdvanceImportParams{WorkspaceID: ws, ID: r.ID, RowsDone: int32(fl.from + fl.n),
			Created: int32(c.create), Updated: int32(c.update), Skipped: int32(c.skip), Rejected: int32(c.reject)}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// The new contacts' automations (owners, notifications), in bulk, committed with them.
	err = step("automation_jobs", func() error {
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
	slog.DebugContext(ctx, "imports: chunk written", append([]any{"import", r.ID, "from", fl.from, "rows", fl.n}, took.attrs()...)...)
	return created, updated, err
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
		// A member who asked to cancel gets what they asked for: the run is over either way, and
		// the rows written so far are kept as a cancel keeps them; the error says why it ended.
		// So does a run whose job an operator cancelled through River.
		status := Failed
		if cur.CancelRequested || errors.Is(cause, errRunCancelled) {
			status = Cancelled
		}
		if _, err := tx.Q.EndImport(ctx, db.EndImportParams{WorkspaceID: ws, ID: id, Status: status, Error: &msg}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "fail", Resource: "imports", ResourceID: id.String(), Outcome: audit.Failure,
			After: map[string]any{"error": msg, "rows_done": cur.RowsDone, "status": status}})
	})
}

// ErrorReport writes the rejected rows as CSV: the file's own columns, as they were, and a
// reason column; fixed, it can be uploaded again. Every cell, the header's too, goes through
// Neutralize (a file with a formula in it is opened in a spreadsheet to be fixed); the import
// reads such cells back without the apostrophe (Unneutralize), so a report uploaded again
// imports the values the file had. The stored file is read once, alongside the rejected row
// numbers in file order, so memory stays constant.
func (s *Service) ErrorReport(ctx context.Context, ws, agentID, id uuid.UUID, w io.Writer) error {
	var r db.Import
	if err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		r, err = lookup(ctx, tx, agentID, id)
		return err
	}); err != nil {
		return err
	}
	if r.FileErasedAt != nil {
		return errFileErased()
	}
	f, closer, err := s.open(ctx, r)
	if err != nil {
		return err
	}
	defer closer.Close()
	out := csv.NewWriter(w)
	imp := fromRow(r)
	header := make([]string, 0, len(imp.Headers)+1)
	for _, h := range imp.Headers {
		header = append(header, Neutralize(h))
	}
	if err := out.Write(append(header, "reason")); err != nil {
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
			cells = append(cells, is.Reason)
			for i, cell := range cells {
				cells[i] = Neutralize(cell)
			}
			if err := out.Write(cells); err != nil {
				return err
			}
			after = int(is.RowNumber)
		}
	}
	out.Flush()
	return out.Error()
}
