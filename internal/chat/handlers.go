package chat

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
)

// Limits of the runtime's door.
const (
	// BadKeysPerIPEvery and BadKeysPerIPBurst bound the failed key checks from one address (a
	// guess costs a database lookup).
	BadKeysPerIPEvery = time.Second
	BadKeysPerIPBurst = 20
)

// Limits configures the chat runtime's rate limit.
type Limits struct {
	// PerKey is how many requests one agent key may make per second (its burst too); 0 means no
	// limit.
	PerKey int
}

// Register mounts the chat runtime's endpoints (agent key) under /api/v1/chat, its MCP server
// at /mcp on root, and the members' ones: agent keys in the agent's settings, the conversation
// history, a contact's conversations and the provenance of its values.
func Register(r *httpapi.Router, root gin.IRouter, s *Service, limits Limits) {
	h := handlers{s: s, badKeys: httpapi.NewKeyedLimiter(BadKeysPerIPEvery, BadKeysPerIPBurst), blocked: &sync.Map{}}
	if limits.PerKey > 0 {
		h.perKey = httpapi.NewKeyedLimiter(time.Second/time.Duration(limits.PerKey), limits.PerKey)
	}
	rt := r.Public.Group("/chat", h.authenticate)
	rt.GET("/schema", h.schema)
	rt.POST("/lookup", h.lookup)
	rt.POST("/exists", h.exists)
	rt.POST("/save", h.save)
	rt.POST("/conversations", h.start)
	rt.PATCH("/conversations/:conversationId", h.setTitle)
	rt.POST("/conversations/:conversationId/messages", h.append)
	rt.POST("/conversations/:conversationId/end", h.end)
	mcpHandler := h.mcpHandler()
	root.POST(MCPPath, mcpHandler)
	root.GET(MCPPath, mcpHandler)
	root.DELETE(MCPPath, mcpHandler)

	m := r.Members
	const a = "/agents/:agentId"
	// Keys are the agent's settings: owners and admins.
	m.GET(a+"/keys", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.keys)
	m.POST(a+"/keys", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.createKey)
	m.POST(a+"/keys/:keyId/revoke", r.Require(authz.ResourceAgents, authz.ActionUpdate), h.revokeKey)
	// Conversations are part of the CRM: whoever reads the agent's contacts reads them.
	m.GET(a+"/conversations", r.Require(authz.ResourceContacts, authz.ActionRead), h.history)
	m.GET(a+"/conversations/:conversationId", r.Require(authz.ResourceContacts, authz.ActionRead), h.transcript)
	m.GET(a+"/contacts/:contactId/conversations", r.Require(authz.ResourceContacts, authz.ActionRead), h.contactConversations)
	m.GET(a+"/contacts/:contactId/sources", r.Require(authz.ResourceContacts, authz.ActionRead), h.fieldSources)
}

type handlers struct {
	s       *Service
	badKeys *httpapi.KeyedLimiter
	blocked *sync.Map             // ip → time.Time until which its bad-key bucket is empty
	perKey  *httpapi.KeyedLimiter // nil: no limit
}

const agentKey = "chat.agent"

// BearerKey is the agent key of a request (Authorization: Bearer <key>), "" when none.
func BearerKey(r *http.Request) string {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(key)
}

// authenticate lets through requests with a valid agent key, within the key's rate limit.
func (h handlers) authenticate(c *gin.Context) {
	a, ok := h.check(c, c.Request)
	if !ok {
		return
	}
	c.Set(agentKey, a)
	c.Next()
}

