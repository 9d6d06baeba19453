package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/mail/mailtest"
)

func TestSMTPDelivers(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	s, err := mail.New(srv.URL, "Guestlist <no-reply@guestlist.test>", t.TempDir())
	require.NoError(t, err)
	require.IsType(t, &mail.SMTP{}, s)
	require.NoError(t, s.Send(context.Background(), mail.Message{To: "ada@example.com", Subject: "Hello Ada", Text: "Line one\nLine two"}))

	got := srv.WaitFor(t, "ada@example.com", 5*time.Second)
	require.Equal(t, "no-reply@guestlist.test", got.From)
	require.Contains(t, got.Data, "Subject: Hello Ada")
	require.Contains(t, got.Data, "Line one")
}

func TestSMTPURLs(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"smtp://mail.example.com:587", "smtps://user:secret@mail.example.com", "smtp://127.0.0.1:2525?tls=none"} {
		_, err := mail.NewSMTP(good, "a@example.com")
		require.NoError(t, err, good)
	}
	for _, bad := range []string{"http://mail.example.com", "smtp://", "smtp://host:port"} {
		_, err := mail.NewSMTP(bad, "a@example.com")
		require.Error(t, err, bad)
	}
}

func TestSMTPFailureIsAnError(t *testing.T) {
	t.Parallel()
	s, err := mail.NewSMTP("smtp://127.0.0.1:1?tls=none", "a@example.com") // nothing listens on port 1
	require.NoError(t, err)
	require.Error(t, s.Send(context.Background(), mail.Message{To: "b@example.com", Subject: "x", Text: "y"}))
}

func TestOutboxKeepsNewestFirst(t *testing.T) {
	t.Parallel()
	o := &mail.Outbox{Dir: t.TempDir() + "/outbox"}
	empty, err := o.List(10)
	require.NoError(t, err)
	require.Empty(t, empty)
	for _, subject := range []string{"first", "second", "third"} {
		require.NoError(t, o.Send(context.Background(), mail.Message{To: "a@example.com", Subject: subject, Text: "body"}))
	}
	got, err := o.List(2)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "third", got[0].Subject)
	require.Equal(t, "second", got[1].Subject)
	require.False(t, got[0].SentAt.IsZero())
}
