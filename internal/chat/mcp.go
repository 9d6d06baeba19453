package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/guestlist/guestlist/internal/apperr"
)

// MCPPath is where the MCP server answers (streamable HTTP), authenticated with an agent key
// like the REST door.
const MCPPath = "/mcp"

// The MCP tools' inputs. They mirror the REST bodies; custom values are plain JSON values here
// because the tools' schemas are inferred from these types.
type mcpLookup struct {
	Email      string `json:"email,omitempty" jsonschema:"the email address to look for"`
	Phone      string `json:"phone,omitempty" jsonschema:"the phone number to look for, with its country code when it has one"`
	ExternalID string `json:"external_id,omitempty" jsonschema:"the business's own id of the contact"`
}

type mcpSave struct {
	ConversationID string         `json:"conversation_id" jsonschema:"the conversation the details were captured in"`
	MessageID      string         `json:"message_id,omitempty" jsonschema:"client_message_id of the message the details come from; default the latest visitor message"`
	ContactID      string         `json:"contact_id,omitempty" jsonschema:"the contact to update (from lookup); default the conversation's contact, else the contact with this email or phone, else a new one"`
	Name           string         `json:"name,omitempty" jsonschema:"the visitor's name (written only when the contact has none)"`
	Email          string         `json:"email,omitempty" jsonschema:"the visitor's email (written only when the contact has none)"`
	Phone          string         `json:"phone,omitempty" jsonschema:"the visitor's phone (written only when the contact has none)"`
	Custom         map[string]any `json:"custom,omitempty" jsonschema:"custom field values by key, as listed by the schema tool"`
}

type mcpStart struct {
	VisitorID string `json:"visitor_id" jsonschema:"your stable id of the visitor"`
	ContactID string `json:"contact_id,omitempty" jsonschema:"the contact the visitor is known as, if any"`
	Title     string `json:"title,omitempty"`
}

type mcpAppend struct {
	ConversationID  string `json:"conversation_id"`
	ClientMessageID string `json:"client_message_id" jsonschema:"your id of the message; sending it again stores nothing"`
	Role            string `json:"role" jsonschema:"visitor, agent or tool"`
	Content         string `json:"content" jsonschema:"the message, at most 32000 characters"`
	SentAt          string `json:"sent_at,omitempty" jsonschema:"when the message was sent, RFC 3339 (2025-01-02T15:04:05Z); default now. Never before the conversation's last message"`
}

type mcpTitle struct {
	ConversationID string `json:"conversation_id"`
	Title          string `json:"title" jsonschema:"the conversation's title, at most 200 characters"`
}

type mcpConversation struct {
	ConversationID string `json:"conversation_id"`
}

type mcpNone struct{}

// agentFromMCP is the agent whose key authenticated the MCP request.
func agentFromMCP(extra *mcp.RequestExtra) (Agent, error) {
	if extra != nil && extra.TokenInfo != nil {
		if a, ok := extra.TokenInfo.Extra["agent"].(Agent); ok {
			return a, nil
		}
	}
	return Agent{}, errBadKey
}

// toolError is an error as the model reads it: the code, the message and the fields at fault.
// Internal errors say only that.
func toolError(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return fmt.Errorf("internal error; try again later")
	}
	msg := string(ae.Code) + ": " + ae.Message
	if len(ae.Fields) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(ae.Fields)) {
			parts = append(parts, k+" "+ae.Fields[k])
		}
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	return fmt.Errorf("%s", msg)
}

// tool adapts a service call to an MCP tool handler: it finds the agent, runs call, and
// reports refusals as tool errors the model can read and act on.
func tool[In any](call func(ctx context.Context, a Agent, in In) (any, error)) mcp.ToolHandlerFor[In, any] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
		a, err := agentFromMCP(req.Extra)
		if err != nil {
			return nil, nil, toolError(err)
		}
		out, err := call(ctx, a, in)
		if err != nil {
			return nil, nil, toolError(err)
		}
		// Structured content is the JSON object the REST endpoint answers.
		raw, err := json.Marshal(out)
		if err != nil {
			return nil, nil, toolError(err)
		}
		var structured any
		_ = json.Unmarshal(raw, &structured)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(raw)}}}, structured, nil
	}
}

func optionalID(s string) (*uuid.UUID, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, noContact("contact_id")
	}
	return &id, nil
}

func parseConversation(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return uuid.Nil, errNoConversation
	}
	return id, nil
}

