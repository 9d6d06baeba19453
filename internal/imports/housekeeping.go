package imports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// TidyBatch is how many imports of each kind (failed runs, failed undos, expired files) one
// sweep acts on at most; the next sweep takes the rest. It keeps a sweep's work bounded when
// a retention is first turned on over years of imports.
const TidyBatch = 1000

// The actions import_housekeeping() answers (db/migrations/00022_import_housekeeping.sql;
// cancel_* since 00026).
const (
	tidyFailRun    = "fail_run"
	tidyFailUndo   = "fail_undo"
	tidyCancelRun  = "cancel_run"
	tidyCancelUndo = "cancel_undo"
	tidyPurgeFile  = "purge_file"
)

// errRunCancelled is why a run whose job was cancelled through River ends; FailImport ends such
// an import cancelled, as a member's cancel would, rows kept.
var errRunCancelled = apperr.New(apperr.Internal,
	"the run stopped: its job was cancelled outside the app (through River, by an operator); the rows written so far are kept and can be undone")

// errUndoCancelled is why an undo whose job was cancelled through River fails.
var errUndoCancelled = apperr.New(apperr.Internal,
	"its job was cancelled outside the app (through River, by an operator); the contacts are as the import left them. Try the undo again.")

// errRunLost is why an abandoned run is failed (FailImport records its message).
func errRunLost() error {
	return apperr.New(apperr.Internal, "the run stopped: its worker was lost on the last attempt; the rows written so far are kept and can be undone")
}

// errUndoLost is why an abandoned undo is failed (FailUndo puts "The undo failed, so nothing was
// undone: " before it). An undo is one transaction, so a lost worker's undo left nothing done.
func errUndoLost() error {
	return apperr.New(apperr.Internal, "its worker was lost on the last attempt; the contacts are as the import left them. Try the undo again.")
}

