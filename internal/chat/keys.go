package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
)

// KeyPrefix starts every agent key, so a leaked key is recognizable (secret scanners, logs).
const KeyPrefix = "gla_"

// ScopeChat is the one scope an agent key has: the chat runtime's tools and conversations.
const ScopeChat = "chat"

// MaxKeyNameLength bounds a key's name.
const MaxKeyNameLength = 60

// KeyCacheTTL is how long a process trusts a key it has looked up. A revoked key stops working
// at once in the process that revoked it and within this time in every other process.
const KeyCacheTTL = 10 * time.Second

// Agent is what an agent key authenticates: one agent of one workspace.
type Agent struct {
	WorkspaceID uuid.UUID
	AgentID     uuid.UUID
	KeyID       uuid.UUID
}

// Key is an agent key as the API shows it; the secret itself is shown once, by CreateKey.
type Key struct {
	ID            uuid.UUID  `json:"id"`
	AgentID       uuid.UUID  `json:"agent_id"`
	Name          string     `json:"name"`
	Scope         string     `json:"scope"`
	Hint          string     `json:"hint"`
	CreatedByName string     `json:"created_by_name"`
	CreatedAt     time.Time  `json:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
}

// CreatedKey is a new key with its secret, which is never shown again.
type CreatedKey struct {
	Key
	Secret string `json:"secret"`
}

func keyFrom(k db.AgentKey, createdBy string) Key {
	return Key{ID: k.ID, AgentID: k.AgentID, Name: k.Name, Scope: k.Scope, Hint: k.Hint, CreatedByName: createdBy,
		CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

// newKey returns a key and its stored hash. Like an invitation token, the key carries the
// workspace id (so the door enters that workspace without a cross-tenant lookup), then 256
// random bits.
func newKey(ws uuid.UUID) (string, []byte) {
	b := make([]byte, 16+32)
	copy(b, ws[:])
	_, _ = rand.Read(b[16:])
	key := KeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(key))
	return key, h[:]
}

// KeyHintLength is how many of a key's last characters its hint shows.
const KeyHintLength = 6

// keyHint is how a key is shown once its secret is gone: the prefix and the key's last
// characters ("gla_…x1Y2z3"). The last ones are random, so the hints of two keys tell them
// apart; the first ones name the workspace and are the same for all its keys.
func keyHint(secret string) string {
	return KeyPrefix + "…" + secret[len(secret)-KeyHintLength:]
}

// parseKey returns the workspace a key names and the key's hash.
func parseKey(key string) (uuid.UUID, []byte, bool) {
	rest, ok := strings.CutPrefix(key, KeyPrefix)
	if !ok {
		return uuid.Nil, nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) != 48 {
		return uuid.Nil, nil, false
	}
	ws, _ := uuid.FromBytes(b[:16])
	if ws == uuid.Nil {
		return uuid.Nil, nil, false
	}
	h := sha256.Sum256([]byte(key))
	return ws, h[:], true
}

var errBadKey = apperr.New(apperr.Unauthenticated, "the agent key is missing, malformed, revoked or unknown; send Authorization: Bearer <key>")

// maxCachedKeys bounds the keys a process remembers (about 100 bytes each).
const maxCachedKeys = 10_000

// Authenticate resolves an agent key to its agent: the public door of the chat runtime. The
// workspace comes from the key; the hash is looked up inside that workspace's transaction.
func (s *Service) Authenticate(ctx context.Context, key string) (Agent, error) {
	ws, hash, ok := parseKey(key)
	if !ok {
		return Agent{}, errBadKey
	}
	if a, ok := s.keys.Get(string(hash)); ok {
		return a, nil
	}
	gen := s.keys.Generation() // a revocation committed meanwhile keeps this answer out
	var a Agent
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		k, err := tx.Q.AgentKeyByHash(ctx, db.AgentKeyByHashParams{WorkspaceID: ws, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) {
			return errBadKey
		}
		if err != nil {
			return err
		}
		if k.RevokedAt != nil || k.Scope != ScopeChat {
			return errBadKey
		}
		a = Agent{WorkspaceID: ws, AgentID: k.AgentID, KeyID: k.ID}
		return nil
	})
	if err != nil {
		return Agent{}, err
	}
	s.keys.Put(string(hash), a, gen)
	return a, nil
}

// CreateKey makes a key for the agent; its secret is in the answer and nowhere else.
func (s *Service) CreateKey(ctx context.Context, actor *httpapi.Member, agentID uuid.UUID, name string) (CreatedKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxKeyNameLength {
		return CreatedKey{}, apperr.Field("name", "must be 1 to 60 characters")
	}
	var out CreatedKey
	err := s.tenants.Tx(ctx, actor.WorkspaceID, func(tx tenant.Tx) error {
		secret, hash := newKey(tx.WorkspaceID)
		k, err := tx.Q.CreateAgentKey(ctx, db.CreateAgentKeyParams{WorkspaceID: tx.WorkspaceID, AgentID: agentID,
			ID: uuid.Must(uuid.NewV7()), Name: name, TokenHash: hash, Hint: keyHint(secret),
			CreatedBy: uuid.NullUUID{UUID: actor.UserID, Valid: true}})
		if err != nil {
			return err
		}
		out = CreatedKey{Key: keyFrom(k, actor.Name), Secret: secret}
		return audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "agent_keys", ResourceID: k.ID.String(), After: out.Key})
	})
	return out, err
}

// Keys lists the agent's keys, newest first, revoked ones included.
func (s *Service) Keys(ctx context.Context, ws, agentID uuid.UUID) ([]Key, error) {
	out := []Key{}
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		rows, err := tx.Q.ListAgentKeys(ctx, db.ListAgentKeysParams{WorkspaceID: ws, AgentID: agentID})
		for _, r := range rows {
			out = append(out, keyFrom(db.AgentKey{ID: r.ID, AgentID: r.AgentID, Name: r.Name, Scope: r.Scope, Hint: r.Hint,
				CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}, r.CreatedByName))
		}
		return err
	})
	return out, err
}

// RevokeKey revokes a key for good (revoking twice is harmless).
func (s *Service) RevokeKey(ctx context.Context, ws, agentID, id uuid.UUID) (Key, error) {
	var out Key
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		k, err := tx.Q.RevokeAgentKey(ctx, db.RevokeAgentKeyParams{WorkspaceID: ws, AgentID: agentID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "no such key")
		}
		if err != nil {
			return err
		}
		out = keyFrom(k, "")
		return audit.Record(ctx, tx, audit.Entry{Action: "revoke", Resource: "agent_keys", ResourceID: id.String(), After: out})
	})
	if err == nil {
		s.keys.Forget(func(_ string, a Agent) bool { return a.KeyID == id })
	}
	return out, err
}
