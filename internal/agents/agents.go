// Package agents manages a workspace's chat agents: name, visibility and access mode. Each
// agent owns a CRM (contacts, fields, forms, automations), built by the other capabilities.
package agents

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/tenant"
)

// Visibility and access modes of an agent.
const (
	Private = "private"
	Public  = "public"

	Free       = "free"
	Restricted = "restricted"
	Paid       = "paid"
)

// MaxNameLength bounds an agent's name, in characters.
const MaxNameLength = 100

// Agent is an agent as the API shows it.
type Agent struct {
	ID         uuid.UUID `json:"id"`
	Name       string    `json:"name"`
	Visibility string    `json:"visibility"`
	AccessMode string    `json:"access_mode"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ETag is the agent's version for If-Match: it changes with every update.
func (a Agent) ETag() string {
	return `"` + a.UpdatedAt.UTC().Format("20060102T150405.000000") + `"`
}

func fromRow(r db.Agent) Agent {
	return Agent{ID: r.ID, Name: r.Name, Visibility: r.Visibility, AccessMode: r.AccessMode, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// Input creates or patches an agent; nil fields keep their value (or take the default).
type Input struct {
	Name       *string `json:"name"`
	Visibility *string `json:"visibility"`
	AccessMode *string `json:"access_mode"`
}

// apply validates in over a and returns the result, naming every field at fault.
func (in Input) apply(a Agent) (Agent, error) {
	bad := apperr.Fields{}
	if in.Name != nil {
		a.Name = strings.TrimSpace(*in.Name)
	}
	if n := utf8.RuneCountInString(a.Name); n == 0 || n > MaxNameLength {
		bad.Add("name", "must be 1 to 100 characters")
	}
	if in.Visibility != nil {
		a.Visibility = *in.Visibility
	}
	if a.Visibility != Private && a.Visibility != Public {
		bad.Add("visibility", "must be private or public")
	}
	if in.AccessMode != nil {
		a.AccessMode = *in.AccessMode
	}
	if a.AccessMode != Free && a.AccessMode != Restricted && a.AccessMode != Paid {
		bad.Add("access_mode", "must be free, restricted or paid")
	}
	return a, bad.Err()
}

// Service holds the agent rules.
type Service struct {
	tenants *tenant.DB
}

// NewService returns the agents service.
func NewService(tenants *tenant.DB) *Service { return &Service{tenants: tenants} }

// Create makes an agent in the workspace ws.
func (s *Service) Create(ctx context.Context, ws uuid.UUID, in Input) (Agent, error) {
	var a Agent
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var err error
		a, err = CreateTx(ctx, tx, in)
		return err
	})
	return a, err
}

// CreateTx makes an agent inside an open tenant transaction (sign-up makes the first agent in
// the same transaction as the workspace).
func CreateTx(ctx context.Context, tx tenant.Tx, in Input) (Agent, error) {
	a, err := in.apply(Agent{Visibility: Private, AccessMode: Free})
	if err != nil {
		return Agent{}, err
	}
	row, err := tx.Q.CreateAgent(ctx, db.CreateAgentParams{
		WorkspaceID: tx.WorkspaceID, ID: uuid.Must(uuid.NewV7()),
		Name: a.Name, Visibility: a.Visibility, AccessMode: a.AccessMode,
	})
	if err != nil {
		return Agent{}, err
	}
	a = fromRow(row)
	for i, name := range DefaultStages {
		if _, err := tx.Q.CreateStage(ctx, db.CreateStageParams{
			WorkspaceID: tx.WorkspaceID, AgentID: a.ID, ID: uuid.Must(uuid.NewV7()), Name: name, Position: int32(i + 1),
		}); err != nil {
			return Agent{}, err
		}
	}
	return a, audit.Record(ctx, tx, audit.Entry{Action: "create", Resource: "agents", ResourceID: a.ID.String(), After: a})
}

// DefaultStages is the pipeline every new agent starts with.
var DefaultStages = []string{"Lead", "Prospect", "Customer", "Old Customer"}

// Get returns one agent; an agent of another workspace is not found.
func (s *Service) Get(ctx context.Context, ws, id uuid.UUID) (Agent, error) {
	var a Agent
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		row, err := tx.Q.GetAgent(ctx, db.GetAgentParams{WorkspaceID: ws, ID: id})
		a = fromRow(row)
		return notFound(err)
	})
	return a, err
}

// List returns a page of agents, oldest first, and whether more follow. grantedTo, when
// valid, keeps only the agents granted to that member (a member with role user).
func (s *Service) List(ctx context.Context, ws uuid.UUID, grantedTo uuid.NullUUID, after uuid.UUID, limit int) ([]Agent, bool, error) {
	var out []Agent
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		var rows []db.Agent
		var err error
		if grantedTo.Valid {
			rows, err = tx.Q.ListGrantedAgents(ctx, db.ListGrantedAgentsParams{WorkspaceID: ws, UserID: grantedTo.UUID, After: after, MaxRows: int32(limit + 1)})
		} else {
			rows, err = tx.Q.ListAgents(ctx, db.ListAgentsParams{WorkspaceID: ws, After: after, MaxRows: int32(limit + 1)})
		}
		for _, r := range rows {
			out = append(out, fromRow(r))
		}
		return err
	})
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, err
}

// Update patches an agent. When ifMatch is not empty it must equal the agent's current ETag,
// so two people editing at once cannot silently overwrite each other.
func (s *Service) Update(ctx context.Context, ws, id uuid.UUID, in Input, ifMatch string) (Agent, error) {
	var after Agent
	err := s.tenants.Tx(ctx, ws, func(tx tenant.Tx) error {
		row, err := tx.Q.GetAgentForUpdate(ctx, db.GetAgentForUpdateParams{WorkspaceID: ws, ID: id})
		if err != nil {
			return notFound(err)
		}
		before := fromRow(row)
		if ifMatch != "" && ifMatch != before.ETag() {
			return apperr.New(apperr.Precondition, "the agent changed since you loaded it; reload and try again")
		}
		after, err = in.apply(before)
		if err != nil || after == before {
			return err
		}
		row, err = tx.Q.UpdateAgent(ctx, db.UpdateAgentParams{
			WorkspaceID: ws, ID: id, Name: after.Name, Visibility: after.Visibility, AccessMode: after.AccessMode,
		})
		if err != nil {
			return err
		}
		after = fromRow(row)
		return audit.Record(ctx, tx, audit.Entry{Action: "update", Resource: "agents", ResourceID: id.String(), Before: before, After: after})
	})
	return after, err
}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.NotFound, "no such agent")
	}
	return err
}
