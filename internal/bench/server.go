package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/internal/app"
)

// server is the app under test, serving on loopback with no job workers in its process.
type server struct {
	app  *app.App
	http *http.Server
	base string // http://127.0.0.1:port
}

// startServer opens the app on the bench database (configure may adjust its configuration) and
// serves it on a free loopback port. Request logs would be most of the output and some of the
// time: warnings only.
func startServer(ctx context.Context, d Database, configure func(*app.Config)) (*server, error) {
	cfg := app.DefaultConfig()
	cfg.DatabaseURL, cfg.DatabaseOwnerURL = d.AppURL, d.OwnerURL
	cfg.RunWorkers = false
	cfg.OutboxDir = tempDir("guestlist-bench-outbox")
	if configure != nil {
		configure(&cfg)
	}
	a, err := app.Open(ctx, cfg, quietLog(), false)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		return nil, err
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &server{app: a, http: srv, base: "http://" + ln.Addr().String()}, nil
}

func (s *server) Close() {
	_ = s.http.Close()
	s.app.Close()
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// signUp makes a workspace through the API, as a customer would, signing client in (its cookie
// jar keeps the session), and returns the workspace, its agent and the agent's first stage.
func signUp(ctx context.Context, super *pgx.Conn, client *http.Client, base, name string) (ws, agent, stage string, err error) {
	email := fmt.Sprintf("bench-%d@bench.example", time.Now().UnixNano())
	resp, err := client.Post(base+"/api/v1/auth/signup", "application/json", strings.NewReader(
		`{"name":"Bench Owner","email":"`+email+`","password":"bench password 1","workspace_name":"`+name+`"}`))
	if err != nil {
		return "", "", "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", "", "", fmt.Errorf("bench sign-up: %s", resp.Status)
	}
	err = super.QueryRow(ctx, `
		SELECT m.workspace_id, a.id, s.id FROM users u
		JOIN memberships m ON m.user_id = u.id JOIN agents a ON a.workspace_id = m.workspace_id
		JOIN stages s ON s.workspace_id = a.workspace_id AND s.agent_id = a.id AND s.position = 1
		WHERE u.email_normalized = $1`, email).Scan(&ws, &agent, &stage)
	return ws, agent, stage, err
}
