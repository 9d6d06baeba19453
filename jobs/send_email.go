package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// SendEmailArgs sends one plain-text email. It is inserted in the transaction that makes the
// reason for it (a sign-up, an invitation), so a rolled-back sign-up sends nothing.
type SendEmailArgs struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

func (SendEmailArgs) Kind() string { return "send_email" }

func (SendEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMail, MaxAttempts: 10}
}

// EmailSender delivers one message (internal/mail).
type EmailSender interface {
	SendEmail(ctx context.Context, to, subject, text string) error
}

// SendEmailWorker hands the message to the sender. SMTP offers no idempotency, so a worker that
// dies after the server accepted the message but before River records completion sends it again
// on retry: at least once, as River delivers.
type SendEmailWorker struct {
	river.WorkerDefaults[SendEmailArgs]
	Sender EmailSender
}

func (w *SendEmailWorker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	return w.Sender.SendEmail(ctx, job.Args.To, job.Args.Subject, job.Args.Text)
}

func (w *SendEmailWorker) Timeout(*river.Job[SendEmailArgs]) time.Duration { return time.Minute }
