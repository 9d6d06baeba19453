package chat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
)

// bearer adds an agent key to every request of the MCP client.
type bearer struct {
	key  string
	host string // the Host header a reverse proxy would send ("" keeps the URL's)
	base http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	if b.host != "" {
		r.Host = b.host
	}
	return b.base.RoundTrip(r)
}

func connect(env *apptest.Env, key string) (*mcp.ClientSession, error) {
	return connectAs(env, key, "")
}

func connectAs(env *apptest.Env, key, host string) (*mcp.ClientSession, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "test-runtime", Version: "1"}, nil)
	return client.Connect(context.Background(), &mcp.StreamableClientTransport{
		Endpoint:   env.Server.URL + "/mcp",
		HTTPClient: &http.Client{Transport: bearer{key: key, host: host, base: http.DefaultTransport}},
		MaxRetries: -1,
	}, nil)
}

// call runs a tool and decodes its structured answer; a tool error is returned as its text.
func call(t *testing.T, s *mcp.ClientSession, name string, args any) (map[string]any, string) {
	t.Helper()
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	require.NotEmpty(t, res.Content)
	text := res.Content[0].(*mcp.TextContent).Text
	if res.IsError {
		return nil, text
	}
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &out), text)
	return out, ""
}

func TestMCP(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	budget := b.field(t, "Budget", "number", "fill_empty")
	secret := b.field(t, "Internal score", "number", "off")
	key := b.newKey(t, "MCP")

	s, err := connect(env, key)
	require.NoError(t, err)
	defer s.Close()

	tools, err := s.ListTools(context.Background(), nil)
	require.NoError(t, err)
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
	}
	require.ElementsMatch(t, []string{"schema", "lookup", "exists", "save", "start_conversation", "append_message", "set_title", "end_conversation"}, names)

	schema, _ := call(t, s, "schema", map[string]any{})
	require.Len(t, schema["fields"], 4, "name, email, phone and the budget")

	conv, _ := call(t, s, "start_conversation", map[string]any{"visitor_id": "mcp-visitor"})
	convID := conv["id"].(string)
	_, problem := call(t, s, "append_message", map[string]any{"conversation_id": convID, "client_message_id": "1", "role": "visitor", "content": "I'm Alan, alan@example.com"})
	require.Empty(t, problem)

	_, problem = call(t, s, "save", map[string]any{"conversation_id": convID, "email": "alan@example.com", "custom": map[string]any{secret: 1}})
	require.Contains(t, problem, "custom."+secret, "a field closed to the AI is refused by name")
	require.Zero(t, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM contacts"))

	saved, problem := call(t, s, "save", map[string]any{"conversation_id": convID, "name": "Alan Turing", "email": "alan@example.com", "custom": map[string]any{budget: 100}})
	require.Empty(t, problem)
	require.Equal(t, true, saved["created"])
	contact := saved["contact"].(map[string]any)
	require.Equal(t, "via Chat", contact["source_label"])

	found, _ := call(t, s, "lookup", map[string]any{"email": "alan@example.com"})
	require.Equal(t, contact["id"], found["id"])
	exists, _ := call(t, s, "exists", map[string]any{"phone": "+1 202 555 0143"})
	require.Equal(t, false, exists["exists"])
	_, problem = call(t, s, "lookup", map[string]any{"email": "nobody@example.com"})
	require.Contains(t, problem, "not_found")

	// The same contact seen by the members, with the MCP conversation on it.
	convs := b.owner.Do("GET", b.base+"/contacts/"+contact["id"].(string)+"/conversations", nil).Map(t)["items"].([]any)
	require.Len(t, convs, 1)

	t.Run("another agent's key reaches none of this", func(t *testing.T) {
		sibling, _ := b.otherAgent(t)
		siblingKey := b.owner.Do("POST", "/api/v1/agents/"+sibling+"/keys", map[string]string{"name": "Sibling MCP"}).Map(t)["secret"].(string)
		for _, key := range []string{siblingKey, setup(t, env).newKey(t, "Other workspace MCP")} {
			s2, err := connect(env, key)
			require.NoError(t, err)
			_, problem := call(t, s2, "lookup", map[string]any{"email": "alan@example.com"})
			require.Contains(t, problem, "not_found")
			_, problem = call(t, s2, "append_message", map[string]any{"conversation_id": convID, "client_message_id": "x", "role": "visitor", "content": "hi"})
			require.Contains(t, problem, "not_found")
			_, problem = call(t, s2, "save", map[string]any{"conversation_id": convID, "email": "alan@example.com"})
			require.Contains(t, problem, "not_found")
			require.NoError(t, s2.Close())
		}
	})

	t.Run("behind a reverse proxy on the same machine (Host is the public name)", func(t *testing.T) {
		s3, err := connectAs(env, key, "crm.example.com")
		require.NoError(t, err)
		defer s3.Close()
		found, problem := call(t, s3, "exists", map[string]any{"email": "alan@example.com"})
		require.Empty(t, problem)
		require.Equal(t, true, found["exists"])
	})

	t.Run("no key, no session", func(t *testing.T) {
		_, err := connect(env, "gla_not-a-key")
		require.Error(t, err)
	})
}

