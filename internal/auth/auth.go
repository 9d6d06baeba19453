// Package auth signs members up, in and out, keeps their sessions and lets them switch
// workspaces. It is the one user of tenant.UserTx, the member door that reads a signed-in user's
// own memberships across workspaces.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/agents"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/ttlcache"
	"github.com/guestlist/guestlist/jobs"
)

// Limits of sign-up input and sessions.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 200
	SessionTTL        = 30 * 24 * time.Hour
	CookieName        = "guestlist_session"
)

// passwordParams are argon2id's parameters: RFC 9106's second recommended option (64 MiB),
// with one pass to keep sign-in near 50 ms on a small machine.
var passwordParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// Service holds the sign-in rules.
type Service struct {
	tenants *tenant.DB
	jobs    jobs.Inserter
	baseURL string
	// secureCookie marks the session cookie Secure (everywhere but plain-HTTP development).
	secureCookie bool
	// dummyHash is compared against when the email is unknown, so an unknown email costs the
	// same time as a wrong password and the two answers cannot be told apart.
	dummyHash string
	// sessions keeps checked sessions for a moment (Config.SessionCacheTTL), so a page's burst
	// of requests signs in once: see ForgetSessions for what keeps it true.
	sessions *ttlcache.Cache[sessionKey, checkedSession]
}

// sessionKey is a session checked for one agent (uuid.Nil: for none).
type sessionKey struct {
	hash  string
	agent uuid.UUID
}

type checkedSession struct {
	member     httpapi.Member
	workspaces []Workspace
}

// maxCachedSessions bounds the session cache (about 300 bytes an entry).
const maxCachedSessions = 20_000

// NewService returns the auth service. baseURL is where the app is reached (for emails);
// sessionCacheTTL is how long a checked session is trusted without asking the database again
// (0: ask every time).
func NewService(tenants *tenant.DB, jobs jobs.Inserter, baseURL string, secureCookie bool, sessionCacheTTL time.Duration) (*Service, error) {
	dummy, err := argon2id.CreateHash("not a password of anyone", passwordParams)
	if err != nil {
		return nil, err
	}
	return &Service{tenants: tenants, jobs: jobs, baseURL: baseURL, secureCookie: secureCookie, dummyHash: dummy,
		sessions: ttlcache.New[sessionKey, checkedSession](sessionCacheTTL, maxCachedSessions)}, nil
}

// ForgetSessions drops every checked session this process keeps. Whatever changes what a
// session resolves to — a sign-out, a workspace switch, a membership made or removed, a role,
// agent grants, a workspace renamed or deleted — calls it after its transaction commits, so
// this process answers the next request from the database. Other processes of the deployment
// learn of the change when their entries expire (Config.SessionCacheTTL, 2 s by default).
func (s *Service) ForgetSessions() { s.sessions.Forget(nil) }

// SignUpInput is what a new member types.
type SignUpInput struct {
	Name          string `json:"name"`
	Email         string `json:"email"`
	Password      string `json:"password"`
	WorkspaceName string `json:"workspace_name"`
	AgentName     string `json:"agent_name"`
}

// Client is where a request came from, recorded on the session.
type Client struct {
	IP        netip.Addr
	UserAgent string
}