// NewMCPServer is the MCP server of the agent tools: the same service calls as the REST door.
func (s *Service) NewMCPServer() *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "guestlist", Title: "Guestlist CRM", Version: "1"}, &mcp.ServerOptions{
		Instructions: "Guestlist is this agent's CRM. Start a conversation per visitor, append every message, and when the visitor " +
			"gives details (name, email, phone, or fields listed by schema) call save: the visitor becomes a contact. " +
			"Values are written only into fields the schema lists; name, email and phone are never overwritten.",
	})
	mcp.AddTool(srv, &mcp.Tool{Name: "schema", Description: "The fields you may write with save: name, email, phone, then custom fields with their type, options and hint."},
		tool(func(ctx context.Context, a Agent, _ mcpNone) (any, error) {
			fs, err := s.Schema(ctx, a)
			return map[string]any{"fields": fs}, err
		}))
	mcp.AddTool(srv, &mcp.Tool{Name: "lookup", Description: "The agent's contact with this email, phone or external id (an error when there is none)."},
		tool(func(ctx context.Context, a Agent, in mcpLookup) (any, error) {
			return s.Lookup(ctx, a, LookupInput(in))
		}))
	mcp.AddTool(srv, &mcp.Tool{Name: "exists", Description: "Whether the agent has a contact with this email, phone or external id."},
		tool(func(ctx context.Context, a Agent, in mcpLookup) (any, error) {
			found, err := s.Exists(ctx, a, LookupInput(in))
			return map[string]any{"exists": found}, err
		}))
	mcp.AddTool(srv, &mcp.Tool{Name: "save", Description: "Create or update the visitor's contact from details captured in a conversation. " +
		"Fields whose AI policy is off are refused, and so are the external id, stage and owners (the business's); " +
		"fill-when-empty fields never overwrite a value."},
		tool(func(ctx context.Context, a Agent, in mcpSave) (any, error) {
			custom := map[string]json.RawMessage{}
			for k, v := range in.Custom {
				raw, err := json.Marshal(v)
				if err != nil {
					return nil, apperr.Field("custom."+k, "is not a JSON value")
				}
				custom[k] = raw
			}
			si := SaveInput{ConversationID: in.ConversationID, MessageID: in.MessageID, ContactID: in.ContactID, Custom: custom}
			si.Name, si.Email, si.Phone = &in.Name, &in.Email, &in.Phone
			return s.Save(ctx, a, si)
		}))
	mcp.AddTool(srv, &mcp.Tool{Name: "start_conversation", Description: "Start a conversation with a visitor; returns its id."},
		tool(func(ctx context.Context, a Agent, in mcpStart) (any, error) {
			contact, err := optionalID(in.ContactID)
			if err != nil {
				return nil, err
			}
			return s.Start(ctx, a, StartInput{VisitorID: in.VisitorID, ContactID: contact, Title: in.Title})
		}))
	mcp.AddTool(srv, &mcp.Tool{Name: "append_message", Description: "Append a message (the visitor's, yours, or a tool's) to a conversation. " +
		"sent_at (default now) may not be before the conversation's last message: such a message is refused."},
		tool(func(ctx context.Context, a Agent, in mcpAppend) (any, error) {
			id, err := parseConversation(in.ConversationID)
			if err != nil {
				return nil, err
			}
			ai := AppendInput{ClientMessageID: in.ClientMessageID, Role: in.Role, Content: in.Content}
			if v := strings.TrimSpace(in.SentAt); v != "" {
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					return nil, apperr.Field("sent_at", "must be a time in RFC 3339, such as 2025-01-02T15:04:05Z")
				}
				ai.SentAt = &t
			}
			m, _, err := s.Append(ctx, a, id, ai)
			return m, err
		}))
	mcp.AddTool(srv, &mcp.Tool{Name: "set_title", Description: "Set a conversation's title (your summary of it)."},
		tool(func(ctx context.Context, a Agent, in mcpTitle) (any, error) {
			id, err := parseConversation(in.ConversationID)
			if err != nil {
				return nil, err
			}
			return s.SetTitle(ctx, a, id, in.Title)
		}))
	mcp.AddTool(srv, &mcp.Tool{Name: "end_conversation", Description: "End a conversation."},
		tool(func(ctx context.Context, a Agent, in mcpConversation) (any, error) {
			id, err := parseConversation(in.ConversationID)
			if err != nil {
				return nil, err
			}
			return s.End(ctx, a, id)
		}))
	return srv
}

// mcpHandler serves the MCP server over streamable HTTP, stateless (any process answers any
// request), behind the agent key: the door's check (rate limits, the one error shape) first,
// then the SDK's bearer middleware, which hands the agent to the tools.
func (h handlers) mcpHandler() gin.HandlerFunc {
	srv := h.s.NewMCPServer()
	streamable := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv },
		// The SDK's DNS-rebinding guard refuses a loopback connection whose Host is not
		// localhost: exactly what a reverse proxy on the same machine sends. It protects
		// unauthenticated local servers; this one takes nothing without an agent key, which a
		// rebinding page cannot know.
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true, DisableLocalhostProtection: true})
	verify := func(ctx context.Context, key string, _ *http.Request) (*auth.TokenInfo, error) {
		a, err := h.s.Authenticate(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", auth.ErrInvalidToken, err)
		}
		return &auth.TokenInfo{Scopes: []string{ScopeChat}, UserID: a.KeyID.String(), Expiration: time.Now().Add(KeyCacheTTL),
			Extra: map[string]any{"agent": a}}, nil
	}
	protected := auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{Scopes: []string{ScopeChat}})(streamable)
	return func(c *gin.Context) {
		if _, ok := h.check(c, c.Request); !ok {
			return
		}
		protected.ServeHTTP(c.Writer, c.Request)
	}
}
