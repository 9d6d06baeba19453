package chat_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// bundle is a workspace owner, their first agent and a chat runtime holding a key of it.
type bundle struct {
	env     *apptest.Env
	owner   *apptest.Member
	agent   string
	base    string // /api/v1/agents/<agent>
	runtime *apptest.Client
}

func setup(t *testing.T, env *apptest.Env) *bundle {
	t.Helper()
	owner := env.SignUp(t)
	agent := owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	b := &bundle{env: env, owner: owner, agent: agent, base: "/api/v1/agents/" + agent}
	b.runtime = b.keyClient(t, b.newKey(t, "Runtime"))
	return b
}

func (b *bundle) newKey(t *testing.T, name string) string {
	t.Helper()
	resp := b.owner.Do("POST", b.base+"/keys", map[string]string{"name": name})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)["secret"].(string)
}

func (b *bundle) keyClient(t *testing.T, key string) *apptest.Client {
	c := b.env.Client(t)
	c.Header.Set("Authorization", "Bearer "+key)
	return c
}

// otherAgent makes a second agent in the owner's workspace and returns a runtime with its key.
func (b *bundle) otherAgent(t *testing.T) (string, *apptest.Client) {
	t.Helper()
	resp := b.owner.Do("POST", "/api/v1/agents", map[string]string{"name": "Second agent"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	resp = b.owner.Do("POST", "/api/v1/agents/"+id+"/keys", map[string]string{"name": "Second"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return id, b.keyClient(t, resp.Map(t)["secret"].(string))
}

func (b *bundle) field(t *testing.T, label, typ, policy string) string {
	t.Helper()
	resp := b.owner.Do("POST", b.base+"/fields", map[string]string{"label": label, "type": typ, "ai_policy": policy})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)["key"].(string)
}

func start(t *testing.T, rt *apptest.Client, visitor string) string {
	t.Helper()
	resp := rt.Do("POST", "/api/v1/chat/conversations", map[string]string{"visitor_id": visitor})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)["id"].(string)
}

func say(t *testing.T, rt *apptest.Client, conversation, clientID, role, content string) map[string]any {
	t.Helper()
	resp := rt.Do("POST", "/api/v1/chat/conversations/"+conversation+"/messages",
		map[string]string{"client_message_id": clientID, "role": role, "content": content})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

func save(t *testing.T, rt *apptest.Client, body map[string]any, want int) map[string]any {
	t.Helper()
	resp := rt.Do("POST", "/api/v1/chat/save", body)
	require.Equal(t, want, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

func TestCaptureFromChat(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	budget := b.field(t, "Budget", "number", "fill_empty")
	plan := b.field(t, "Plan", "text", "overwrite")
	secret := b.field(t, "Internal score", "number", "off")

	t.Run("schema lists name, email, phone and the fields open to the AI", func(t *testing.T) {
		resp := b.runtime.Do("GET", "/api/v1/chat/schema", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var keys []string
		for _, f := range resp.Map(t)["fields"].([]any) {
			keys = append(keys, f.(map[string]any)["key"].(string))
		}
		require.Equal(t, []string{"name", "email", "phone", budget, plan}, keys)
	})

	conv := start(t, b.runtime, "visitor-1")
	say(t, b.runtime, conv, "m1", "agent", "Hello! Who am I talking to?")
	msg := say(t, b.runtime, conv, "m2", "visitor", "I'm Ada Lovelace, ada@example.com, budget 5000, plan basic")

	t.Run("a field whose AI policy is off is refused, naming it, and nothing is written", func(t *testing.T) {
		resp := b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv, "email": "ada@example.com",
			"custom": map[string]any{secret: 99}})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, resp.Map(t)["error"].(map[string]any)["fields"], "custom."+secret)
		require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM contacts"))
	})

	var contactID string
	t.Run("save creates the contact via Chat, with provenance, and links the conversation", func(t *testing.T) {
		out := save(t, b.runtime, map[string]any{"conversation_id": conv, "name": "Ada Lovelace", "email": "ada@example.com",
			"custom": map[string]any{budget: 5000, plan: "basic"}}, http.StatusCreated)
		require.Equal(t, true, out["created"])
		require.ElementsMatch(t, []any{"custom." + budget, "custom." + plan, "email", "name"}, out["written"])
		contact := out["contact"].(map[string]any)
		contactID = contact["id"].(string)
		require.Equal(t, "via Chat", contact["source_label"])

		full := b.owner.Do("GET", b.base+"/contacts/"+contactID, nil).Map(t)
		require.Equal(t, "chat", full["source"])
		require.Equal(t, "Ada Lovelace", full["name"])
		require.EqualValues(t, 5000, full["custom"].(map[string]any)[budget])

		sources := b.owner.Do("GET", b.base+"/contacts/"+contactID+"/sources", nil).Map(t)["items"].([]any)
		byField := map[string]map[string]any{}
		for _, s := range sources {
			byField[s.(map[string]any)["field"].(string)] = s.(map[string]any)
		}
		require.Len(t, byField, 4)
		require.Equal(t, conv, byField["email"]["conversation_id"])
		require.Equal(t, msg["id"], byField["email"]["message_id"], "the latest visitor message by default")
		require.EqualValues(t, 2, byField["email"]["message_seq"])

		convs := b.owner.Do("GET", b.base+"/contacts/"+contactID+"/conversations", nil).Map(t)["items"].([]any)
		require.Len(t, convs, 1)
		require.Equal(t, conv, convs[0].(map[string]any)["id"])
	})

	t.Run("fill when empty never overwrites; may overwrite does", func(t *testing.T) {
		say(t, b.runtime, conv, "m3", "visitor", "Actually budget 9000, plan premium, and I'm Countess Ada, ada@elsewhere.com, +44 20 7946 0958")
		out := save(t, b.runtime, map[string]any{"conversation_id": conv, "message_id": "m3", "name": "Countess Ada",
			"email": "ada@elsewhere.com", "phone": "+44 20 7946 0958", "custom": map[string]any{budget: 9000, plan: "premium"}}, http.StatusOK)
		require.Equal(t, false, out["created"])
		require.Equal(t, []any{"custom." + plan, "phone"}, out["written"])
		require.Equal(t, []any{"custom." + budget, "email", "name"}, out["kept"])
		full := b.owner.Do("GET", b.base+"/contacts/"+contactID, nil).Map(t)
		require.Equal(t, "Ada Lovelace", full["name"])
		require.Equal(t, "ada@example.com", full["email"])
		require.Equal(t, "+442079460958", full["phone"])
		require.EqualValues(t, 5000, full["custom"].(map[string]any)[budget])
		require.Equal(t, "premium", full["custom"].(map[string]any)[plan])

		sources := b.owner.Do("GET", b.base+"/contacts/"+contactID+"/sources", nil).Map(t)["items"].([]any)
		for _, s := range sources {
			s := s.(map[string]any)
			want := 2
			if s["field"] == "custom."+plan || s["field"] == "phone" {
				want = 3 // written from the message named by message_id
			}
			require.EqualValues(t, want, s["message_seq"], "%s", s["field"])
		}
	})

	t.Run("a member's later edit drops the chat provenance of that field", func(t *testing.T) {
		resp := b.owner.Do("PATCH", b.base+"/contacts/"+contactID, map[string]any{"name": "Augusta Ada King"})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		for _, s := range b.owner.Do("GET", b.base+"/contacts/"+contactID+"/sources", nil).Map(t)["items"].([]any) {
			require.NotEqual(t, "name", s.(map[string]any)["field"])
		}
	})

	t.Run("lookup and exists", func(t *testing.T) {
		resp := b.runtime.Do("POST", "/api/v1/chat/lookup", map[string]string{"email": "ADA@example.com"})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		found := resp.Map(t)
		require.Equal(t, contactID, found["id"])
		require.NotContains(t, found["custom"], secret)
		resp = b.runtime.Do("POST", "/api/v1/chat/lookup", map[string]string{"phone": "+44 20 7946 0958"})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		resp = b.runtime.Do("POST", "/api/v1/chat/lookup", map[string]string{"email": "nobody@example.com"})
		require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
		require.Equal(t, true, b.runtime.Do("POST", "/api/v1/chat/exists", map[string]string{"email": "ada@example.com"}).Map(t)["exists"])
		require.Equal(t, false, b.runtime.Do("POST", "/api/v1/chat/exists", map[string]string{"email": "nobody@example.com"}).Map(t)["exists"])
		resp = b.runtime.Do("POST", "/api/v1/chat/exists", map[string]string{"email": "not an email"})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, resp.Map(t)["error"].(map[string]any)["fields"], "email")
	})

	t.Run("the created contact's automation job is inserted with it", func(t *testing.T) {
		var n int
		require.NoError(t, env.DB.Owner.QueryRow(context.Background(),
			`SELECT count(*) FROM river.river_job WHERE kind = 'automate_contacts' AND args->'contact_ids' ? $1`, contactID).Scan(&n))
		require.Equal(t, 1, n)
	})
}

func TestAnonymousConversationsLinkedOnIdentification(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	first, second := start(t, b.runtime, "browser-42"), start(t, b.runtime, "browser-42")
	say(t, b.runtime, first, "a", "visitor", "just looking")
	other := start(t, b.runtime, "browser-7") // another visitor stays anonymous
	resp := b.runtime.Do("POST", "/api/v1/chat/conversations/"+first+"/end", nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

	history := b.owner.Do("GET", b.base+"/conversations", nil).Map(t)["items"].([]any)
	require.Len(t, history, 2)
	for _, p := range history {
		require.Equal(t, "Anonymous User", p.(map[string]any)["label"])
	}

	third := start(t, b.runtime, "browser-42")
	say(t, b.runtime, third, "b", "visitor", "I'm Grace, grace@example.com")
	out := save(t, b.runtime, map[string]any{"conversation_id": third, "name": "Grace Hopper", "email": "grace@example.com"}, http.StatusCreated)
	contact := out["contact"].(map[string]any)["id"].(string)

	convs := b.owner.Do("GET", b.base+"/contacts/"+contact+"/conversations", nil).Map(t)["items"].([]any)
	var ids []any
	for _, c := range convs {
		ids = append(ids, c.(map[string]any)["id"])
	}
	require.ElementsMatch(t, []any{first, second, third}, ids, "the visitor's earlier anonymous conversations are the contact's too")

	history = b.owner.Do("GET", b.base+"/conversations", nil).Map(t)["items"].([]any)
	require.Len(t, history, 2)
	labels := map[string]int{}
	for _, p := range history {
		p := p.(map[string]any)
		labels[p["label"].(string)] = len(p["conversations"].([]any))
	}
	require.Equal(t, map[string]int{"Grace Hopper": 3, "Anonymous User": 1}, labels)
	found := b.owner.Do("GET", b.base+"/conversations?q=grace", nil).Map(t)["items"].([]any)
	require.Len(t, found, 1)
	require.Empty(t, b.owner.Do("GET", b.base+"/conversations?q=nobody", nil).Map(t)["items"])

	t.Run("a conversation started for a known contact links the visitor's anonymous ones", func(t *testing.T) {
		resp := b.runtime.Do("POST", "/api/v1/chat/conversations", map[string]any{"visitor_id": "browser-7", "contact_id": contact})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		convs := b.owner.Do("GET", b.base+"/contacts/"+contact+"/conversations", nil).Map(t)["items"].([]any)
		require.Len(t, convs, 5, "browser-7's anonymous conversation and the new one joined the contact's three")
		require.Contains(t, fmt.Sprint(convs), other)
	})

	t.Run("transcript in order, and after a seq", func(t *testing.T) {
		say(t, b.runtime, third, "c", "agent", "Nice to meet you, Grace")
		tr := b.owner.Do("GET", b.base+"/conversations/"+third, nil).Map(t)
		require.Equal(t, "Grace Hopper", tr["label"])
		msgs := tr["messages"].([]any)
		require.Len(t, msgs, 2)
		require.EqualValues(t, 1, msgs[0].(map[string]any)["seq"])
		later := b.owner.Do("GET", b.base+"/conversations/"+third+"?after=1", nil).Map(t)["messages"].([]any)
		require.Len(t, later, 1)
		require.Equal(t, "Nice to meet you, Grace", later[0].(map[string]any)["content"])
	})
}

func TestIsolationAcrossAgentsAndWorkspaces(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	a := setup(t, env)
	conv := start(t, a.runtime, "v")
	contact := save(t, a.runtime, map[string]any{"conversation_id": conv, "email": "mine@example.com"}, http.StatusCreated)["contact"].(map[string]any)["id"].(string)

	resp := a.runtime.Do("PATCH", "/api/v1/chat/conversations/"+conv, map[string]string{"title": "Mine"})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	keys := a.owner.Do("GET", a.base+"/keys", nil).Map(t)["items"].([]any)
	require.Len(t, keys, 1)
	key := keys[0].(map[string]any)["id"].(string)
	// What A's members see of A's conversation and contact; the same afterwards.
	memberPaths := []string{"/conversations/" + conv, "/contacts/" + contact + "/conversations", "/contacts/" + contact + "/sources"}
	before := map[string]string{}
	for _, path := range memberPaths {
		resp := a.owner.Do("GET", a.base+path, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", path, resp.Body)
		before[path] = string(resp.Body)
	}
	require.NotEmpty(t, a.owner.Do("GET", a.base+"/contacts/"+contact+"/sources", nil).Map(t)["items"], "the fixture has sources")

	siblingAgent, sibling := a.otherAgent(t) // same workspace, another agent
	stranger := setup(t, env)

	// Each other party: its runtime (a key of its own agent) and a member through its own
	// agent's path, all with A's ids.
	type party struct {
		runtime *apptest.Client
		member  *apptest.Member
		base    string
	}
	for name, p := range map[string]party{
		"another agent":     {sibling, a.owner, "/api/v1/agents/" + siblingAgent},
		"another workspace": {stranger.runtime, stranger.owner, stranger.base},
	} {
		rt := p.runtime
		t.Run(name, func(t *testing.T) {
			resp := rt.Do("POST", "/api/v1/chat/lookup", map[string]string{"email": "mine@example.com"})
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
			require.Equal(t, false, rt.Do("POST", "/api/v1/chat/exists", map[string]string{"email": "mine@example.com"}).Map(t)["exists"])
			resp = rt.Do("POST", "/api/v1/chat/conversations", map[string]any{"visitor_id": "v", "contact_id": contact})
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
			resp = rt.Do("POST", "/api/v1/chat/conversations/"+conv+"/messages", map[string]string{"client_message_id": "x", "role": "visitor", "content": "hi"})
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
			resp = rt.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv, "email": "mine@example.com"})
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
			own := start(t, rt, "v")
			resp = rt.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": own, "contact_id": contact, "name": "Taken over"})
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
			resp = rt.Do("POST", "/api/v1/chat/conversations/"+conv+"/end", nil)
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
			resp = rt.Do("PATCH", "/api/v1/chat/conversations/"+conv, map[string]string{"title": "Hijacked"})
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)

			for _, path := range memberPaths {
				resp := p.member.Do("GET", p.base+path, nil)
				require.Equal(t, http.StatusNotFound, resp.Status, "%s: %s", path, resp.Body)
			}
			resp = p.member.Do("POST", p.base+"/keys/"+key+"/revoke", nil)
			require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
		})
	}
	// Another workspace's member through A's agent path: the agent is not theirs.
	for _, path := range memberPaths {
		resp := stranger.owner.Do("GET", a.base+path, nil)
		require.Equal(t, http.StatusNotFound, resp.Status, "%s: %s", path, resp.Body)
	}
	resp = stranger.owner.Do("POST", a.base+"/keys/"+key+"/revoke", nil)
	require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)

	// A's key still works, unrevoked, and A's conversation and contact are as they were.
	require.Equal(t, http.StatusOK, a.runtime.Do("GET", "/api/v1/chat/schema", nil).Status)
	require.Nil(t, a.owner.Do("GET", a.base+"/keys", nil).Map(t)["items"].([]any)[0].(map[string]any)["revoked_at"])
	for _, path := range memberPaths {
		resp := a.owner.Do("GET", a.base+path, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", path, resp.Body)
		require.JSONEq(t, before[path], string(resp.Body), path)
	}
	require.Equal(t, "Mine", a.owner.Do("GET", a.base+"/conversations/"+conv, nil).Map(t)["conversation"].(map[string]any)["title"])

	// The same email is a new contact for the other agent: each agent has its own CRM.
	own := start(t, sibling, "v")
	save(t, sibling, map[string]any{"conversation_id": own, "email": "mine@example.com"}, http.StatusCreated)
	require.Empty(t, a.owner.Do("GET", a.base+"/contacts/"+contact, nil).Map(t)["name"], "the first agent's contact is untouched")

	t.Run("a revoked key stops working; a made-up one never works", func(t *testing.T) {
		keys := a.owner.Do("GET", a.base+"/keys", nil).Map(t)["items"].([]any)
		require.Len(t, keys, 1)
		key := keys[0].(map[string]any)
		require.NotContains(t, key, "secret")
		resp := a.owner.Do("POST", a.base+"/keys/"+key["id"].(string)+"/revoke", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		require.NotNil(t, resp.Map(t)["revoked_at"])
		resp = a.runtime.Do("GET", "/api/v1/chat/schema", nil)
		require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
		for _, bad := range []string{"", "Bearer nonsense", "Bearer gla_" + strings.Repeat("A", 64), "Basic x"} {
			c := env.Client(t)
			c.Header.Set("Authorization", bad)
			require.Equal(t, http.StatusUnauthorized, c.Do("GET", "/api/v1/chat/schema", nil).Status, bad)
		}
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	conv := start(t, b.runtime, "v")
	messages := "/api/v1/chat/conversations/" + conv + "/messages"
	fieldsOf := func(r apptest.Response) map[string]any {
		f, _ := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
		return f
	}

	t.Run("unknown conversation", func(t *testing.T) {
		unknown := uuid.Must(uuid.NewV7()).String()
		resp := b.runtime.Do("POST", "/api/v1/chat/conversations/"+unknown+"/messages", map[string]string{"client_message_id": "x", "role": "visitor", "content": "hi"})
		require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
		resp = b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": unknown, "email": "a@example.com"})
		require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
		require.Contains(t, fieldsOf(resp), "conversation_id")
		resp = b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": "not-an-id", "email": "a@example.com"})
		require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
		resp = b.runtime.Do("PATCH", "/api/v1/chat/conversations/"+unknown, map[string]string{"title": "x"})
		require.Equal(t, http.StatusNotFound, resp.Status, "%s", resp.Body)
	})

	t.Run("a retried message is stored once", func(t *testing.T) {
		first := say(t, b.runtime, conv, "r1", "visitor", "hello")
		resp := b.runtime.Do("POST", messages, map[string]string{"client_message_id": "r1", "role": "visitor", "content": "hello"})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		require.Equal(t, first["id"], resp.Map(t)["id"])
		resp = b.runtime.Do("POST", messages, map[string]string{"client_message_id": "r1", "role": "visitor", "content": "something else"})
		require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
		require.Contains(t, fieldsOf(resp), "client_message_id")
		require.Equal(t, 1, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversation_messages WHERE client_message_id = 'r1'"))
	})

	t.Run("messages out of order", func(t *testing.T) {
		now := time.Now().UTC()
		resp := b.runtime.Do("POST", messages, map[string]any{"client_message_id": "t1", "role": "visitor", "content": "now", "sent_at": now})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		resp = b.runtime.Do("POST", messages, map[string]any{"client_message_id": "t0", "role": "visitor", "content": "earlier", "sent_at": now.Add(-time.Hour)})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, fieldsOf(resp), "sent_at")
		require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversation_messages WHERE client_message_id = 't0'"))
	})

	t.Run("oversized and malformed messages", func(t *testing.T) {
		resp := b.runtime.Do("POST", messages, map[string]string{"client_message_id": "big", "role": "visitor", "content": strings.Repeat("é", 32001)})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, fieldsOf(resp), "content")
		resp = b.runtime.Do("POST", messages, map[string]string{"client_message_id": "fits", "role": "visitor", "content": strings.Repeat("é", 32000)})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		resp = b.runtime.Do("POST", messages, map[string]string{"client_message_id": "", "role": "robot", "content": "x"})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, fieldsOf(resp), "client_message_id")
		require.Contains(t, fieldsOf(resp), "role")
		resp = b.runtime.Do("POST", messages, strings.Repeat("x", 2<<20))
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
	})

	t.Run("invalid email or phone from the agent: nothing written", func(t *testing.T) {
		for field, value := range map[string]string{"email": "ada at example", "phone": "12"} {
			resp := b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv, "name": "Ada", field: value})
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
			require.Contains(t, fieldsOf(resp), field)
		}
		resp := b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv, "name": "Ada"})
		require.Equal(t, http.StatusBadRequest, resp.Status, "a new contact needs an email or a phone: %s", resp.Body)
		resp = b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv, "email": "ada@example.com", "message_id": "no-such-message"})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, fieldsOf(resp), "message_id")
		resp = b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM contacts"))
		require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM contact_field_sources"))
		require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversations WHERE contact_id IS NOT NULL"))
	})

	t.Run("an ended conversation takes no message", func(t *testing.T) {
		resp := b.runtime.Do("POST", "/api/v1/chat/conversations/"+conv+"/end", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		require.Equal(t, false, resp.Map(t)["live"])
		resp = b.runtime.Do("POST", messages, map[string]string{"client_message_id": "late", "role": "visitor", "content": "hello?"})
		require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	})

	t.Run("start needs a visitor id", func(t *testing.T) {
		resp := b.runtime.Do("POST", "/api/v1/chat/conversations", map[string]string{"visitor_id": " "})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, fieldsOf(resp), "visitor_id")
		resp = b.runtime.Do("POST", "/api/v1/chat/conversations", map[string]any{"visitor_id": "v", "title": strings.Repeat("t", 201)})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	})

	t.Run("a key name is required", func(t *testing.T) {
		resp := b.owner.Do("POST", b.base+"/keys", map[string]string{"name": strings.Repeat("k", 61)})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
	})
}