// SignUp creates the user, their workspace (they own it), a first agent and a session, and
// queues the welcome email: all in one transaction, so a failure leaves nothing behind.
func (s *Service) SignUp(ctx context.Context, in SignUpInput, from Client) (token string, err error) {
	bad := apperr.Fields{}
	in.Name = checkNewUser(bad, in.Name, in.Password)
	email, ok := mail.NormalizeEmail(in.Email)
	if !ok {
		bad.Add("email", "must be an email address such as name@example.com")
	}
	in.WorkspaceName = strings.TrimSpace(in.WorkspaceName)
	if n := utf8.RuneCountInString(in.WorkspaceName); n < 3 || n > 100 {
		bad.Add("workspace_name", "must be 3 to 100 characters")
	}
	agentName := strings.TrimSpace(in.AgentName)
	if agentName == "" {
		agentName = "My first agent"
	}
	if utf8.RuneCountInString(agentName) > agents.MaxNameLength {
		bad.Add("agent_name", "must be at most 100 characters")
	}
	if err := bad.Err(); err != nil {
		return "", err
	}
	userID, wsID := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	token, tokenHash := newToken()
	ctx = withUser(ctx, userID)
	err = s.tenants.Tx(ctx, wsID, func(tx tenant.Tx) error {
		// users is a platform table: the insert needs no tenant context, but it belongs in this
		// transaction so that the user never exists without their workspace.
		if err := createUser(ctx, tx.Q, userID, in.Email, email, in.Name, in.Password); err != nil {
			return err
		}
		if err := createWorkspace(ctx, tx, userID, in.WorkspaceName); err != nil {
			return err
		}
		if _, err := agents.CreateTx(ctx, tx, agents.Input{Name: &agentName}); err != nil {
			return err
		}
		if err := createSession(ctx, tx.Q, tokenHash, userID, wsID, from); err != nil {
			return err
		}
		_, err := s.jobs.InsertTx(ctx, tx, jobs.SendEmailArgs{
			To:      email,
			Subject: "Welcome to Guestlist",
			Text: fmt.Sprintf("Hello %s,\n\nyour workspace %q is ready, with a first agent, %q.\n"+
				"Sign in at %s/signin to set up its CRM.\n\nThe Guestlist team\n", in.Name, in.WorkspaceName, agentName, s.baseURL),
		}, nil)
		return err
	})
	return token, err
}

// checkNewUser validates a new account's name and password into bad and returns the name as
// stored.
func checkNewUser(bad apperr.Fields, name, password string) string {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		bad.Add("name", "must be 1 to 100 characters")
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLength || n > MaxPasswordLength {
		bad.Add("password", fmt.Sprintf("must be %d to %d characters", MinPasswordLength, MaxPasswordLength))
	}
	return name
}

func createUser(ctx context.Context, q *db.Queries, id uuid.UUID, email, normalized, name, password string) error {
	hash, err := argon2id.CreateHash(password, passwordParams)
	if err != nil {
		return err
	}
	_, err = q.CreateUser(ctx, db.CreateUserParams{
		ID: id, Email: strings.TrimSpace(email), EmailNormalized: normalized, Name: name, PasswordHash: hash,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return &apperr.Error{Code: apperr.Conflict, Message: "an account with this email already exists; sign in instead",
			Fields: map[string]string{"email": "is already registered"}}
	}
	return err
}

// JoinTx lets the person with the given (normalized) email into the workspace of tx and opens
// a session there: an existing account proves itself with its password, a new one is created
// with name and password. It returns the user and the session token. The caller makes the
// membership in the same transaction (an accepted invitation).
func (s *Service) JoinTx(ctx context.Context, tx tenant.Tx, email, name, password string, from Client) (uuid.UUID, string, error) {
	user, err := tx.Q.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		bad := apperr.Fields{}
		name = checkNewUser(bad, name, password)
		if err := bad.Err(); err != nil {
			return uuid.Nil, "", err
		}
		user.ID = uuid.Must(uuid.NewV7())
		if err := createUser(ctx, tx.Q, user.ID, email, email, name, password); err != nil {
			return uuid.Nil, "", err
		}
	case err != nil:
		return uuid.Nil, "", err
	default:
		match, err := argon2id.ComparePasswordAndHash(password, user.PasswordHash)
		if err != nil {
			return uuid.Nil, "", err
		}
		if !match {
			return uuid.Nil, "", apperr.Field("password", "is not the password of this account")
		}
	}
	token, tokenHash := newToken()
	return user.ID, token, createSession(ctx, tx.Q, tokenHash, user.ID, tx.WorkspaceID, from)
}

func createWorkspace(ctx context.Context, tx tenant.Tx, owner uuid.UUID, name string) error {
	ws, err := tx.Q.CreateWorkspace(ctx, db.CreateWorkspaceParams{ID: tx.WorkspaceID, Name: name})
	if err != nil {
		return err
	}
	if _, err := tx.Q.CreateMembership(ctx, db.CreateMembershipParams{
		WorkspaceID: ws.ID, UserID: owner, Role: string(authz.RoleOwner),
	}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "workspace", ResourceID: ws.ID.String(),
		After: map[string]any{"name": ws.Name, "owner": owner}})
}

