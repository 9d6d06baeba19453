// Package mailtest runs a real SMTP server in the test process (emersion/go-smtp) that keeps
// what it receives, so tests send mail the way production does and read what arrived.
package mailtest

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// Received is one delivered message.
type Received struct {
	From string
	To   []string
	Data string // the raw message: headers and body
}

// Server is an SMTP server on a loopback port.
type Server struct {
	// URL is the SMTP_URL that reaches this server.
	URL string

	mu       sync.Mutex
	received []Received
}

// NewServer starts a server that stops when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &Server{URL: "smtp://" + ln.Addr().String() + "?tls=none"}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{server: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages returns what arrived so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// WaitFor returns the first message to `to` that arrives within timeout.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) Received {
	t.Helper()
	var found Received
	require.Eventually(t, func() bool {
		for _, m := range s.Messages() {
			for _, rcpt := range m.To {
				if strings.EqualFold(rcpt, to) {
					found = m
					return true
				}
			}
		}
		return false
	}, timeout, 20*time.Millisecond, "no mail to %s arrived", to)
	return found
}

type session struct {
	server *Server
	msg    Received
}

func (s *session) Reset()        { s.msg = Received{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = string(b)
	s.server.mu.Lock()
	s.server.received = append(s.server.received, s.msg)
	s.server.mu.Unlock()
	return nil
}
