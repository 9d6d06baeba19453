package chat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

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
	require.ElementsMatch(t, []string{"schema", "lookup", "exists", "save", "start_conversation", "append_message", "end_conversation"}, names)

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
