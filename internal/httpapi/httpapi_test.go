package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/httpapi"
)

func TestKeyedLimiter(t *testing.T) {
	t.Parallel()
	l := httpapi.NewKeyedLimiter(time.Hour, 3)
	for range 3 {
		ok, _ := l.Allow("a")
		require.True(t, ok)
	}
	ok, wait := l.Allow("a")
	require.False(t, ok)
	require.Greater(t, wait, 59*time.Minute)
	ok, _ = l.Allow("b") // keys are independent
	require.True(t, ok)
}

func serve(t *testing.T, h gin.HandlerFunc, body string) (int, map[string]any) {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.Use(httpapi.RequestIDs(), httpapi.Recovery(), httpapi.BodyLimit(64))
	e.POST("/", h)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(body)))
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), "%s", rec.Body)
	return rec.Code, out
}

// A panic in a handler is a 500 in the error shape that names the request id, not the panic.
func TestRecovery(t *testing.T) {
	t.Parallel()
	status, body := serve(t, func(*gin.Context) { panic("secret detail") }, "")
	require.Equal(t, http.StatusInternalServerError, status)
	e := body["error"].(map[string]any)
	require.Equal(t, "internal", e["code"])
	require.NotContains(t, e["message"], "secret")
	require.Contains(t, e["message"], "request id")
}

func TestDecode(t *testing.T) {
	t.Parallel()
	decode := func(c *gin.Context) {
		var v struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
			Tags  []string
		}
		if err := httpapi.Decode(c, &v); err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"name": v.Name})
	}
	cases := []struct {
		body, code, field string
		status            int
	}{
		{`{"name":"ok","count":2}`, "", "", http.StatusOK},
		{`{"count":"two"}`, "invalid", "count", http.StatusBadRequest},
		{`{"name":["x"]}`, "invalid", "name", http.StatusBadRequest},
		{`{"other":1}`, "invalid", "other", http.StatusBadRequest},
		{`{"name":`, "invalid", "", http.StatusBadRequest},
		{`"text"`, "invalid", "", http.StatusBadRequest},
		{``, "invalid", "", http.StatusBadRequest},
		{`{"name":"` + strings.Repeat("x", 100) + `"}`, "body_too_large", "", http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		status, body := serve(t, decode, c.body)
		require.Equal(t, c.status, status, c.body)
		if c.code == "" {
			continue
		}
		e := body["error"].(map[string]any)
		require.Equal(t, c.code, e["code"], c.body)
		if c.field != "" {
			require.Contains(t, e["fields"], c.field, c.body)
		}
	}
}

// UploadLimit raises the body limit for multipart bodies on its route only; elsewhere, and for
// other content types, BodyLimit's cap holds.
func TestUploadLimit(t *testing.T) {
	t.Parallel()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.Use(httpapi.BodyLimit(64))
	read := func(c *gin.Context) {
		n, err := io.Copy(io.Discard, c.Request.Body)
		if err != nil {
			httpapi.Fail(c, apperr.New(apperr.TooLarge, "%v", err))
			return
		}
		c.JSON(http.StatusOK, gin.H{"read": n})
	}
	e.POST("/upload", httpapi.UploadLimit(1000), read)
	e.POST("/json", read)
	for _, tc := range []struct {
		path, contentType string
		size, want        int
		chunked           bool
	}{
		{"/upload", "multipart/form-data; boundary=x", 1000, http.StatusOK, false},
		{"/upload", "multipart/form-data; boundary=x", 1001, http.StatusRequestEntityTooLarge, false},
		{"/upload", "multipart/form-data; boundary=x", 1001, http.StatusRequestEntityTooLarge, true},
		{"/upload", "application/json", 65, http.StatusRequestEntityTooLarge, false},
		{"/json", "multipart/form-data; boundary=x", 64, http.StatusOK, false},
		{"/json", "multipart/form-data; boundary=x", 65, http.StatusRequestEntityTooLarge, false},
		{"/json", "multipart/form-data; boundary=x", 65, http.StatusRequestEntityTooLarge, true},
	} {
		req := httptest.NewRequest("POST", tc.path, strings.NewReader(strings.Repeat("x", tc.size)))
		req.Header.Set("Content-Type", tc.contentType)
		if tc.chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		require.Equal(t, tc.want, rec.Code, "%+v: %s", tc, rec.Body)
	}
}