// The conversation tools of MCP match REST's: set_title, and append_message's sent_at with the
// same order rule.
func TestMCPConversationParity(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	s, err := connect(env, b.newKey(t, "MCP"))
	require.NoError(t, err)
	defer s.Close()
	conv, _ := call(t, s, "start_conversation", map[string]any{"visitor_id": "mcp-parity"})
	convID := conv["id"].(string)

	titled, problem := call(t, s, "set_title", map[string]any{"conversation_id": convID, "title": " Refund request "})
	require.Empty(t, problem)
	require.Equal(t, "Refund request", titled["title"])
	require.Equal(t, 1, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversations WHERE title = 'Refund request'"))
	_, problem = call(t, s, "set_title", map[string]any{"conversation_id": convID, "title": strings.Repeat("t", 201)})
	require.Contains(t, problem, "title")
	_, problem = call(t, s, "set_title", map[string]any{"conversation_id": uuid.NewString(), "title": "x"})
	require.Contains(t, problem, "not_found")

	sent := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	m, problem := call(t, s, "append_message", map[string]any{"conversation_id": convID, "client_message_id": "t1", "role": "visitor",
		"content": "first", "sent_at": sent.Format(time.RFC3339Nano)})
	require.Empty(t, problem)
	at, err := time.Parse(time.RFC3339Nano, m["sent_at"].(string))
	require.NoError(t, err)
	require.True(t, sent.Equal(at), "the runtime's time is kept: %s", m["sent_at"])

	_, problem = call(t, s, "append_message", map[string]any{"conversation_id": convID, "client_message_id": "t0", "role": "visitor",
		"content": "earlier", "sent_at": sent.Add(-time.Hour).Format(time.RFC3339)})
	require.Contains(t, problem, "out of order")
	require.Contains(t, problem, "sent_at")
	_, problem = call(t, s, "append_message", map[string]any{"conversation_id": convID, "client_message_id": "t2", "role": "visitor",
		"content": "when?", "sent_at": "yesterday"})
	require.Contains(t, problem, "sent_at")
	require.Equal(t, 1, env.Count(t, b.owner.WorkspaceID, "SELECT count(*) FROM conversation_messages"), "the refused messages are not stored")

	_, problem = call(t, s, "append_message", map[string]any{"conversation_id": convID, "client_message_id": "t3", "role": "agent", "content": "now"})
	require.Empty(t, problem, "without sent_at the server's time, after the last message")
}

// Over MCP as over REST: the business's fields and off fields are refused by name (on an
// existing contact too), fill when empty fills and then keeps, may overwrite overwrites, and
// schema gives each field's type, options and hint.
func TestMCPSaveRules(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	b := setup(t, env)
	budget := b.field(t, "Budget", "number", "fill_empty")
	secret := b.field(t, "Internal score", "number", "off")
	resp := b.owner.Do("POST", b.base+"/fields", map[string]any{"label": "Plan", "type": "single_select", "ai_policy": "overwrite",
		"ai_hint": "the plan the visitor wants", "options": []map[string]string{{"label": "Basic"}, {"label": "Premium"}}})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	planField := resp.Map(t)
	plan := planField["key"].(string)
	premium := planField["options"].([]any)[1].(map[string]any)
	require.Equal(t, "Premium", premium["label"])
	resp = b.owner.Do("POST", b.base+"/fields", map[string]any{"label": "Company", "type": "text", "ai_policy": "fill_empty",
		"help_text": "where the contact works"})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	company := resp.Map(t)["key"].(string)
	ws := b.owner.WorkspaceID

	s, err := connect(env, b.newKey(t, "MCP"))
	require.NoError(t, err)
	defer s.Close()

	t.Run("schema: types, options and hints", func(t *testing.T) {
		schema, problem := call(t, s, "schema", map[string]any{})
		require.Empty(t, problem)
		byKey := map[string]map[string]any{}
		var keys []string
		for _, f := range schema["fields"].([]any) {
			f := f.(map[string]any)
			byKey[f["key"].(string)] = f
			keys = append(keys, f["key"].(string))
		}
		require.Equal(t, []string{"name", "email", "phone", budget, plan, company}, keys, "no off field")
		require.Equal(t, "email", byKey["email"]["type"])
		require.Equal(t, true, byKey["email"]["builtin"])
		require.Equal(t, "fill_empty", byKey["email"]["policy"])
		require.Equal(t, "number", byKey[budget]["type"])
		require.Equal(t, "fill_empty", byKey[budget]["policy"])
		require.Equal(t, false, byKey[budget]["builtin"])
		require.Equal(t, "single_select", byKey[plan]["type"])
		require.Equal(t, "overwrite", byKey[plan]["policy"])
		require.Equal(t, []any{"Basic", "Premium"}, byKey[plan]["options"])
		require.Equal(t, "the plan the visitor wants", byKey[plan]["hint"], "the AI hint")
		require.Equal(t, "where the contact works", byKey[company]["hint"], "the help text when there is no AI hint")
		require.Equal(t, []any{}, byKey[company]["options"])
	})

	conv, _ := call(t, s, "start_conversation", map[string]any{"visitor_id": "mcp-rules"})
	convID := conv["id"].(string)
	_, problem := call(t, s, "append_message", map[string]any{"conversation_id": convID, "client_message_id": "1", "role": "visitor", "content": "I'm Dorothy, dorothy@example.com"})
	require.Empty(t, problem)

	t.Run("the business's built-in fields are refused by name", func(t *testing.T) {
		for _, f := range []string{"external_id", "stage_id", "primary_owner_id", "owners"} {
			_, problem := call(t, s, "save", map[string]any{"conversation_id": convID, "email": "dorothy@example.com", f: "x"})
			require.Contains(t, problem, f)
		}
		require.Zero(t, env.Count(t, ws, "SELECT count(*) FROM contacts"))
	})

	saved, problem := call(t, s, "save", map[string]any{"conversation_id": convID, "name": "Dorothy Vaughan", "email": "dorothy@example.com"})
	require.Empty(t, problem)
	contact := saved["contact"].(map[string]any)["id"].(string)

	t.Run("an off field is refused on the existing contact, and nothing is written", func(t *testing.T) {
		_, problem := call(t, s, "save", map[string]any{"conversation_id": convID, "custom": map[string]any{secret: 3, budget: 10}})
		require.Contains(t, problem, "custom."+secret)
		require.Empty(t, b.owner.Do("GET", b.base+"/contacts/"+contact, nil).Map(t)["custom"])
	})

	t.Run("fill when empty fills then keeps; may overwrite overwrites", func(t *testing.T) {
		out, problem := call(t, s, "save", map[string]any{"conversation_id": convID, "custom": map[string]any{budget: 500, plan: "Basic"}})
		require.Empty(t, problem)
		require.Equal(t, []any{"custom." + budget, "custom." + plan}, out["written"])
		out, problem = call(t, s, "save", map[string]any{"conversation_id": convID, "name": "Dot", "custom": map[string]any{budget: 800, plan: "Premium"}})
		require.Empty(t, problem)
		require.Equal(t, []any{"custom." + plan}, out["written"])
		require.Equal(t, []any{"custom." + budget, "name"}, out["kept"])
		full := b.owner.Do("GET", b.base+"/contacts/"+contact, nil).Map(t)
		require.Equal(t, "Dorothy Vaughan", full["name"])
		require.EqualValues(t, 500, full["custom"].(map[string]any)[budget])
		require.Equal(t, premium["id"], full["custom"].(map[string]any)[plan], "the option chosen second")
	})
}

// A refused MCP request carries the bearer challenge MCP clients look for, with the one error
// shape as its body.
func TestMCPRefusalChallenge(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	for _, key := range []string{"", "gla_" + strings.Repeat("A", 64), "nonsense"} {
		req, err := http.NewRequest("POST", env.Server.URL+"/mcp", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var out struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		require.Equal(t, "unauthenticated", out.Error.Code)
		challenge := resp.Header.Get("WWW-Authenticate")
		require.True(t, strings.HasPrefix(challenge, "Bearer "), "%q", challenge)
		require.Contains(t, challenge, `scope="chat"`)
		if key != "" {
			require.Contains(t, challenge, `error="invalid_token"`)
		} else {
			require.NotContains(t, challenge, "error=", "no key sent: no error code (RFC 6750 3.1)")
		}
	}
}
