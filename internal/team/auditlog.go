package team

import (
	"context"
	"encoding/csv"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/authz"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/tenant"
)

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	ActorID  uuid.NullUUID
	Action   string
	Resource string
	From, To *time.Time
}

// ParseAuditFilter reads the filter from a query string. Dates are RFC 3339 times or
// YYYY-MM-DD; a date in `to` means the end of that day.
func ParseAuditFilter(q url.Values) (AuditFilter, error) {
	var f AuditFilter
	bad := apperr.Fields{}
	if s := q.Get("actor_id"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			bad.Add("actor_id", "must be a member's id")
		}
		f.ActorID = uuid.NullUUID{UUID: id, Valid: err == nil}
	}
	f.Action, f.Resource = strings.TrimSpace(q.Get("action")), strings.TrimSpace(q.Get("resource"))
	for _, p := range []struct {
		name   string
		target **time.Time
		endOf  bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d, derr := time.Parse(time.DateOnly, s)
			if derr != nil {
				bad.Add(p.name, "must be a date (YYYY-MM-DD) or an RFC 3339 time")
				continue
			}
			if t = d; p.endOf {
				t = d.AddDate(0, 0, 1)
			}
		}
		*p.target = &t
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		bad.Add("to", "must be after from")
	}
	return f, bad.Err()
}

// AuditLog returns a page of entries, newest first. A member whose role may read only their
// own entries gets only those, whatever actor the filter names.
func (s *Service) AuditLog(ctx context.Context, m *httpapi.Member, f AuditFilter, before uuid.UUID, limit int) ([]audit.Logged, bool, error) {
	out := []audit.Logged{}
	err := s.searchAudit(ctx, m, f, before, limit+1, func(e audit.Logged) error {
		out = append(out, e)
		return nil
	})
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, err
}

// ExportPage is how many entries the export reads per transaction.
const ExportPage = 1000

// ExportAuditLog writes every matching entry as CSV to w, a page per transaction so memory
// and transaction length stay bounded however long the log is.
func (s *Service) ExportAuditLog(ctx context.Context, m *httpapi.Member, f AuditFilter, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"time", "actor_email", "actor_name", "action", "resource", "resource_id", "outcome", "ip", "request_id", "before", "after"}); err != nil {
		return err
	}
	before := uuid.Nil
	for {
		n := 0
		err := s.searchAudit(ctx, m, f, before, ExportPage, func(e audit.Logged) error {
			n++
			before = e.ID
			var email, name string
			if e.Actor != nil {
				email, name = e.Actor.Email, e.Actor.Name
			}
			return cw.Write(spreadsheetSafe(e.CreatedAt.UTC().Format(time.RFC3339Nano), email, name, e.Action, e.Resource,
				e.ResourceID, e.Outcome, e.IP, e.RequestID, string(e.Before), string(e.After)))
		})
		if err != nil {
			return err
		}
		cw.Flush()
		if err := cw.Error(); err != nil || n < ExportPage {
			return err
		}
	}
}

func (s *Service) searchAudit(ctx context.Context, m *httpapi.Member, f AuditFilter, before uuid.UUID, limit int, each func(audit.Logged) error) error {
	if !s.enforcer.Allow(m.Role, authz.ResourceAudit, authz.ActionRead) {
		f.ActorID = uuid.NullUUID{UUID: m.UserID, Valid: true}
	}
	p := db.SearchAuditEntriesParams{WorkspaceID: m.WorkspaceID, ActorID: f.ActorID, FromTime: f.From, ToTime: f.To,
		BeforeID: uuid.NullUUID{UUID: before, Valid: before != uuid.Nil}, MaxRows: int32(limit)}
	p.Action, p.Resource = nonEmpty(f.Action), nonEmpty(f.Resource)
	return s.tenants.Tx(ctx, m.WorkspaceID, func(tx tenant.Tx) error {
		if err := tx.PlanForArguments(ctx); err != nil {
			return err
		}
		rows, err := tx.Q.SearchAuditEntries(ctx, p)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := each(audit.LoggedFrom(r.AuditLog, r.ActorName, r.ActorEmail)); err != nil {
				return err
			}
		}
		return nil
	})
}

// spreadsheetSafe prefixes cells a spreadsheet would run as a formula (=, +, -, @, tab, CR)
// with a quote, so an exported file cannot carry an injected formula.
func spreadsheetSafe(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// nonEmpty is s as an optional query argument: nil (any) when empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
