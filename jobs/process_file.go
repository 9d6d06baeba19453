package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// ProcessFileArgs checks one uploaded contact file: its real type from the content, its SHA-256,
// and whether it may be kept (ready) or not (rejected). It is inserted in the transaction that
// records the upload, so an upload that rolls back leaves no job.
type ProcessFileArgs struct {
	WorkspaceID uuid.UUID `json:"workspace_id"`
	FileID      uuid.UUID `json:"file_id"`
}

func (ProcessFileArgs) Kind() string { return "process_file" }

func (ProcessFileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueFiles, MaxAttempts: 10}
}

// FileProcessor checks an uploaded file (internal/files). A file already checked is left as it
// is, so a second run changes nothing.
type FileProcessor interface {
	ProcessFile(ctx context.Context, ws, id uuid.UUID) error
}

// ProcessFileWorker hands the file to the processor.
type ProcessFileWorker struct {
	river.WorkerDefaults[ProcessFileArgs]
	Files FileProcessor
}

func (w *ProcessFileWorker) Work(ctx context.Context, job *river.Job[ProcessFileArgs]) error {
	return w.Files.ProcessFile(ctx, job.Args.WorkspaceID, job.Args.FileID)
}

// Timeout covers reading the largest allowed file from remote storage.
func (w *ProcessFileWorker) Timeout(*river.Job[ProcessFileArgs]) time.Duration {
	return 5 * time.Minute
}