// check authenticates r's agent key and takes a token of its rate limit, answering the refusal
// on c's writer when it fails. Failed checks from one address spend a bucket of their own; once
// it is empty the address is refused without a lookup until it refills.
func (h handlers) check(c *gin.Context, r *http.Request) (Agent, bool) {
	ip := c.ClientIP()
	if until, ok := h.blocked.Load(ip); ok {
		if time.Now().Before(until.(time.Time)) {
			h.refuseGuessing(c, time.Until(until.(time.Time)))
			return Agent{}, false
		}
		h.blocked.Delete(ip)
	}
	key := BearerKey(r)
	a, err := h.s.Authenticate(r.Context(), key)
	if err != nil {
		// Only a well-formed key costs a lookup; only those count as guesses.
		if _, _, wellFormed := parseKey(key); wellFormed && apperr.CodeOf(err) == apperr.Unauthenticated {
			if ok, wait := h.badKeys.Allow(ip); !ok {
				h.blocked.Store(ip, time.Now().Add(wait))
				h.refuseGuessing(c, wait)
				return Agent{}, false
			}
		}
		if apperr.CodeOf(err) == apperr.Unauthenticated {
			c.Header("WWW-Authenticate", wwwAuthenticate(key != ""))
		}
		httpapi.Fail(c, err)
		return Agent{}, false
	}
	if h.perKey != nil {
		if ok, wait := h.perKey.Allow(a.KeyID.String()); !ok {
			c.Header("Retry-After", strconv.Itoa(max(1, int(wait.Seconds()))))
			httpapi.Fail(c, apperr.New(apperr.RateLimited, "this agent key is over its rate limit; slow down"))
			return Agent{}, false
		}
	}
	return a, true
}

// wwwAuthenticate is the challenge of a refused agent key (RFC 6750), which MCP clients read
// to learn that the server wants a bearer token: the scope a key needs and, when a key was
// sent, that it is invalid. The body keeps the one error shape.
func wwwAuthenticate(keySent bool) string {
	v := `Bearer realm="guestlist", scope="` + ScopeChat + `"`
	if keySent {
		v += `, error="invalid_token", error_description="the agent key is malformed, revoked or unknown"`
	}
	return v
}

func (h handlers) refuseGuessing(c *gin.Context, wait time.Duration) {
	secs := max(1, int(wait.Seconds()+0.999))
	c.Header("Retry-After", strconv.Itoa(secs))
	httpapi.Fail(c, apperr.New(apperr.RateLimited, "too many requests with bad keys; try again in %d seconds", secs))
}

func agentOf(c *gin.Context) Agent { return c.MustGet(agentKey).(Agent) }

func (h handlers) schema(c *gin.Context) {
	out, err := h.s.Schema(c.Request.Context(), agentOf(c))
	httpapi.Reply(c, http.StatusOK, gin.H{"fields": out}, err)
}

func (h handlers) lookup(c *gin.Context) {
	var in LookupInput
	if httpapi.Bind(c, &in) {
		out, err := h.s.Lookup(c.Request.Context(), agentOf(c), in)
		httpapi.Reply(c, http.StatusOK, out, err)
	}
}

func (h handlers) exists(c *gin.Context) {
	var in LookupInput
	if httpapi.Bind(c, &in) {
		found, err := h.s.Exists(c.Request.Context(), agentOf(c), in)
		httpapi.Reply(c, http.StatusOK, gin.H{"exists": found}, err)
	}
}

func (h handlers) save(c *gin.Context) {
	var in SaveInput
	if err := httpapi.Decode(c, &in); err != nil {
		httpapi.Fail(c, refuseBusinessField(err))
		return
	}
	out, err := h.s.Save(c.Request.Context(), agentOf(c), in)
	status := http.StatusOK
	if out.Created {
		status = http.StatusCreated
	}
	httpapi.Reply(c, status, out, err)
}

// businessFields are the contact's built-in fields (and their API names) that are the
// business's and never the agent's to write: the external id, the stage, the owners.
var businessFields = []string{"external_id", "stage", "stage_id", "status", "source", "owner", "owners",
	"primary_owner", "primary_owner_id", "secondary_owner", "secondary_owner_id"}

