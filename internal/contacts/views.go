package contacts

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/authz"
	customfields "github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
)

// MaxViews bounds the views of one owner (a member, or the team's shared views) in an agent.
const MaxViews = 50

// ViewQuery is the contact list's state a saved view restores: its query (filters and sort) and
// the custom-field columns shown.
type ViewQuery struct {
	ListQuery
	Columns []string `json:"columns,omitempty"`
}

// check validates the view's query, naming problems query.<parameter>: its stage and owner
// must be this agent's stage and a member of the workspace, and custom-field filters are
// checked against the agent's fields.
func (q ViewQuery) check(ctx context.Context, tx tenant.Tx, agentID uuid.UUID) error {
	bad := apperr.Fields{}
	q.ListQuery.check(bad, "query.")
	if len(q.Columns) > 50 {
		bad.Add("query.columns", "must list at most 50 columns")
	}
	for _, c := range q.Columns {
		if c == "" || utf8.RuneCountInString(c) > 80 {
			bad.Add("query.columns", "must be column names of 1 to 80 characters")
		}
	}
	if err := q.checkIDs(ctx, tx, agentID, bad, "query."); err != nil {
		return err
	}
	if err := bad.Err(); err != nil || len(q.Custom) == 0 {
		return err
	}
	defs, err := customfields.ListTx(ctx, tx, agentID, true)
	if err != nil {
		return err
	}
	_, err = customSpec(defs, q.Custom, "query.")
	return err
}

