package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/mail/mailtest"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestHealth(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	c := env.Client(t)
	require.Equal(t, http.StatusOK, c.Do("GET", "/healthz", nil).Status)
	resp := c.Do("GET", "/readyz", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, "ready", resp.Map(t)["status"])
}

func TestEveryResponseCarriesSecurityHeadersAndARequestID(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	c := env.Client(t)
	for _, path := range []string{"/healthz", "/api/v1/me", "/api/v1/nope", "/", "/agents/123/contacts"} {
		resp := c.Do("GET", path, nil)
		require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
		require.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"), path)
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", path)
		require.Len(t, resp.Header.Get("X-Request-ID"), 24, path)
	}
	c.Header.Set("X-Request-ID", "trace-from-the-caller-1")
	require.Equal(t, "trace-from-the-caller-1", c.Do("GET", "/healthz", nil).Header.Get("X-Request-ID"))
	c.Header.Set("X-Request-ID", "<script>")
	require.NotEqual(t, "<script>", c.Do("GET", "/healthz", nil).Header.Get("X-Request-ID"))
}

func TestUnknownAPIPathsAnswer404InTheErrorShape(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	m := env.SignUp(t)
	resp := m.Do("GET", "/api/v1/nothing-here", nil)
	require.Equal(t, http.StatusNotFound, resp.Status)
	require.Equal(t, "not_found", resp.ErrorCode())
	// Client-side routes get the web app.
	resp = m.Do("GET", "/agents/whatever/contacts", nil)
	require.Equal(t, http.StatusOK, resp.Status)
}

// Bad input never reaches a 500: malformed JSON, wrong types, unknown or missing fields, empty
// and oversized bodies all answer 4xx in the one error shape, naming the field when there is one.
func TestBadInput(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, func(c *app.Config) { c.BodyLimit = 4096 })
	m := env.SignUp(t)
	agentID := m.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)

	endpoints := []struct{ method, path string }{
		{"POST", "/api/v1/auth/signup"},
		{"POST", "/api/v1/auth/signin"},
		{"PUT", "/api/v1/me/workspace"},
		{"POST", "/api/v1/workspaces"},
		{"POST", "/api/v1/agents"},
		{"PATCH", "/api/v1/agents/" + agentID},
	}
	bodies := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"malformed", `{"name": `, http.StatusBadRequest, ""},
		{"not an object", `[1, 2]`, http.StatusBadRequest, ""},
		{"empty", ``, http.StatusBadRequest, ""},
		{"two values", `{} {}`, http.StatusBadRequest, ""},
		{"unknown field", `{"surprise": true}`, http.StatusBadRequest, "surprise"},
		{"wrong type", `{"name": 42}`, http.StatusBadRequest, "name"},
		{"too large", `{"name": "` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge, ""},
	}
	for _, e := range endpoints {
		for _, b := range bodies {
			body := b.body
			field := b.field
			if b.name == "wrong type" && (strings.HasSuffix(e.path, "/signin") || strings.HasSuffix(e.path, "/workspace")) {
				field = map[bool]string{true: "email", false: "workspace_id"}[strings.HasSuffix(e.path, "/signin")]
				body = `{"` + field + `": 42}`
			}
			resp := m.Do(e.method, e.path, body)
			require.Equal(t, b.status, resp.Status, "%s %s with %s: %s", e.method, e.path, b.name, resp.Body)
			require.NotEmpty(t, resp.ErrorCode(), "%s %s with %s: not the error shape: %s", e.method, e.path, b.name, resp.Body)
			if field != "" {
				require.Contains(t, resp.Map(t)["error"].(map[string]any)["fields"], field, "%s %s with %s", e.method, e.path, b.name)
			}
		}
	}

	// Missing required fields name each of them.
	resp := m.Do("POST", "/api/v1/agents", `{}`)
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, resp.Map(t)["error"].(map[string]any)["fields"], "name")
}

// Cookie-authenticated writes from another site are refused (CSRF).
func TestCrossOriginWritesAreRefused(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	m := env.SignUp(t)
	m.Header.Set("Sec-Fetch-Site", "cross-site")
	m.Header.Set("Origin", "https://evil.example")
	resp := m.Do("POST", "/api/v1/agents", map[string]string{"name": "planted"})
	require.Equal(t, http.StatusForbidden, resp.Status)
	require.Equal(t, "forbidden", resp.ErrorCode())
	// Reads are not state-changing and pass.
	require.Equal(t, http.StatusOK, m.Do("GET", "/api/v1/agents", nil).Status)
	m.Header.Set("Sec-Fetch-Site", "same-origin")
	m.Header.Del("Origin")
	require.Len(t, m.Do("GET", "/api/v1/agents", nil).Map(t)["items"], 1, "the refused write must not have happened")
}

func TestConfigValidation(t *testing.T) { // not parallel: it sets the environment
	cfg := app.DefaultConfig()
	require.Equal(t, ":8080", cfg.Addr)
	require.True(t, cfg.Embedded())

	t.Setenv("GUESTLIST_ENV", "production") // production without a database or SMTP
	_, err := app.LoadConfig()
	require.ErrorContains(t, err, "DATABASE_URL")
	require.ErrorContains(t, err, "SMTP_URL")
}

// GUESTLIST_IMPORT_FILE_RETENTION: 30 days by default, 0 keeps files, otherwise between an
// hour (time to fetch an error report) and ten years.
func TestImportFileRetentionConfig(t *testing.T) { // not parallel: it sets the environment
	require.Equal(t, 720*time.Hour, app.DefaultConfig().ImportFileRetention)
	for value, valid := range map[string]bool{"0": true, "1h": true, "720h": true, "87600h": true,
		"59m": false, "-1h": false, "87601h": false, "forever": false} {
		t.Setenv("GUESTLIST_IMPORT_FILE_RETENTION", value)
		_, err := app.LoadConfig()
		if valid {
			require.NoError(t, err, value)
			continue
		}
		require.Error(t, err, value)
		require.Regexp(t, "GUESTLIST_IMPORT_FILE_RETENTION|ImportFileRetention", err.Error(), value)
	}
}

// With SMTP_URL set, the sign-up's welcome email goes through the River job to a real SMTP
// server, and the dev outbox does not exist.
func TestWelcomeEmailOverSMTP(t *testing.T) {
	t.Parallel()
	smtpServer := mailtest.NewServer(t)
	env := apptest.Start(t, func(c *app.Config) { c.SMTPURL = smtpServer.URL })
	m := env.SignUp(t)
	got := smtpServer.WaitFor(t, m.Email, 15*time.Second)
	require.Contains(t, got.Data, "Subject: Welcome to Guestlist")
	require.Equal(t, http.StatusNotFound, m.Do("GET", "/api/v1/dev/outbox", nil).Status)
}