// refuseBusinessField says clearly why save refuses one of the business's fields, which the
// body's decoding refuses as unknown (SaveInput has no place for them).
func refuseBusinessField(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) && len(ae.Fields) == 1 {
		for f := range ae.Fields {
			if slices.Contains(businessFields, f) {
				return apperr.Field(f, "is the business's field, not one the agent may write (see the schema tool)")
			}
		}
	}
	return err
}

func (h handlers) start(c *gin.Context) {
	var in StartInput
	if httpapi.Bind(c, &in) {
		out, err := h.s.Start(c.Request.Context(), agentOf(c), in)
		httpapi.Reply(c, http.StatusCreated, out, err)
	}
}

func (h handlers) setTitle(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "conversationId")
	var in struct {
		Title string `json:"title"`
	}
	if ok && httpapi.Bind(c, &in) {
		out, err := h.s.SetTitle(c.Request.Context(), agentOf(c), id[0], in.Title)
		httpapi.Reply(c, http.StatusOK, out, err)
	}
}

func (h handlers) append(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "conversationId")
	var in AppendInput
	if ok && httpapi.Bind(c, &in) {
		out, created, err := h.s.Append(c.Request.Context(), agentOf(c), id[0], in)
		status := http.StatusOK // a retry: the stored message
		if created {
			status = http.StatusCreated
		}
		httpapi.Reply(c, status, out, err)
	}
}

func (h handlers) end(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "conversationId"); ok {
		out, err := h.s.End(c.Request.Context(), agentOf(c), id[0])
		httpapi.Reply(c, http.StatusOK, out, err)
	}
}

func ws(c *gin.Context) uuid.UUID { return httpapi.CurrentMember(c).WorkspaceID }

func (h handlers) keys(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId"); ok {
		out, err := h.s.Keys(c.Request.Context(), ws(c), id[0])
		httpapi.Reply(c, http.StatusOK, gin.H{"items": out}, err)
	}
}

func (h handlers) createKey(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	var in struct {
		Name string `json:"name"`
	}
	if ok && httpapi.Bind(c, &in) {
		out, err := h.s.CreateKey(c.Request.Context(), httpapi.CurrentMember(c), id[0], in.Name)
		httpapi.Reply(c, http.StatusCreated, out, err)
	}
}

func (h handlers) revokeKey(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "keyId"); ok {
		out, err := h.s.RevokeKey(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, out, err)
	}
}

func (h handlers) history(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId")
	if !ok {
		return
	}
	var after *HistoryCursor
	if s := c.Query("cursor"); s != "" {
		cur, err := ParseHistoryCursor(s)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		after = &cur
	}
	people, next, err := h.s.History(c.Request.Context(), ws(c), id[0], c.Query("q"), after)
	var cursor *string
	if next != nil {
		s := next.String()
		cursor = &s
	}
	httpapi.Reply(c, http.StatusOK, gin.H{"items": people, "next_cursor": cursor}, err)
}

func (h handlers) transcript(c *gin.Context) {
	id, ok := httpapi.PathIDs(c, "agentId", "conversationId")
	if !ok {
		return
	}
	var after int64
	if s := c.Query("after"); s != "" {
		var err error
		if after, err = strconv.ParseInt(s, 10, 32); err != nil || after < 0 {
			httpapi.Fail(c, apperr.Field("after", "must be a message's seq (a whole number, 0 or more)"))
			return
		}
	}
	out, err := h.s.Transcript(c.Request.Context(), ws(c), id[0], id[1], int32(after))
	httpapi.Reply(c, http.StatusOK, out, err)
}

func (h handlers) contactConversations(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		out, err := h.s.ContactConversations(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, gin.H{"items": out}, err)
	}
}

func (h handlers) fieldSources(c *gin.Context) {
	if id, ok := httpapi.PathIDs(c, "agentId", "contactId"); ok {
		out, err := h.s.FieldSources(c.Request.Context(), ws(c), id[0], id[1])
		httpapi.Reply(c, http.StatusOK, gin.H{"items": out}, err)
	}
}
