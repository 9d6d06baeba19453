// Package httpapi holds what every endpoint shares: request ids, structured logs, recovery,
// security headers, the body limit, cross-origin protection, member authentication, Casbin
// authorization and the one error shape. Capabilities register their handlers on a Router.
package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
)

const requestIDKey = "request_id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// RequestIDs gives every request an id (the caller's X-Request-ID when well-formed), echoes it
// in the response and puts it on the audit actor.
func RequestIDs() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !validRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		ip, _ := netip.ParseAddr(c.ClientIP())
		c.Request = c.Request.WithContext(audit.WithActor(c.Request.Context(), audit.Actor{IP: ip, RequestID: id}))
		c.Next()
	}
}

// RequestID is the id of the request in c.
func RequestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// Logs writes one JSON log line per request.
func Logs(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		attrs := []any{
			"method", c.Request.Method,
			"path", c.Request.URL.Path,
			"status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			"request_id", RequestID(c),
			"ip", c.ClientIP(),
		}
		if m := memberOrNil(c); m != nil {
			attrs = append(attrs, "user_id", m.UserID, "workspace_id", m.WorkspaceID)
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "request", attrs...)
	}
}

// Recovery turns a panic into a logged internal error in the one error shape.
func Recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		Fail(c, fmt.Errorf("panic: %v", rec))
	})
}

// SecurityHeaders sets the headers every response carries. secure adds HSTS (outside dev).
func SecurityHeaders(secure bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		c.Next()
	}
}

// BodyLimit caps request bodies at max bytes; Decode answers 413 past it. A multipart upload
// is not refused on its Content-Length here, so that a route with a limit of its own
// (UploadLimit) can take it; on every other route its body is cut at max all the same.
func BodyLimit(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max && !isMultipart(c.Request) {
			Fail(c, apperr.New(apperr.TooLarge, "the body is larger than %d bytes", max))
			return
		}
		c.Set(rawBodyKey, c.Request.Body)
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

const rawBodyKey = "httpapi.raw_body"

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/form-data")
}

// UploadLimit replaces BodyLimit's cap on a route that takes multipart/form-data uploads:
// its body may be up to max bytes. Other content types keep BodyLimit's cap. Put it after the
// authentication and authorization of the route, so that only an allowed caller sends that much.
func UploadLimit(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !isMultipart(c.Request) {
			c.Next()
			return
		}
		if c.Request.ContentLength > max {
			Fail(c, apperr.New(apperr.TooLarge, "the body is larger than %d bytes", max))
			return
		}
		if raw, ok := c.Get(rawBodyKey); ok {
			c.Request.Body = http.MaxBytesReader(c.Writer, raw.(io.ReadCloser), max)
		}
		c.Next()
	}
}

// SameOrigin refuses cross-origin unsafe requests (CSRF) with the standard library's
// CrossOriginProtection, which reads Sec-Fetch-Site and Origin. Requests without those headers
// (not from a browser) pass: they cannot carry a victim's cookie by accident.
func SameOrigin() gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			Fail(c, apperr.New(apperr.Forbidden, "cross-origin request refused"))
			return
		}
		c.Next()
	}
}
