package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// QueueImports runs imports: each run reads a whole file and writes in large transactions, so
// few run at once and they cannot hold up the default queue's short jobs.
const QueueImports = "imports"

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
// ones it updated from its snapshots (unless they changed since). One transaction; a second
// run finds the import undone and does nothing.
type UndoImportArgs struct {
	WorkspaceID uuid.UUID `json:"workspace_id"`
	ImportID    uuid.UUID `json:"import_id"`
}

func (UndoImportArgs) Kind() string { return "undo_import" }

func (UndoImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueImports, MaxAttempts: 10}
}

// ImportRunner runs and undoes imports (internal/imports).
type ImportRunner interface {
	RunImport(ctx context.Context, ws, id uuid.UUID) error
	// FailImport marks an import failed after its last attempt, with the reason.
	FailImport(ctx context.Context, ws, id uuid.UUID, cause error) error
	UndoImport(ctx context.Context, ws, id uuid.UUID) error
}

// RunImportWorker hands the import to the runner.
type RunImportWorker struct {
	river.WorkerDefaults[RunImportArgs]
	Imports ImportRunner
}

func (w *RunImportWorker) Work(ctx context.Context, job *river.Job[RunImportArgs]) error {
	err := w.Imports.RunImport(ctx, job.Args.WorkspaceID, job.Args.ImportID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		return w.Imports.FailImport(ctx, job.Args.WorkspaceID, job.Args.ImportID, err)
	}
	return err
}

// Timeout bounds one attempt: a million rows take about a minute. A run cut short resumes
// from its last chunk on the next attempt. The timeout is also what lets River's rescuer take
// over the job of a worker that died (a job without a timeout is never rescued).
func (w *RunImportWorker) Timeout(*river.Job[RunImportArgs]) time.Duration { return time.Hour }

// UndoImportWorker hands the undo to the runner.
type UndoImportWorker struct {
	river.WorkerDefaults[UndoImportArgs]
	Imports ImportRunner
}

func (w *UndoImportWorker) Work(ctx context.Context, job *river.Job[UndoImportArgs]) error {
	return w.Imports.UndoImport(ctx, job.Args.WorkspaceID, job.Args.ImportID)
}

// Timeout covers deleting a million contacts in one transaction.
func (w *UndoImportWorker) Timeout(*river.Job[UndoImportArgs]) time.Duration { return 30 * time.Minute }