// ErrBadCredentials is the one answer to a failed sign-in, whether the email is unknown or the
// password wrong.
var ErrBadCredentials = apperr.New(apperr.Unauthenticated, "the email or password is not right")

// SignIn checks the password and opens a session in the user's first workspace.
func (s *Service) SignIn(ctx context.Context, email, password string, from Client) (token string, err error) {
	normalized, _ := mail.NormalizeEmail(email)
	var user db.User
	err = s.tenants.PlatformTx(ctx, func(q *db.Queries) error {
		user, err = q.GetUserByEmail(ctx, normalized)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		_, _ = argon2id.ComparePasswordAndHash(password, s.dummyHash)
		return "", ErrBadCredentials
	}
	if err != nil {
		return "", err
	}
	match, err := argon2id.ComparePasswordAndHash(password, user.PasswordHash)
	if err != nil {
		return "", err
	}
	if !match {
		return "", ErrBadCredentials
	}
	workspaces, err := s.workspaces(ctx, user.ID)
	if err != nil {
		return "", err
	}
	token, tokenHash := newToken()
	ctx = withUser(ctx, user.ID)
	if len(workspaces) == 0 {
		// A member removed from every workspace can still sign in and make a new one.
		return token, s.tenants.PlatformTx(ctx, func(q *db.Queries) error {
			return createSession(ctx, q, tokenHash, user.ID, uuid.Nil, from)
		})
	}
	ws := workspaces[0].ID
	return token, s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if err := createSession(ctx, tx.Q, tokenHash, user.ID, ws, from); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "sign_in", Resource: "members", ResourceID: user.ID.String()})
	})
}

// DeleteExpiredSessions removes sessions past their expiry (the expire_sessions job).
func (s *Service) DeleteExpiredSessions(ctx context.Context) (n int64, err error) {
	err = s.tenants.PlatformTx(ctx, func(q *db.Queries) error {
		n, err = q.DeleteExpiredSessions(ctx)
		return err
	})
	return n, err
}

// SignOut ends the session.
func (s *Service) SignOut(ctx context.Context, sessionHash []byte) error {
	defer s.ForgetSessions()
	return s.tenants.PlatformTx(ctx, func(q *db.Queries) error { return q.DeleteSession(ctx, sessionHash) })
}

// Authenticate resolves the session cookie to the member, in the session's current workspace
// (or their first one when they have left it), and whether agentID is visible to them there.
func (s *Service) Authenticate(ctx context.Context, r *http.Request, agentID uuid.UUID) (*httpapi.Member, error) {
	m, _, err := s.session(ctx, sessionToken(r), agentID)
	return m, err
}

// sessionToken is the request's session cookie, "" when there is none.
func sessionToken(r *http.Request) string {
	cookie, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return cookie.Value
}