// View is a saved view as the API shows it.
type View struct {
	ID        uuid.UUID  `json:"id"`
	Name      string     `json:"name"`
	Shared    bool       `json:"shared"`
	Query     ViewQuery  `json:"query"`
	OwnerID   *uuid.UUID `json:"owner_id"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// DroppedFilters names the view's custom-field filters (cf.<key>[.<op>]) left out of Query
	// because their field was archived or deleted since the view was saved: the view still
	// applies, without them. The stored view keeps them (a restored field filters again).
	DroppedFilters []string `json:"dropped_filters,omitempty"`
}

// activeFields is the set of the agent's fields a filter may use (not archived), read only when
// some view has custom-field filters.
func activeFields(ctx context.Context, tx tenant.Tx, agentID uuid.UUID, views ...View) (map[string]bool, error) {
	need := false
	for _, v := range views {
		need = need || len(v.Query.Custom) > 0
	}
	if !need {
		return nil, nil
	}
	defs, err := customfields.ListTx(ctx, tx, agentID, false)
	if err != nil {
		return nil, err
	}
	active := map[string]bool{}
	for _, d := range defs {
		active[d.Key] = !d.Archived()
	}
	return active, nil
}

// applicable is v as a list can apply it: without the custom-field filters on fields no longer
// active, which DroppedFilters names.
func applicable(v View, active map[string]bool) View {
	if len(v.Query.Custom) == 0 {
		return v
	}
	kept := []CustomFilter{}
	for _, cf := range v.Query.Custom {
		if active[cf.Key] {
			kept = append(kept, cf)
		} else {
			v.DroppedFilters = append(v.DroppedFilters, cf.Param())
		}
	}
	if len(kept) == 0 {
		kept = nil
	}
	v.Query.Custom = kept
	return v
}

func viewFrom(v db.SavedView) View {
	out := View{ID: v.ID, Name: v.Name, Shared: !v.UserID.Valid, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	_ = json.Unmarshal(v.Query, &out.Query) // written by this package, always a ViewQuery
	if v.UserID.Valid {
		out.OwnerID = &v.UserID.UUID
	}
	return out
}

// ViewInput creates or changes a view; nil fields keep their value (or take the default).
type ViewInput struct {
	Name   *string    `json:"name"`
	Shared *bool      `json:"shared"`
	Query  *ViewQuery `json:"query"`
}

// Views lists the shared views and m's own.
func (s *Service) Views(ctx context.Context, m *httpapi.Member, agentID uuid.UUID) ([]View, error) {
	out := []View{}
	err := s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		rows, err := tx.Q.ListViews(ctx, db.ListViewsParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, UserID: uuid.NullUUID{UUID: m.UserID, Valid: true}})
		if err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, viewFrom(r))
		}
		active, err := activeFields(ctx, tx, agentID, out...)
		for i := range out {
			out[i] = applicable(out[i], active)
		}
		return err
	})
	return out, err
}

// mayShare reports whether m may create or change the team's shared views.
func (s *Service) mayShare(m *httpapi.Member) bool {
	return m.Role == authz.RoleOwner || m.Role == authz.RoleAdmin
}

// SaveView creates (id uuid.Nil) or changes a view. Personal views are anyone's; shared views are
// for owners and admins.
func (s *Service) SaveView(ctx context.Context, m *httpapi.Member, agentID, id uuid.UUID, in ViewInput) (View, error) {
	var out View
	err := s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		v := db.SavedView{WorkspaceID: m.WorkspaceID, AgentID: agentID, UserID: uuid.NullUUID{UUID: m.UserID, Valid: true}, Query: []byte(`{}`)}
		var before *View
		if id != uuid.Nil {
			row, err := tx.Q.GetViewForUpdate(ctx, db.GetViewForUpdateParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, ID: id})
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && row.UserID.Valid && row.UserID.UUID != m.UserID) {
				return apperr.New(apperr.NotFound, "no such view") // another member's personal view is not theirs to see
			}
			if err != nil {
				return err
			}
			if !row.UserID.Valid && !s.mayShare(m) {
				return apperr.New(apperr.Forbidden, "only owners and admins change shared views")
			}
			v, before = row, ptr(viewFrom(row))
		}
		if in.Name != nil {
			v.Name = strings.TrimSpace(*in.Name)
		}
		if n := utf8.RuneCountInString(v.Name); n < 1 || n > 60 {
			return apperr.Field("name", "must be 1 to 60 characters")
		}
		if in.Shared != nil {
			if *in.Shared && !s.mayShare(m) {
				return &apperr.Error{Code: apperr.Forbidden, Message: "only owners and admins share views with the team",
					Fields: map[string]string{"shared": "is for owners and admins"}}
			}
			v.UserID = uuid.NullUUID{UUID: m.UserID, Valid: !*in.Shared}
		}
		if in.Query != nil {
			if err := in.Query.check(ctx, tx, agentID); err != nil {
				return err
			}
			v.Query, _ = json.Marshal(in.Query)
		}
		if n, err := tx.Q.CountViews(ctx, db.CountViewsParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, UserID: v.UserID}); err != nil {
			return err
		} else if id == uuid.Nil && n >= MaxViews {
			return apperr.New(apperr.Invalid, "at most %d views per member (and %d shared) in an agent", MaxViews, MaxViews)
		}
		var row db.SavedView
		var err error
		if id == uuid.Nil {
			row, err = tx.Q.CreateView(ctx, db.CreateViewParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, ID: uuid.Must(uuid.NewV7()),
				UserID: v.UserID, Name: v.Name, Query: v.Query})
		} else {
			row, err = tx.Q.UpdateView(ctx, db.UpdateViewParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, ID: id,
				Name: v.Name, UserID: v.UserID, Query: v.Query})
		}
		if duplicateRace(err) != err {
			return &apperr.Error{Code: apperr.Conflict, Message: "a view with this name already exists",
				Fields: map[string]string{"name": "is already taken"}}
		}
		if err != nil {
			return err
		}
		out = viewFrom(row)
		action := map[bool]string{true: "create", false: "update"}[id == uuid.Nil]
		if err := audit.Record(ctx, tx, audit.Entry{Action: action, Resource: "saved_views", ResourceID: row.ID.String(), Before: before, After: out}); err != nil {
			return err
		}
		// A rename keeps a query whose field may have gone since: answer it as Views does.
		active, err := activeFields(ctx, tx, agentID, out)
		out = applicable(out, active)
		return err
	})
	return out, err
}

// DeleteView removes a view (the member's own; a shared one, owners and admins).
func (s *Service) DeleteView(ctx context.Context, m *httpapi.Member, agentID, id uuid.UUID) error {
	return s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		row, err := tx.Q.GetViewForUpdate(ctx, db.GetViewForUpdateParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && row.UserID.Valid && row.UserID.UUID != m.UserID) {
			return apperr.New(apperr.NotFound, "no such view")
		}
		if err != nil {
			return err
		}
		if !row.UserID.Valid && !s.mayShare(m) {
			return apperr.New(apperr.Forbidden, "only owners and admins delete shared views")
		}
		if err := tx.Q.DeleteView(ctx, db.DeleteViewParams{WorkspaceID: m.WorkspaceID, AgentID: agentID, ID: id}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "delete", Resource: "saved_views", ResourceID: id.String(), Before: viewFrom(row)})
	})
}

func ptr[T any](v T) *T { return &v }