// TidyImports is the tidy_imports job, the imports' housekeeping across workspaces:
//
//   - Abandoned imports. An import stays queued, running or undoing when its job ends without
//     our worker's last word: a worker killed during the last attempt is discarded by River's
//     rescuer, which does not call the worker, so FailImport or FailUndo never ran. Such an
//     import (no live job left: discarded, completed or gone) is marked failed through
//     FailImport or FailUndo, with the reason; the rows a run wrote stay and can be undone. A
//     job cancelled through River (an operator) is said so: its run ends cancelled, its undo
//     failed. A live job (available, scheduled — a snoozed time slice —, running, retryable,
//     pending) is never touched.
//   - File retention. The stored file of an import whose run ended longer ago than
//     GUESTLIST_IMPORT_FILE_RETENTION goes, as an erase takes it: the import is marked
//     (file_erased_at; its error report answers 409) and a purge_import_files job deletes the
//     file. Undo does not need the file (it works from the snapshots).
//
// The list comes from import_housekeeping(), the reviewed definer function, as
// (workspace, import, action) only; each action then runs in its workspace's own transaction
// (tenant.Tx), where the import is checked again under its lock: a sweep that raced a change,
// or another sweep, does nothing twice. One workspace's failure does not stop the others; the
// job returns the errors joined, and River retries it.
func (s *Service) TidyImports(ctx context.Context) error {
	retention := pgtype.Interval{}
	if s.fileRetention > 0 {
		retention = pgtype.Interval{Microseconds: s.fileRetention.Microseconds(), Valid: true}
	}
	var list []db.ImportHousekeepingRow
	// No workspace: the function is the only thing this transaction can read imports through.
	if err := s.tenants.PlatformTx(ctx, func(q *db.Queries) error {
		var err error
		list, err = q.ImportHousekeeping(ctx, db.ImportHousekeepingParams{FileRetention: retention, MaxRows: TidyBatch})
		return err
	}); err != nil {
		return fmt.Errorf("imports: housekeeping: %w", err)
	}
	var errs []error
	expired := map[uuid.UUID][]uuid.UUID{}
	for _, h := range list {
		switch h.Action {
		case tidyFailRun:
			slog.WarnContext(ctx, "imports: the run's job ended without finishing it (its worker was lost); marking the import failed",
				"workspace", h.WorkspaceID, "import", h.ImportID)
			if err := s.FailImport(ctx, h.WorkspaceID, h.ImportID, errRunLost()); err != nil {
				errs = append(errs, fmt.Errorf("imports: failing the abandoned run of %s: %w", h.ImportID, err))
			}
		case tidyFailUndo:
			slog.WarnContext(ctx, "imports: the undo's job ended without finishing it (its worker was lost); marking the import failed",
				"workspace", h.WorkspaceID, "import", h.ImportID)
			if err := s.FailUndo(ctx, h.WorkspaceID, h.ImportID, errUndoLost()); err != nil {
				errs = append(errs, fmt.Errorf("imports: failing the abandoned undo of %s: %w", h.ImportID, err))
			}
		case tidyCancelRun:
			slog.WarnContext(ctx, "imports: the run's job was cancelled through River; marking the import cancelled",
				"workspace", h.WorkspaceID, "import", h.ImportID)
			if err := s.FailImport(ctx, h.WorkspaceID, h.ImportID, errRunCancelled); err != nil {
				errs = append(errs, fmt.Errorf("imports: ending the cancelled run of %s: %w", h.ImportID, err))
			}
		case tidyCancelUndo:
			slog.WarnContext(ctx, "imports: the undo's job was cancelled through River; marking the undo failed",
				"workspace", h.WorkspaceID, "import", h.ImportID)
			if err := s.FailUndo(ctx, h.WorkspaceID, h.ImportID, errUndoCancelled); err != nil {
				errs = append(errs, fmt.Errorf("imports: failing the cancelled undo of %s: %w", h.ImportID, err))
			}
		case tidyPurgeFile:
			expired[h.WorkspaceID] = append(expired[h.WorkspaceID], h.ImportID)
		default:
			errs = append(errs, fmt.Errorf("imports: housekeeping: unknown action %q", h.Action))
		}
	}
	for ws, ids := range expired {
		n, err := s.expireFiles(ctx, ws, ids, retention)
		if err != nil {
			errs = append(errs, fmt.Errorf("imports: expiring the files of workspace %s: %w", ws, err))
			continue
		}
		if n > 0 {
			slog.InfoContext(ctx, "imports: files past their retention are deleted", "workspace", ws, "imports", n,
				"retention", s.fileRetention.String())
		}
	}
	return errors.Join(errs...)
}

// expireFiles marks the workspace's imports among ids whose files are past the retention (the
// query checks again; an upload never started is cancelled with it) and inserts the purge_import_files job in the same transaction, as an
// erase does: the mark and the deletion commit together. One audit entry per import says why
// its file went (file_erased_at alone cannot tell a retention from an erase).
func (s *Service) expireFiles(ctx context.Context, ws uuid.UUID, ids []uuid.UUID, retention pgtype.Interval) (int, error) {
	var n int
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		expired, err := tx.Q.ExpireImportFiles(ctx, db.ExpireImportFilesParams{WorkspaceID: ws, Ids: ids, Retention: retention,
			NeverStarted: fmt.Sprintf("Never started: its file was deleted %s after the upload, as import files are kept for a limited time.",
				spell(s.fileRetention))})
		if err != nil || len(expired) == 0 {
			return err
		}
		n = len(expired)
		if _, err := s.jobs.InsertTx(ctx, tx, jobs.PurgeImportFilesArgs{WorkspaceID: ws, ImportIDs: expired}, nil); err != nil {
			return err
		}
		entries := make([]audit.Entry, 0, len(expired))
		for _, id := range expired {
			entries = append(entries, audit.Entry{Action: "delete_file", Resource: "imports", ResourceID: id.String(),
				After: map[string]any{"reason": "retention", "retention": s.fileRetention.String()}})
		}
		return audit.RecordMany(ctx, tx, entries)
	})
	return n, err
}

// spell says a retention as people count it: "30 days", "12 hours".
func spell(d time.Duration) string {
	unit, n := "hour", d/time.Hour
	if d%(24*time.Hour) == 0 {
		unit, n = "day", d/(24*time.Hour)
	} else if d%time.Hour != 0 {
		return d.String()
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
