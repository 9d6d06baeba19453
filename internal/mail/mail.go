// Package mail sends the app's emails: over SMTP when SMTP_URL is set, otherwise into a dev
// outbox folder that the app shows at /dev/outbox. Sending happens in River jobs (jobs.SendEmail),
// never on a request's path.
package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	gomail "github.com/wneessen/go-mail"
)

// NormalizeEmail validates an address (a bare address with a dotted domain, at most 254
// characters) and returns the form it is matched by: trimmed and lower-cased.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 254 {
		return "", false
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", false
	}
	return strings.ToLower(s), true
}

// Message is one plain-text email.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// New returns the SMTP sender when smtpURL is set, the dev outbox otherwise.
func New(smtpURL, from, outboxDir string) (Sender, error) {
	if smtpURL == "" {
		return &Outbox{Dir: outboxDir}, nil
	}
	return NewSMTP(smtpURL, from)
}

// SMTP sends through an SMTP server given as smtp://user:pass@host:port (STARTTLS when the
// server offers it; add ?tls=required to insist, ?tls=none to never) or smtps://... (TLS from
// the first byte).
type SMTP struct {
	client *gomail.Client
	from   string
}

// NewSMTP parses the URL and prepares a client; it connects per send.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("mail: SMTP_URL %q is not smtp://host:port or smtps://host:port", rawURL)
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	switch u.Scheme {
	case "smtps":
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(465))
	case "smtp":
		policy := gomail.TLSOpportunistic
		switch u.Query().Get("tls") {
		case "required":
			policy = gomail.TLSMandatory
		case "none":
			policy = gomail.NoTLS
		}
		opts = append(opts, gomail.WithTLSPortPolicy(policy))
	default:
		return nil, fmt.Errorf("mail: SMTP_URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("mail: SMTP_URL port %q: %w", p, err)
		}
		opts = append(opts, gomail.WithPort(port))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	c, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return &SMTP{client: c, from: from}, nil
}

// Send delivers m.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mail: from %q: %w", s.from, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail: to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	return s.client.DialAndSendWithContext(ctx, msg)
}

// Outbox is the dev sender: each message is a JSON file in Dir, newest listed first. Files, not
// memory, so the worker and the server processes see the same outbox.
type Outbox struct {
	Dir string
}

// OutboxMail is a message that went to the outbox.
type OutboxMail struct {
	ID     string    `json:"id"`
	SentAt time.Time `json:"sent_at"`
	Message
}

// Send writes m to the outbox.
func (o *Outbox) Send(_ context.Context, m Message) error {
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	id := uuid.Must(uuid.NewV7()).String() // time-ordered: the name sorts by sending time
	b, err := json.Marshal(OutboxMail{ID: id, SentAt: time.Now().UTC(), Message: m})
	if err != nil {
		return err
	}
	tmp := filepath.Join(o.Dir, id+".tmp")
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	return os.Rename(tmp, filepath.Join(o.Dir, id+".json"))
}

// List returns the newest limit messages of the outbox.
func (o *Outbox) List(limit int) ([]OutboxMail, error) {
	entries, err := os.ReadDir(o.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return []OutboxMail{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mail: outbox: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	slices.Reverse(names)
	out := []OutboxMail{}
	for _, n := range names[:min(limit, len(names))] {
		b, err := os.ReadFile(filepath.Join(o.Dir, n))
		if err != nil {
			return nil, fmt.Errorf("mail: outbox: %w", err)
		}
		var m OutboxMail
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("mail: outbox %s: %w", n, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// JobSender adapts a Sender to the jobs.EmailSender the mail worker calls.
type JobSender struct{ Sender }

// SendEmail delivers one message.
func (j JobSender) SendEmail(ctx context.Context, to, subject, text string) error {
	return j.Send(ctx, Message{To: to, Subject: subject, Text: text})
}
