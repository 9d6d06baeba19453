package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// ExpireSessionsArgs deletes sign-in sessions past their expiry. Periodic (hourly); running it
// twice deletes nothing the second time.
type ExpireSessionsArgs struct{}

func (ExpireSessionsArgs) Kind() string { return "expire_sessions" }

func (ExpireSessionsArgs) InsertOpts() river.InsertOpts {
	// One pending run at a time, however many worker processes schedule it.
	return river.InsertOpts{Queue: QueueDefault, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}}
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
