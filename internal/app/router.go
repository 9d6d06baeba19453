package app

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/guestlist/guestlist/internal/agents"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/auth"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/automations"
	"github.com/guestlist/guestlist/internal/chat"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/files"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/imports"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/migrate"
	"github.com/guestlist/guestlist/internal/privacy"
	"github.com/guestlist/guestlist/internal/team"
	"github.com/guestlist/guestlist/web"
)

func newHandler(a *App) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.HandleMethodNotAllowed = true
	// No proxy is trusted unless configured: ClientIP is the peer address, which the rate
	// limits and the audit log rely on.
	if err := engine.SetTrustedProxies(nil); err != nil {
		return nil, err
	}
	engine.Use(
		httpapi.RequestIDs(),
		httpapi.Logs(a.Log),
		httpapi.Recovery(),
		httpapi.SecurityHeaders(a.Config.Env == Production),
		httpapi.BodyLimit(a.Config.BodyLimit),
	)
	engine.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	engine.GET("/readyz", a.ready)

	enforcer, err := authz.New()
	if err != nil {
		return nil, err
	}
	r := httpapi.NewRouter(engine, a.Auth, enforcer, a.Tenants)
	auth.Register(r, a.Auth)
	agents.Register(r, agents.NewService(a.Tenants))
	contactService := contacts.NewService(a.Tenants, a.River)
	contacts.Register(r, contactService)
	files.Register(r, a.Files)
	privacy.Register(r, contactService, a.Files)
	fields.Register(r, fields.NewService(a.Tenants))
	imports.Register(r, a.Imports)
	chat.Register(r, engine, chat.NewService(a.Tenants, contactService), chat.Limits{PerKey: a.Config.ChatKeyRate})
	automations.Register(r, a.Automations)
	team.Register(r, team.NewService(a.Tenants, enforcer, a.Auth, a.River, a.Config.BaseURL, a.Log))
	if outbox, ok := a.Mail.(*mail.Outbox); ok {
		mail.RegisterOutbox(r, outbox)
	}

	spa, err := spaHandler()
	if err != nil {
		return nil, err
	}
	engine.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			httpapi.Fail(c, apperr.New(apperr.NotFound, "no such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
			return
		}
		spa(c)
	})
	engine.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, gin.H{"error": gin.H{"code": "method_not_allowed", "message": "method not allowed"}})
	})
	return engine, nil
}

// ready answers 200 when the database answers and no migration is pending.
func (a *App) ready(c *gin.Context) {
	ctx := c.Request.Context()
	if err := a.appPool.Ping(ctx); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database unreachable"})
		return
	}
	pending, err := migrate.Pending(ctx, a.appPool)
	if err != nil || pending {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "migrations pending: run `guestlist migrate`"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// spaHandler serves the built web app: files as they are, every other path the app's
// index.html (client-side routes). Hashed assets are cached for good.
func spaHandler() (gin.HandlerFunc, error) {
	dist, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		return nil, err
	}
	files := http.FileServerFS(dist)
	index, _ := fs.ReadFile(dist, "index.html")
	return func(c *gin.Context) {
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			httpapi.Fail(c, apperr.New(apperr.NotFound, "no such page"))
			return
		}
		p := strings.TrimPrefix(c.Request.URL.Path, "/")
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(dist, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					c.Header("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(c.Writer, c.Request)
				return
			}
		}
		if index == nil {
			c.String(http.StatusOK, "The web app is not built: run `make run` (or `make web`).")
			return
		}
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	}, nil
}
