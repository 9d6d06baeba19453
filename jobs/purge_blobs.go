package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// PurgeBlobsArgs deletes stored file contents whose rows are gone: the files of a deleted
// contact (FileIDs), or everything of a deleted workspace (All). It is inserted in the
// transaction that deletes the rows, so the contents go exactly when the rows do.
type PurgeBlobsArgs struct {
	WorkspaceID uuid.UUID   `json:"workspace_id"`
	FileIDs     []uuid.UUID `json:"file_ids,omitempty"`
	All         bool        `json:"all,omitempty"`
}

func (PurgeBlobsArgs) Kind() string { return "purge_blobs" }

func (PurgeBlobsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueFiles, MaxAttempts: 20}
}

// BlobPurger deletes stored contents (internal/files); contents already gone are no error, so
// a second run changes nothing.
type BlobPurger interface {
	PurgeBlobs(ctx context.Context, ws uuid.UUID, fileIDs []uuid.UUID, all bool) error
}

// PurgeBlobsWorker hands the purge to the purger.
type PurgeBlobsWorker struct {
	river.WorkerDefaults[PurgeBlobsArgs]
	Blobs BlobPurger
}

func (w *PurgeBlobsWorker) Work(ctx context.Context, job *river.Job[PurgeBlobsArgs]) error {
	return w.Blobs.PurgeBlobs(ctx, job.Args.WorkspaceID, job.Args.FileIDs, job.Args.All)
}

func (w *PurgeBlobsWorker) Timeout(*river.Job[PurgeBlobsArgs]) time.Duration { return 30 * time.Minute }

// PurgeImportFilesArgs deletes the stored files of imports (ImportIDs) that held an erased
// contact's row. It is inserted in the erase's transaction, which marks the imports.
type PurgeImportFilesArgs struct {
	WorkspaceID uuid.UUID   `json:"workspace_id"`
	ImportIDs   []uuid.UUID `json:"import_ids"`
}

func (PurgeImportFilesArgs) Kind() string { return "purge_import_files" }

func (PurgeImportFilesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueFiles, MaxAttempts: 20}
}

// PurgeImportFilesWorker hands the purge to the imports.
type PurgeImportFilesWorker struct {
	river.WorkerDefaults[PurgeImportFilesArgs]
	Imports ImportRunner
}

func (w *PurgeImportFilesWorker) Work(ctx context.Context, job *river.Job[PurgeImportFilesArgs]) error {
	return w.Imports.PurgeImportFiles(ctx, job.Args.WorkspaceID, job.Args.ImportIDs)
}
