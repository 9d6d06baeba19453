package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// TidyImportsArgs is the imports' housekeeping, periodic (TidyImportsEvery), over every
// workspace (internal/imports, housekeeping.go):
//   - an import left queued, running or undoing whose job is no longer live (a worker killed
//     during the job's last attempt: River's rescuer discards the job without calling the
//     worker, so FailImport or FailUndo never ran) is marked failed, with the reason;
//   - the stored files of imports whose run ended longer ago than
//     GUESTLIST_IMPORT_FILE_RETENTION are deleted (marked, and purged by purge_import_files).
//
// Running it twice, or two at once, does each thing once: every action checks the import again
// under its lock in its workspace's transaction.
type TidyImportsArgs struct{}

func (TidyImportsArgs) Kind() string { return "tidy_imports" }

// InsertOpts: no uniqueness, as for expire_sessions: only River's elected leader enqueues
// periodic jobs, and a sweep finds nothing left by the one before. Few attempts: the next
// sweep comes in minutes anyway.
func (TidyImportsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: 3}
}

// TidyImportsEvery is how often the sweep runs. An abandoned import waits at most this long
// after River gave its job up; an expired file at most this long past its retention.
const TidyImportsEvery = 5 * time.Minute

// ImportTidier does the imports' housekeeping (internal/imports).
type ImportTidier interface {
	TidyImports(ctx context.Context) error
}

// TidyImportsWorker calls the tidier.
type TidyImportsWorker struct {
	river.WorkerDefaults[TidyImportsArgs]
	Imports ImportTidier
}

func (w *TidyImportsWorker) Work(ctx context.Context, _ *river.Job[TidyImportsArgs]) error {
	return w.Imports.TidyImports(ctx)
}

// Timeout: a sweep acts on at most a bounded batch (imports.TidyBatch of each kind), one short
// transaction per workspace.
func (w *TidyImportsWorker) Timeout(*river.Job[TidyImportsArgs]) time.Duration {
	return 5 * time.Minute
}
