// Package jobs declares every River job: its args (kind, queue, retries) and a thin worker that
// calls a capability's service through a small interface. It imports no capability package;
// internal/app wires the services in.
package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Inserter inserts jobs inside the transaction that causes them: the River client. Services
// take it so that a job commits, or rolls back, with its reason.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	// InsertManyTx inserts many jobs in one statement (an import's automations, notifications).
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Queues, each with its own concurrency so a burst of one kind cannot starve another.
const (
	QueueDefault = "default"
	QueueMail    = "mail"
	// QueueFiles checks uploaded files: each job reads a whole file (up to
	// GUESTLIST_FILE_MAX_BYTES), so fewer run at once.
	QueueFiles = "files"
	// QueueAutomations runs the contact-created automations: one job per new contact, so it
	// fetches often (River's default 100 ms between fetches would cap it near 100 jobs/s per
	// worker process) and runs more at once; its jobs are short transactions.
	QueueAutomations = "automations"
)

// Queues is the queue configuration of a worker process.
func Queues() map[string]river.QueueConfig {
	return map[string]river.QueueConfig{
		QueueDefault:     {MaxWorkers: 10},
		QueueMail:        {MaxWorkers: 5},
		QueueFiles:       {MaxWorkers: 4},
		QueueAutomations: {MaxWorkers: 100, FetchCooldown: 5 * time.Millisecond},
		QueueImports:     {MaxWorkers: 2},
	}
}

// Deps are the services the workers call.
type Deps struct {
	Mail      EmailSender
	Sessions  SessionExpirer
	Files     FileProcessor
	Blobs     BlobPurger
	Automator ContactAutomator
	Imports   ImportRunner
	Tidier    ImportTidier
}

// Workers registers every worker.
func Workers(d Deps) (*river.Workers, error) {
	w := river.NewWorkers()
	if err := river.AddWorkerSafely(w, &SendEmailWorker{Sender: d.Mail}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &ExpireSessionsWorker{Sessions: d.Sessions}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &ProcessFileWorker{Files: d.Files}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &PurgeBlobsWorker{Blobs: d.Blobs}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &AutomateContactsWorker{Automator: d.Automator}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &RunImportWorker{Imports: d.Imports}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &UndoImportWorker{Imports: d.Imports}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &PurgeImportFilesWorker{Imports: d.Imports}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(w, &TidyImportsWorker{Imports: d.Tidier}); err != nil {
		return nil, err
	}
	return w, nil
}

// Periodic is every job that runs on a schedule. River's elected leader inserts them, so
// several worker processes do not multiply them.
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ExpireSessionsArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(TidyImportsEvery),
			func() (river.JobArgs, *river.InsertOpts) { return TidyImportsArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
