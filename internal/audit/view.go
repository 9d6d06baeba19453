package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/tenant"
)

// Logged is an audit entry as the API shows it (the audit log screen, a contact's timeline).
type Logged struct {
	ID         uuid.UUID       `json:"id"`
	Actor      *LoggedActor    `json:"actor,omitempty"`
	Action     string          `json:"action"`
	Resource   string          `json:"resource"`
	ResourceID string          `json:"resource_id"`
	Outcome    string          `json:"outcome"`
	IP         string          `json:"ip,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
}

// LoggedActor is who acted.
type LoggedActor struct {
	ID    uuid.UUID `json:"id"`
	Name  string    `json:"name"`
	Email string    `json:"email"`
}

// LoggedFrom shapes a stored entry and its actor's name and email (nil for the system, or a
// user since deleted).
func LoggedFrom(a db.AuditLog, actorName, actorEmail *string) Logged {
	e := Logged{ID: a.ID, Action: a.Action, Resource: a.Resource, ResourceID: a.ResourceID, Outcome: a.Outcome,
		RequestID: a.RequestID, Before: a.Before, After: a.After, CreatedAt: a.CreatedAt}
	if a.ActorUserID.Valid {
		e.Actor = &LoggedActor{ID: a.ActorUserID.UUID}
		if actorName != nil {
			e.Actor.Name = *actorName
		}
		if actorEmail != nil {
			e.Actor.Email = *actorEmail
		}
	}
	if a.Ip != nil {
		e.IP = a.Ip.String()
	}
	return e
}

// History is the newest limit entries about one subject (Entry.SubjectID), newest first.
func History(ctx context.Context, tx tenant.Tx, subjectID string, limit int) ([]Logged, error) {
	rows, err := tx.Q.SubjectHistory(ctx, db.SubjectHistoryParams{WorkspaceID: tx.WorkspaceID, SubjectID: subjectID, MaxRows: int32(limit)})
	out := []Logged{}
	for _, r := range rows {
		out = append(out, LoggedFrom(r.AuditLog, r.ActorName, r.ActorEmail))
	}
	return out, err
}
