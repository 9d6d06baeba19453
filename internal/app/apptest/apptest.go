// Package apptest runs the whole app in a test: the package's own database (testdb), real River
// workers, the real router behind an httptest server, and clients that sign up and call the API
// as a browser would (cookie jar, JSON).
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

// Env is a running app.
type Env struct {
	App    *app.App
	DB     *testdb.DB
	Server *httptest.Server

	contract routers.Router
}

// Start runs the app on a database of the test's own with workers, until the test ends.
// configure may adjust the configuration first.
func Start(t testing.TB, configure ...func(*app.Config)) *Env {
	t.Helper()
	d := testdb.Fresh(t)
	cfg := app.DefaultConfig()
	cfg.DatabaseURL, cfg.DatabaseOwnerURL = d.AppURL, d.OwnerURL
	cfg.OutboxDir = t.TempDir()
	cfg.BlobURL = t.TempDir()
	for _, f := range configure {
		f(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, log, true)
	require.NoError(t, err)
	require.NoError(t, a.StartWorkers(ctx))
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, a.StopWorkers())
		a.Close()
	})
	return &Env{App: a, DB: d, Server: srv, contract: loadContract(t, srv.URL)}
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Client calls the API with its own cookie jar, as one browser would. Every answer from under
// /api/v1 is checked against docs/openapi.yaml: a response the contract does not describe fails
// the test.
type Client struct {
	t        testing.TB
	base     string
	http     *http.Client
	contract routers.Router
	// Header is sent with every request.
	Header http.Header
}

// Client returns a signed-out client.
func (e *Env) Client(t testing.TB) *Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &Client{t: t, base: e.Server.URL, http: &http.Client{Jar: jar}, Header: http.Header{}, contract: e.contract}
}

// Cookies are the client's cookies for the app (its session).
func (c *Client) Cookies() []*http.Cookie {
	u, _ := url.Parse(c.base)
	return c.http.Jar.Cookies(u)
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Map decodes the body as a JSON object.
func (r Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode is error.code of a body in the one error shape, "" when the body is not one.
func (r Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Do sends a request. body is JSON-encoded unless it is a string or []byte, sent as is.
func (c *Client) Do(method, path string, body any) Response {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(c.t, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	if strings.HasPrefix(path, "/api/v1/") {
		c.checkContract(req, resp, raw)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// checkContract fails the test when the answer is not what docs/openapi.yaml describes for the
// operation (an undocumented status, a missing field, a wrong type). Unknown routes must answer
// 404 in the one error shape.
func (c *Client) checkContract(req *http.Request, resp *http.Response, body []byte) {
	c.t.Helper()
	route, params, err := c.contract.FindRoute(req)
	if err != nil {
		require.Equal(c.t, http.StatusNotFound, resp.StatusCode, "%s %s is not in docs/openapi.yaml", req.Method, req.URL.Path)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	require.NoError(c.t, openapi3filter.ValidateResponse(context.Background(), in),
		"%s %s answered %d %s, which docs/openapi.yaml does not allow", req.Method, req.URL.Path, resp.StatusCode, body)
}

// loadContract reads and validates docs/openapi.yaml, served at base.
func loadContract(t testing.TB, base string) routers.Router {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "docs", "openapi.yaml")
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "docs/openapi.yaml is not a valid OpenAPI document")
	doc.Servers = openapi3.Servers{{URL: base + "/api/v1"}}
	r, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return r
}

var seq atomic.Int64

// UniqueEmail returns an email no other test uses.
func UniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%s@example.com", prefix, seq.Add(1), uuid.Must(uuid.NewRandom()).String()[:8])
}

// Member is a signed-up member with their client.
type Member struct {
	*Client
	UserID      uuid.UUID
	Email       string
	Password    string
	WorkspaceID uuid.UUID
}

// SignUp signs a new member up (a new workspace with a first agent) and returns them signed in.
func (e *Env) SignUp(t testing.TB) *Member {
	t.Helper()
	c := e.Client(t)
	email, password := UniqueEmail("owner"), "correct horse battery"
	resp := c.Do("POST", "/api/v1/auth/signup", map[string]string{
		"name": "Test Owner", "email": email, "password": password, "workspace_name": "Workspace of " + email,
	})
	require.Equal(t, http.StatusCreated, resp.Status, "sign-up: %s", resp.Body)
	var s struct {
		User struct {
			ID uuid.UUID `json:"id"`
		} `json:"user"`
		CurrentWorkspaceID uuid.UUID `json:"current_workspace_id"`
	}
	resp.JSON(t, &s)
	return &Member{Client: c, UserID: s.User.ID, Email: email, Password: password, WorkspaceID: s.CurrentWorkspaceID}
}

// InWorkspace runs fn in a tenant transaction of ws, through the app's own door: for fixtures
// and assertions on rows the API does not show.
func (e *Env) InWorkspace(t testing.TB, ws uuid.UUID, fn func(tx tenant.Tx) error) {
	t.Helper()
	require.NoError(t, e.App.Tenants.Tx(context.Background(), ws, fn))
}

// Count runs a count(*) query in the workspace ws.
func (e *Env) Count(t testing.TB, ws uuid.UUID, sql string, args ...any) int {
	t.Helper()
	var n int
	e.InWorkspace(t, ws, func(tx tenant.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&n) })
	return n
}

// WaitForMail returns the newest dev-outbox mail to `to` whose text contains `containing` that
// arrives within 15 seconds (mail is sent by a River job).
func (e *Env) WaitForMail(t testing.TB, to, containing string) mail.OutboxMail {
	t.Helper()
	outbox := e.App.Mail.(*mail.Outbox)
	var found mail.OutboxMail
	require.Eventually(t, func() bool {
		mails, err := outbox.List(1000)
		require.NoError(t, err)
		for _, m := range mails {
			if strings.EqualFold(m.To, to) && strings.Contains(m.Text, containing) {
				found = m
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "no mail to %s", to)
	return found
}

var inviteLink = regexp.MustCompile(`/invite#([A-Za-z0-9_-]+)`)

// InvitationToken is the token in the newest invitation mail to `to`.
func (e *Env) InvitationToken(t testing.TB, to string) string {
	t.Helper()
	m := inviteLink.FindStringSubmatch(e.WaitForMail(t, to, "/invite#").Text)
	require.NotNil(t, m, "no invitation link in the mail to %s", to)
	return m[1]
}

// AddMember brings a new person into by's current workspace with role, through the real
// invitation flow (invite, the email, accept), and returns them signed in there.
func (e *Env) AddMember(t testing.TB, by *Member, role string) *Member {
	t.Helper()
	email := UniqueEmail(role)
	resp := by.Do("POST", "/api/v1/invitations", map[string]string{"email": email, "role": role})
	require.Equal(t, http.StatusCreated, resp.Status, "invite: %s", resp.Body)
	c := e.Client(t)
	password := "a member's long password"
	resp = c.Do("POST", "/api/v1/invitations/accept", map[string]string{
		"token": e.InvitationToken(t, email), "name": "Test " + role, "password": password,
	})
	require.Equal(t, http.StatusOK, resp.Status, "accept: %s", resp.Body)
	var s struct {
		User struct {
			ID uuid.UUID `json:"id"`
		} `json:"user"`
		CurrentWorkspaceID uuid.UUID `json:"current_workspace_id"`
	}
	resp.JSON(t, &s)
	require.Equal(t, by.WorkspaceID, s.CurrentWorkspaceID)
	return &Member{Client: c, UserID: s.User.ID, Email: email, Password: password, WorkspaceID: s.CurrentWorkspaceID}
}