func TestMergeMovesConversations(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	conv := start(t, b.runtime, "v")
	merged := save(t, b.runtime, map[string]any{"conversation_id": conv, "email": "merged@example.com"}, http.StatusCreated)["contact"].(map[string]any)["id"].(string)
	resp := b.owner.Do("POST", b.base+"/contacts", map[string]string{"email": "survivor@example.com"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	survivor := resp.Map(t)["id"].(string)
	resp = b.owner.Do("POST", b.base+"/contacts/merge", map[string]any{"survivor_id": survivor, "merged_id": merged, "take": []string{}})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	convs := b.owner.Do("GET", b.base+"/contacts/"+survivor+"/conversations", nil).Map(t)["items"].([]any)
	require.Len(t, convs, 1, "the merged contact's conversation is the survivor's")

	resp = b.owner.Do("DELETE", b.base+"/contacts/"+survivor, nil)
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
	require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversations"), "a contact's conversations go with it")
	require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversation_messages"))
}

// TestConcurrentAppends sends messages from many clients at once, several into the same
// conversations and some of them twice (a runtime's retry): every message is stored once, and
// each conversation's messages are numbered 1..n without a gap (the batched and the single
// paths together).
func TestConcurrentAppends(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	const conversations, senders, each = 6, 12, 10
	var convs []string
	for i := range conversations {
		convs = append(convs, start(t, b.runtime, fmt.Sprintf("busy-%d", i)))
	}
	statuses := make(chan int, senders*each*2)
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				conv := convs[(s+i)%conversations]
				body := map[string]string{"client_message_id": fmt.Sprintf("s%d-m%d", s, i), "role": "visitor", "content": fmt.Sprintf("message %d of sender %d", i, s)}
				statuses <- b.runtime.Do("POST", "/api/v1/chat/conversations/"+conv+"/messages", body).Status
				if i%3 == 0 { // the retry of a message already sent
					statuses <- b.runtime.Do("POST", "/api/v1/chat/conversations/"+conv+"/messages", body).Status
				}
			}
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	require.Equal(t, map[int]int{http.StatusCreated: senders * each, http.StatusOK: senders * 4}, count)
	require.Equal(t, senders*each, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversation_messages"))
	require.Zero(t, env.Count(t, b.owner.WorkspaceID, `
		SELECT count(*) FROM conversations c
		WHERE c.message_count <> (SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = c.id)
		   OR c.message_count <> COALESCE((SELECT max(seq) FROM conversation_messages m WHERE m.conversation_id = c.id), 0)`),
		"every conversation's messages are numbered 1..n")
	require.Zero(t, env.Count(t, b.owner.WorkspaceID, `
		SELECT count(*) FROM conversation_messages a JOIN conversation_messages b
		  ON a.conversation_id = b.conversation_id AND a.seq < b.seq AND a.sent_at > b.sent_at`),
		"times never go backwards")
}

// Saves arriving together go in one transaction (the save batcher): each still gets its own
// answer, a refused one writes nothing and fails no other, and a visitor whose details another
// save of the moment captured is one contact.
func TestConcurrentSaves(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	secret := b.field(t, "Internal score", "number", "off")
	const visitors = 24
	type call struct {
		body map[string]any
		want []int // the statuses it may get
	}
	var calls []call
	for i := range visitors {
		conv := start(t, b.runtime, fmt.Sprintf("crowd-%d", i))
		say(t, b.runtime, conv, "m1", "visitor", "Hi, here are my details")
		calls = append(calls, call{body: map[string]any{"conversation_id": conv, "name": fmt.Sprintf("Visitor %d", i),
			"email": fmt.Sprintf("visitor%d@example.com", i), "phone": fmt.Sprintf("+1 415 555 %04d", 1000+i)}, want: []int{http.StatusCreated}})
	}
	// Two visitors giving the same email: whichever saves second updates the first's contact.
	for i := range 2 {
		conv := start(t, b.runtime, fmt.Sprintf("twin-%d", i))
		calls = append(calls, call{body: map[string]any{"conversation_id": conv, "name": "Twin", "email": "TWIN@example.com"},
			want: []int{http.StatusCreated, http.StatusOK}})
	}
	bad := start(t, b.runtime, "bad-phone")
	off := start(t, b.runtime, "off-field")
	calls = append(calls,
		call{body: map[string]any{"conversation_id": bad, "email": "bad@example.com", "phone": "12"}, want: []int{http.StatusBadRequest}},
		call{body: map[string]any{"conversation_id": off, "email": "off@example.com", "custom": map[string]any{secret: 1}}, want: []int{http.StatusBadRequest}},
		call{body: map[string]any{"conversation_id": uuid.NewString(), "email": "nowhere@example.com"}, want: []int{http.StatusNotFound}})

	statuses := make([]int, len(calls))
	bodies := make([]string, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := b.runtime.Do("POST", "/api/v1/chat/save", c.body)
			statuses[i], bodies[i] = resp.Status, string(resp.Body)
		}()
	}
	wg.Wait()
	twins := map[int]int{}
	for i, c := range calls {
		require.Contains(t, c.want, statuses[i], "%v: %s", c.body, bodies[i])
		if c.body["name"] == "Twin" {
			twins[statuses[i]]++
		}
	}
	require.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusOK: 1}, twins)

	ws := b.owner.WorkspaceID
	require.Equal(t, visitors+1, env.Count(t, ws, "SELECT count(*) FROM contacts WHERE source = 'chat'"))
	require.Zero(t, env.Count(t, ws, "SELECT count(*) FROM contacts WHERE email IN ('bad@example.com', 'off@example.com', 'nowhere@example.com')"),
		"a refused save writes nothing")
	require.Equal(t, visitors+1, env.Count(t, ws, "SELECT count(*) FROM audit_log WHERE action = 'create' AND resource = 'contacts'"))
	require.Zero(t, env.Count(t, ws, `SELECT count(*) FROM audit_log WHERE action = 'create' AND resource = 'contacts' AND request_id = ''`),
		"each entry names its own request")
	require.Equal(t, visitors, env.Count(t, ws, `
		SELECT count(*) FROM contacts c JOIN conversations v ON v.contact_id = c.id AND v.visitor_id LIKE 'crowd-%'
		WHERE (SELECT count(*) FROM contact_field_sources s WHERE s.contact_id = c.id AND s.conversation_id = v.id AND s.message_id IS NOT NULL) = 3`),
		"every captured visitor's conversation is linked, with the provenance of name, email and phone")
	require.Equal(t, 2, env.Count(t, ws, "SELECT count(*) FROM conversations WHERE visitor_id LIKE 'twin-%' AND contact_id IS NOT NULL"))
	require.Equal(t, 2, env.Count(t, ws, "SELECT count(*) FROM conversations WHERE contact_id IS NULL"), "the refused saves' conversations")
	var automated int
	require.NoError(t, env.DB.Owner.QueryRow(context.Background(), `
		SELECT count(DISTINCT c.id) FROM river.river_job j, jsonb_array_elements_text(j.args->'contact_ids') AS c (id)
		WHERE j.kind = 'automate_contacts' AND j.args->>'workspace_id' = $1`, ws.String()).Scan(&automated))
	require.Equal(t, visitors+1, automated, "every created contact's automation job")
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, func(cfg *app.Config) { cfg.ChatKeyRate = 3 })
	b := setup(t, env)

	t.Run("a key over its rate is told to slow down", func(t *testing.T) {
		var limited *apptest.Response
		for range 10 {
			resp := b.runtime.Do("GET", "/api/v1/chat/schema", nil)
			if resp.Status == http.StatusTooManyRequests {
				limited = &resp
				break
			}
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		}
		require.NotNil(t, limited, "10 requests at once passed a limit of 3 a second")
		require.Equal(t, "rate_limited", limited.ErrorCode())
		require.NotEmpty(t, limited.Header.Get("Retry-After"))
	})

	t.Run("guessing well-formed keys is refused after 20 tries", func(t *testing.T) {
		guesser := env.Client(t)
		statuses := map[int]int{}
		for i := range 25 {
			ws := b.owner.WorkspaceID
			raw := append(ws[:], make([]byte, 32)...)
			raw[20] = byte(i)
			guesser.Header.Set("Authorization", "Bearer gla_"+base64.RawURLEncoding.EncodeToString(raw))
			statuses[guesser.Do("GET", "/api/v1/chat/schema", nil).Status]++
		}
		// 20 at once, then one a second: a slow run may earn a token back meanwhile.
		require.Len(t, statuses, 2, "%v", statuses)
		require.GreaterOrEqual(t, statuses[http.StatusUnauthorized], 20)
		require.GreaterOrEqual(t, statuses[http.StatusTooManyRequests], 3)
	})
}

