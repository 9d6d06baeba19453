package auth

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Rates of the public doors, per process: sign-in attempts per IP and per email, sign-ups per IP.
const (
	SignInPerIPEvery    = 3 * time.Second // 20 a minute, after a burst of 20
	SignInPerIPBurst    = 20
	SignInPerEmailEvery = 12 * time.Second // 5 a minute, after a burst of 10
	SignInPerEmailBurst = 10
	SignUpPerIPEvery    = 6 * time.Second // 10 a minute, after a burst of 30
	SignUpPerIPBurst    = 30
)

// Register mounts the sign-up, sign-in and session endpoints.
func Register(r *httpapi.Router, s *Service) {
	h := &handlers{
		s:             s,
		signInByIP:    httpapi.NewKeyedLimiter(SignInPerIPEvery, SignInPerIPBurst),
		signInByEmail: httpapi.NewKeyedLimiter(SignInPerEmailEvery, SignInPerEmailBurst),
		signUpByIP:    httpapi.NewKeyedLimiter(SignUpPerIPEvery, SignUpPerIPBurst),
	}
	r.Public.POST("/auth/signup", h.signUp)
	r.Public.POST("/auth/signin", h.signIn)
	r.Public.POST("/auth/signout", h.signOut)
	// The member's own session: no workspace permission is involved.
	r.Public.GET("/me", h.me) // authenticates itself: it reads the session once
	r.Members.PUT("/me/workspace", h.switchWorkspace)
	r.Members.POST("/workspaces", h.createWorkspace)
}

type handlers struct {
	s                                     *Service
	secure                                bool
	signInByIP, signInByEmail, signUpByIP *httpapi.KeyedLimiter
}

// ClientOf is where the request comes from, for the session record.
func ClientOf(c *gin.Context) Client {
	ip, _ := netip.ParseAddr(c.ClientIP())
	return Client{IP: ip, UserAgent: c.Request.UserAgent()}
}

// Limited answers 429 and reports true when key has no attempt left in l.
func Limited(c *gin.Context, l *httpapi.KeyedLimiter, key string) bool {
	ok, wait := l.Allow(key)
	if !ok {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())))
		httpapi.Fail(c, apperr.New(apperr.RateLimited, "too many attempts; try again in %d seconds", int(wait.Seconds())))
	}
	return !ok
}

func (h *handlers) signUp(c *gin.Context) {
	if Limited(c, h.signUpByIP, c.ClientIP()) {
		return
	}
	var in SignUpInput
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	token, err := h.s.SignUp(c.Request.Context(), in, ClientOf(c))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.s.Respond(c, token, http.StatusCreated)
}

func (h *handlers) signIn(c *gin.Context) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	if Limited(c, h.signInByIP, c.ClientIP()) || Limited(c, h.signInByEmail, strings.ToLower(strings.TrimSpace(in.Email))) {
		return
	}
	token, err := h.s.SignIn(c.Request.Context(), in.Email, in.Password, ClientOf(c))
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	h.s.Respond(c, token, http.StatusOK)
}

// Respond starts the session of token: it sets the cookie and answers with that session (not
// whichever session the request's own cookie names), as any later request will see it.
func (s *Service) Respond(c *gin.Context, token string, status int) {
	s.setCookie(c, token, int(SessionTTL.Seconds()))
	answer(c, s, token, status)
}

func (s *Service) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookie, SameSite: http.SameSiteLaxMode,
	})
}

func (h *handlers) signOut(c *gin.Context) {
	if cookie, err := c.Request.Cookie(CookieName); err == nil && cookie.Value != "" {
		if err := h.s.SignOut(c.Request.Context(), hashToken(cookie.Value)); err != nil {
			httpapi.Fail(c, err)
			return
		}
	}
	h.s.setCookie(c, "", -1)
	c.Status(http.StatusNoContent)
}

type sessionView struct {
	User struct {
		ID    uuid.UUID `json:"id"`
		Name  string    `json:"name"`
		Email string    `json:"email"`
	} `json:"user"`
	Workspaces         []Workspace `json:"workspaces"`
	CurrentWorkspaceID *uuid.UUID  `json:"current_workspace_id"` // null: in no workspace
}

// reload answers with the request's session as it now stands.
func reload(c *gin.Context, s *Service, status int) { answer(c, s, sessionToken(c.Request), status) }

// answer writes the session of token.
func answer(c *gin.Context, s *Service, token string, status int) {
	m, workspaces, err := s.session(c.Request.Context(), token, uuid.Nil)
	if err != nil {
		httpapi.Fail(c, err)
		return
	}
	var v sessionView
	v.User.ID, v.User.Name, v.User.Email = m.UserID, m.Name, m.Email
	v.Workspaces = append([]Workspace{}, workspaces...)
	if m.WorkspaceID != uuid.Nil {
		v.CurrentWorkspaceID = &m.WorkspaceID
	}
	c.JSON(status, v)
}

func (h *handlers) me(c *gin.Context) { reload(c, h.s, http.StatusOK) }

func (h *handlers) switchWorkspace(c *gin.Context) {
	var in struct {
		WorkspaceID string `json:"workspace_id"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	ws, err := uuid.Parse(in.WorkspaceID)
	if err != nil {
		httpapi.Fail(c, apperr.Field("workspace_id", "must be a workspace id"))
		return
	}
	if err := h.s.SwitchWorkspace(c.Request.Context(), httpapi.CurrentMember(c), ws); err != nil {
		httpapi.Fail(c, err)
		return
	}
	reload(c, h.s, http.StatusOK)
}

func (h *handlers) createWorkspace(c *gin.Context) {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, err)
		return
	}
	if err := h.s.CreateWorkspace(c.Request.Context(), httpapi.CurrentMember(c), in.Name); err != nil {
		httpapi.Fail(c, err)
		return
	}
	reload(c, h.s, http.StatusCreated)
}
