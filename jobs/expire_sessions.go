package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// ExpireSessionsArgs deletes sign-in sessions past their expiry. Periodic (hourly); running it
// twice deletes nothing the second time.
type ExpireSessionsArgs struct{}

func (ExpireSessionsArgs) Kind() string { return "expire_sessions" }

// InsertOpts: no uniqueness needed, only River's elected leader enqueues periodic jobs, and a
// second run in the same hour deletes nothing.
func (ExpireSessionsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault}
}

// SessionExpirer deletes expired sessions (internal/auth).
type SessionExpirer interface {
	DeleteExpiredSessions(ctx context.Context) (int64, error)
}

// ExpireSessionsWorker calls the expirer.
type ExpireSessionsWorker struct {
	river.WorkerDefaults[ExpireSessionsArgs]
	Sessions SessionExpirer
}

func (w *ExpireSessionsWorker) Work(ctx context.Context, _ *river.Job[ExpireSessionsArgs]) error {
	_, err := w.Sessions.DeleteExpiredSessions(ctx)
	return err
}