// Every key of a workspace starts with the workspace id: the hint shows the key's random end,
// so two keys of one workspace are told apart, and it is the end of the secret shown once.
func TestKeyHintsTellKeysApart(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	secrets := map[string]string{} // by key name
	for _, name := range []string{"First", "Second"} {
		resp := b.owner.Do("POST", b.base+"/keys", map[string]string{"name": name})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		created := resp.Map(t)
		secret, hint := created["secret"].(string), created["hint"].(string)
		require.True(t, strings.HasPrefix(hint, "gla_…"), hint)
		suffix := strings.TrimPrefix(hint, "gla_…")
		require.Len(t, suffix, 6)
		require.True(t, strings.HasSuffix(secret, suffix), "the hint %q is the end of the secret %q", hint, secret)
		secrets[name] = secret
	}
	hints := map[string]string{}
	for _, k := range b.owner.Do("GET", b.base+"/keys", nil).Map(t)["items"].([]any) {
		k := k.(map[string]any)
		hints[k["name"].(string)] = k["hint"].(string)
	}
	require.Len(t, hints, 3, "Runtime, First and Second")
	require.NotEqual(t, hints["First"], hints["Second"])
	require.NotEqual(t, hints["Runtime"], hints["First"])
	require.Equal(t, "gla_…"+secrets["Second"][len(secrets["Second"])-6:], hints["Second"])
}