// session resolves a session token to the member, also returning every workspace of theirs and
// whether agentID is visible to them in the workspace they work in, in one statement.
func (s *Service) session(ctx context.Context, token string, agentID uuid.UUID) (*httpapi.Member, []Workspace, error) {
	if token == "" {
		return nil, nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	hash := hashToken(token)
	key := sessionKey{hash: string(hash), agent: agentID}
	if c, ok := s.sessions.Get(key); ok {
		m := c.member // a copy: the caller may not change the cached one
		return &m, c.workspaces, nil
	}
	gen := s.sessions.Generation()
	// One statement, one round trip, through the session door (its settings, made from the same
	// token, open the member door and enter the workspace before the statement runs).
	var rows []db.AuthenticateRow
	err := s.tenants.SessionRead(ctx, hash, func(q *db.Queries) error {
		var err error
		rows, err = q.Authenticate(ctx, db.AuthenticateParams{TokenHash: hash, AgentID: agentID})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, apperr.New(apperr.Unauthenticated, "your session has ended; sign in again")
	}
	first := rows[0]
	m := &httpapi.Member{UserID: first.UserID, Email: first.Email, Name: first.Name, SessionHash: hash}
	workspaces := make([]Workspace, 0, len(rows))
	for _, r := range rows {
		if !r.WorkspaceID.Valid || r.Role == nil || r.WorkspaceName == nil {
			continue // no membership at all
		}
		role, err := authz.ParseRole(*r.Role)
		if err != nil {
			return nil, nil, err
		}
		workspaces = append(workspaces, Workspace{ID: r.WorkspaceID.UUID, Name: *r.WorkspaceName, Role: role})
		// The session's current workspace while they are a member there, else the first: the
		// workspace the door entered, so its row's agent answer is the one that counts.
		if len(workspaces) == 1 || r.WorkspaceID == first.CurrentWorkspaceID {
			m.WorkspaceID, m.Role = r.WorkspaceID.UUID, role
			m.AgentVisible = agentID != uuid.Nil && r.AgentExists && (role != authz.RoleUser || r.Granted)
		}
	}
	s.sessions.Put(key, checkedSession{member: *m, workspaces: workspaces}, gen)
	return m, workspaces, nil
}

// Workspace is one of a user's workspaces, with their role in it.
type Workspace struct {
	ID   uuid.UUID  `json:"id"`
	Name string     `json:"name"`
	Role authz.Role `json:"role"`
}

// workspaces lists the user's memberships through the member door.
func (s *Service) workspaces(ctx context.Context, userID uuid.UUID) ([]Workspace, error) {
	var out []Workspace
	err := s.tenants.UserTx(ctx, userID, func(q *db.Queries) error {
		var err error
		out, err = listWorkspaces(ctx, q, userID)
		return err
	})
	return out, err
}

// listWorkspaces reads the user's memberships; the member door must be open for userID.
func listWorkspaces(ctx context.Context, q *db.Queries, userID uuid.UUID) ([]Workspace, error) {
	rows, err := q.ListUserMemberships(ctx, userID)
	out := make([]Workspace, 0, len(rows))
	for _, r := range rows {
		role, perr := authz.ParseRole(r.Role)
		if perr != nil {
			return nil, perr
		}
		out = append(out, Workspace{ID: r.ID, Name: r.Name, Role: role})
	}
	return out, err
}

// SwitchWorkspace makes ws the session's current workspace; one the user is not a member of is
// not found.
func (s *Service) SwitchWorkspace(ctx context.Context, m *httpapi.Member, ws uuid.UUID) error {
	workspaces, err := s.workspaces(ctx, m.UserID)
	if err != nil {
		return err
	}
	for _, w := range workspaces {
		if w.ID == ws {
			defer s.ForgetSessions()
			return s.tenants.PlatformTx(ctx, func(q *db.Queries) error {
				return q.SetSessionWorkspace(ctx, db.SetSessionWorkspaceParams{
					TokenHash: m.SessionHash, CurrentWorkspaceID: uuid.NullUUID{UUID: ws, Valid: true},
				})
			})
		}
	}
	return apperr.New(apperr.NotFound, "no such workspace")
}

// CreateWorkspace makes another workspace owned by m and switches the session to it.
func (s *Service) CreateWorkspace(ctx context.Context, m *httpapi.Member, name string) error {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 3 || n > 100 {
		return apperr.Field("name", "must be 3 to 100 characters")
	}
	ws := uuid.Must(uuid.NewV7())
	defer s.ForgetSessions()
	return s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		if err := createWorkspace(ctx, tx, m.UserID, name); err != nil {
			return err
		}
		return tx.Q.SetSessionWorkspace(ctx, db.SetSessionWorkspaceParams{
			TokenHash: m.SessionHash, CurrentWorkspaceID: uuid.NullUUID{UUID: ws, Valid: true},
		})
	})
}

func createSession(ctx context.Context, q *db.Queries, tokenHash []byte, user, ws uuid.UUID, from Client) error {
	var ip *netip.Addr
	if from.IP.IsValid() {
		ip = &from.IP
	}
	return q.CreateSession(ctx, db.CreateSessionParams{
		TokenHash: tokenHash, UserID: user, CurrentWorkspaceID: uuid.NullUUID{UUID: ws, Valid: ws != uuid.Nil},
		Ip: ip, UserAgent: truncate(from.UserAgent, 500), ExpiresAt: time.Now().Add(SessionTTL),
	})
}

// newToken returns a fresh session token (256 random bits) and the hash that is stored.
func newToken() (string, []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func withUser(ctx context.Context, id uuid.UUID) context.Context {
	a := audit.ActorFrom(ctx)
	a.UserID = id
	return audit.WithActor(ctx, a)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
