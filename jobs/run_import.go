package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// QueueImports runs imports: each run reads a whole file and writes in large transactions, so
// few run at once and they cannot hold up the default queue's short jobs.
const QueueImports = "imports"

// ErrRunAgain is what a job's work returns when it stopped at a safe point before the end (an
// import after its time slice): its worker asks River to run the job again at once.
var ErrRunAgain = errors.New("jobs: stopped at a safe point; run again to go on")

// RunImportArgs works an import's file in chunks (internal/imports). Each chunk commits with
// its checkpoint under the import's lock, so a run killed mid-way resumes from the last chunk,
// and two runs of the same job never write the same rows. Inserted in the transaction that
// queues the import.
type RunImportArgs struct {
	WorkspaceID uuid.UUID `json:"workspace_id"`
	ImportID    uuid.UUID `json:"import_id"`
}

func (RunImportArgs) Kind() string { return "run_import" }

func (RunImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueImports, MaxAttempts: RunImportAttempts}
}

// RunImportAttempts is how often a run is tried before the import is marked failed.
const RunImportAttempts = 5

// UndoImportArgs reverts a finished import: deletes the contacts it created and restores the
// ones it updated from its snapshots (unless they changed since, or a value to restore now
// belongs to another contact). One transaction; a second run finds the import undone and does
// nothing. After the last attempt the import is marked failed (FailUndo), never left undoing.
type UndoImportArgs struct {
	WorkspaceID uuid.UUID `json:"workspace_id"`
	ImportID    uuid.UUID `json:"import_id"`
}

func (UndoImportArgs) Kind() string { return "undo_import" }

func (UndoImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueImports, MaxAttempts: UndoImportAttempts}
}

// UndoImportAttempts is how often an undo is tried before the import is marked failed.
const UndoImportAttempts = 10

// ImportRunner runs and undoes imports (internal/imports).
type ImportRunner interface {
	RunImport(ctx context.Context, ws, id uuid.UUID) error
	// Slice is how long one run works before it returns ErrRunAgain.
	Slice() time.Duration
	// FailImport marks an import failed after its last attempt, with the reason.
	FailImport(ctx context.Context, ws, id uuid.UUID, cause error) error
	UndoImport(ctx context.Context, ws, id uuid.UUID) error
	// FailUndo marks an undo failed after its last attempt (nothing was undone), with the
	// reason, so that the import does not stay undoing.
	FailUndo(ctx context.Context, ws, id uuid.UUID, cause error) error
	// PurgeImportFiles deletes the stored files of imports; files already gone are no error.
	PurgeImportFiles(ctx context.Context, ws uuid.UUID, ids []uuid.UUID) error
}

// RunImportWorker hands the import to the runner.
type RunImportWorker struct {
	river.WorkerDefaults[RunImportArgs]
	Imports ImportRunner
}

func (w *RunImportWorker) Work(ctx context.Context, job *river.Job[RunImportArgs]) error {
	err := w.Imports.RunImport(ctx, job.Args.WorkspaceID, job.Args.ImportID)
	if errors.Is(err, ErrRunAgain) {
		return river.JobSnooze(0) // at once, and not counted as an attempt
	}
	if err != nil && job.Attempt >= job.MaxAttempts {
		ctx, cancel := afterLastAttempt(ctx)
		defer cancel()
		return w.Imports.FailImport(ctx, job.Args.WorkspaceID, job.Args.ImportID, err)
	}
	return err
}

// afterLastAttempt is the context in which a job's last failure is recorded: the attempt's
// own may have ended (its timeout is often why it failed).
func afterLastAttempt(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
}

// Timeout bounds one attempt: a run stops at a committed chunk once its time slice
// (GUESTLIST_IMPORT_SLICE, 2 minutes by default) is over, and goes on in the next; the slack
// covers the chunks in flight and the next run's skip to its checkpoint. The job of a worker
// that died (SIGKILL, a lost machine) stays running in River: a worker that starts again does
// not take it over. River's rescuer (in the leader worker, every 30 s) makes it retryable once
// its attempt is older than both GUESTLIST_JOB_RESCUE_AFTER and this timeout: about 10 minutes
// with the defaults.
func (w *RunImportWorker) Timeout(*river.Job[RunImportArgs]) time.Duration {
	return max(5*w.Imports.Slice(), time.Minute)
}

// UndoImportWorker hands the undo to the runner.
type UndoImportWorker struct {
	river.WorkerDefaults[UndoImportArgs]
	Imports ImportRunner
}

func (w *UndoImportWorker) Work(ctx context.Context, job *river.Job[UndoImportArgs]) error {
	err := w.Imports.UndoImport(ctx, job.Args.WorkspaceID, job.Args.ImportID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		ctx, cancel := afterLastAttempt(ctx)
		defer cancel()
		return w.Imports.FailUndo(ctx, job.Args.WorkspaceID, job.Args.ImportID, err)
	}
	return err
}

// Timeout covers deleting a million contacts in one transaction.
func (w *UndoImportWorker) Timeout(*river.Job[UndoImportArgs]) time.Duration { return 30 * time.Minute }