// A visitor identified in an earlier conversation is that contact again when they come back,
// though the runtime does not pass contact_id: not "Anonymous User".
func TestReturningVisitorKeepsTheirContact(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	first := start(t, b.runtime, "browser-9")
	say(t, b.runtime, first, "m1", "visitor", "I'm Katherine, katherine@example.com")
	contact := save(t, b.runtime, map[string]any{"conversation_id": first, "name": "Katherine Johnson", "email": "katherine@example.com"},
		http.StatusCreated)["contact"].(map[string]any)["id"].(string)
	startAs := func(rt *apptest.Client, visitor string) map[string]any {
		resp := rt.Do("POST", "/api/v1/chat/conversations", map[string]string{"visitor_id": visitor})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		return resp.Map(t)
	}

	again := startAs(b.runtime, "browser-9")
	require.Equal(t, contact, again["contact_id"], "the returning visitor is their contact")
	require.Nil(t, startAs(b.runtime, "browser-10")["contact_id"], "a new visitor stays anonymous")

	history := b.owner.Do("GET", b.base+"/conversations", nil).Map(t)["items"].([]any)
	labels := map[string]int{}
	for _, p := range history {
		p := p.(map[string]any)
		labels[p["label"].(string)] = len(p["conversations"].([]any))
	}
	require.Equal(t, map[string]int{"Katherine Johnson": 2, "Anonymous User": 1}, labels)
	tr := b.owner.Do("GET", b.base+"/conversations/"+again["id"].(string), nil).Map(t)
	require.Equal(t, "Katherine Johnson", tr["label"])

	t.Run("another agent's visitor of the same id is not this contact", func(t *testing.T) {
		_, sibling := b.otherAgent(t)
		require.Nil(t, startAs(sibling, "browser-9")["contact_id"])
	})

	t.Run("an archived contact is not linked again", func(t *testing.T) {
		resp := b.owner.Do("POST", b.base+"/contacts/"+contact+"/archive", nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		require.Nil(t, startAs(b.runtime, "browser-9")["contact_id"])
	})
}

// People tied on their last activity across a page boundary are each listed once: the cursor
// holds the last person's activity and key, not the time alone.
func TestHistoryPagesKeepTies(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	tied := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	const later, ties = 5, 55 // 5 people after the tie, then 55 tied: the first page ends inside the tie
	want := map[string]bool{}
	for i := range later + ties {
		visitor := fmt.Sprintf("tie-%02d", i)
		conv := start(t, b.runtime, visitor)
		at := tied
		if i < later {
			at = tied.Add(time.Duration(i+1) * time.Minute)
		}
		resp := b.runtime.Do("POST", "/api/v1/chat/conversations/"+conv+"/messages",
			map[string]any{"client_message_id": "m", "role": "visitor", "content": "hi", "sent_at": at})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		want[visitor] = true
	}

	seen := map[string]int{}
	var pages int
	var last time.Time
	cursor := ""
	for {
		path := b.base + "/conversations"
		if cursor != "" {
			path += "?cursor=" + cursor
		}
		resp := b.owner.Do("GET", path, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		page := resp.Map(t)
		pages++
		for _, p := range page["items"].([]any) {
			p := p.(map[string]any)
			seen[p["visitor_id"].(string)]++
			at, err := time.Parse(time.RFC3339Nano, p["last_activity"].(string))
			require.NoError(t, err)
			if !last.IsZero() {
				require.False(t, at.After(last), "newest activity first, across pages")
			}
			last = at
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		require.Less(t, pages, 5)
		cursor = next
	}
	require.Equal(t, 2, pages)
	require.Len(t, seen, len(want), "nobody lost")
	for v, n := range seen {
		require.True(t, want[v], v)
		require.Equal(t, 1, n, "%s listed once", v)
	}

	for _, bad := range []string{"2025-01-01T00:00:00Z", "not-a-cursor", "e30"} {
		resp := b.owner.Do("GET", b.base+"/conversations?cursor="+bad, nil)
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s: %s", bad, resp.Body)
		require.Contains(t, resp.Map(t)["error"].(map[string]any)["fields"], "cursor")
	}
}

// The gaps of the first tests: the business's built-in fields refused by name, an off field
// refused on an existing contact, fill when empty filling an empty custom value, the schema's
// details, and setting a title.
func TestSaveRulesOnExistingContacts(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	budget := b.field(t, "Budget", "number", "fill_empty")
	plan := b.field(t, "Plan", "text", "overwrite")
	secret := b.field(t, "Internal score", "number", "off")
	ws := b.owner.WorkspaceID
	errorFields := func(resp apptest.Response) map[string]any {
		f, _ := resp.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
		return f
	}

	conv := start(t, b.runtime, "visitor-x")
	say(t, b.runtime, conv, "m1", "visitor", "I'm Mary, mary@example.com")

	t.Run("the business's built-in fields are refused by name, and nothing is written", func(t *testing.T) {
		for _, f := range []string{"external_id", "stage", "stage_id", "owners", "primary_owner_id", "secondary_owner_id"} {
			resp := b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv, "email": "mary@example.com", f: "x"})
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
			problem := errorFields(resp)
			require.Contains(t, problem, f)
			require.Contains(t, problem[f], "not one the agent may write")
		}
		require.Zero(t, env.Count(t, ws, "SELECT count(*) FROM contacts"))
	})

	contact := save(t, b.runtime, map[string]any{"conversation_id": conv, "name": "Mary Jackson", "email": "mary@example.com"},
		http.StatusCreated)["contact"].(map[string]any)["id"].(string)
	custom := func() map[string]any {
		return b.owner.Do("GET", b.base+"/contacts/"+contact, nil).Map(t)["custom"].(map[string]any)
	}

	t.Run("an off field is refused on an existing contact too, and nothing is written", func(t *testing.T) {
		resp := b.runtime.Do("POST", "/api/v1/chat/save", map[string]any{"conversation_id": conv, "phone": "+1 202 555 0101",
			"custom": map[string]any{secret: 7, plan: "gold"}})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, errorFields(resp), "custom."+secret)
		full := b.owner.Do("GET", b.base+"/contacts/"+contact, nil).Map(t)
		require.Nil(t, full["phone"], "the phone of the refused save is not written")
		require.Empty(t, full["custom"])
		require.Equal(t, 2, env.Count(t, ws, "SELECT count(*) FROM contact_field_sources"), "name and email only")
	})

	t.Run("fill when empty fills an empty custom value on update, then keeps it", func(t *testing.T) {
		out := save(t, b.runtime, map[string]any{"conversation_id": conv, "custom": map[string]any{budget: 1200}}, http.StatusOK)
		require.Equal(t, false, out["created"])
		require.Equal(t, []any{"custom." + budget}, out["written"])
		require.EqualValues(t, 1200, custom()[budget])

		out = save(t, b.runtime, map[string]any{"conversation_id": conv, "custom": map[string]any{budget: 9999, plan: "gold"}}, http.StatusOK)
		require.Equal(t, []any{"custom." + plan}, out["written"])
		require.Equal(t, []any{"custom." + budget}, out["kept"])
		require.EqualValues(t, 1200, custom()[budget], "a set value is never overwritten")
		require.Equal(t, "gold", custom()[plan])
	})

	t.Run("set title", func(t *testing.T) {
		resp := b.runtime.Do("PATCH", "/api/v1/chat/conversations/"+conv, map[string]string{"title": "  Pricing question  "})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		require.Equal(t, "Pricing question", resp.Map(t)["title"])
		convs := b.owner.Do("GET", b.base+"/contacts/"+contact+"/conversations", nil).Map(t)["items"].([]any)
		require.Equal(t, "Pricing question", convs[0].(map[string]any)["title"])
		resp = b.runtime.Do("PATCH", "/api/v1/chat/conversations/"+conv, map[string]string{"title": strings.Repeat("t", 201)})
		require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
		require.Contains(t, errorFields(resp), "title")
	})
}

// A refused agent key carries the bearer challenge (RFC 6750) besides the one error shape.
func TestRefusedKeyChallenge(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	for _, auth := range []string{"", "Bearer gla_" + strings.Repeat("A", 64)} {
		c := env.Client(t)
		if auth != "" {
			c.Header.Set("Authorization", auth)
		}
		resp := c.Do("GET", "/api/v1/chat/schema", nil)
		require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
		require.Equal(t, "unauthenticated", resp.ErrorCode())
		challenge := resp.Header.Get("WWW-Authenticate")
		require.True(t, strings.HasPrefix(challenge, "Bearer "), challenge)
		require.Contains(t, challenge, `scope="chat"`)
	}
}
