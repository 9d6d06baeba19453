// Package audit records who did what to which resource, from where, with what outcome, and for
// updates the values before and after. Entries are written in the same tenant transaction as the
// change they describe, so the log never claims a change that rolled back.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/tenant"
)

// Outcome of an audited action.
type Outcome string

const (
	Success Outcome = "success"
	Denied  Outcome = "denied"
	Failure Outcome = "failure"
)

// Actor is who acts and from where; the HTTP layer puts it in the request context.
type Actor struct {
	UserID    uuid.UUID // uuid.Nil for the system (jobs, the public doors)
	IP        netip.Addr
	RequestID string
}

type actorKey struct{}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, the zero Actor (the system) when none.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Entry is one audited action. Before and After are marshalled to JSON; leave them nil when
// they do not apply (Before on a create, After on a delete).
type Entry struct {
	Action     string // create, update, delete, sign_in, ...
	Resource   string // the authz resource name: agents, workspace, members, ...
	ResourceID string
	Outcome    Outcome // Success when empty
	// SubjectID is the object whose history this belongs to, when it is not the resource itself
	// (a note's or a file's contact); empty means the resource id.
	SubjectID string
	Before    any
	After     any
}

// Record writes e in tx, attributed to the actor in ctx.
func Record(ctx context.Context, tx tenant.Tx, e Entry) error {
	return RecordMany(ctx, tx, []Entry{e})
}

// RecordMany writes entries in tx (one statement for up to 5,000), all attributed to the actor in ctx.
func RecordMany(ctx context.Context, tx tenant.Tx, entries []Entry) error {
	actors := make([]Actor, len(entries))
	for i := range actors {
		actors[i] = ActorFrom(ctx)
	}
	return RecordEach(ctx, tx, entries, actors)
}

func marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return b, nil
}

// maxPerStatement bounds the entries one statement carries, so a set-based change that writes
// an entry per contact (a stage removed, a field deleted) sends bounded arrays.
const maxPerStatement = 5000

// RecordEach writes entries in tx, entries[i] attributed to actors[i]: for a transaction that
// carries the changes of many requests (chat's group commit of saves), where each change keeps
// the request and address it came from. One statement per maxPerStatement entries.
func RecordEach(ctx context.Context, tx tenant.Tx, entries []Entry, actors []Actor) error {
	if len(entries) != len(actors) {
		return fmt.Errorf("audit: %d entries with %d actors", len(entries), len(actors))
	}
	for len(entries) > maxPerStatement {
		if err := insert(ctx, tx, entries[:maxPerStatement], actors[:maxPerStatement]); err != nil {
			return err
		}
		entries, actors = entries[maxPerStatement:], actors[maxPerStatement:]
	}
	return insert(ctx, tx, entries, actors)
}

func insert(ctx context.Context, tx tenant.Tx, entries []Entry, actors []Actor) error {
	if len(entries) == 0 {
		return nil
	}
	p := db.InsertAuditEntriesParams{WorkspaceID: tx.WorkspaceID}
	for i, e := range entries {
		before, err := marshal(e.Before)
		if err != nil {
			return err
		}
		after, err := marshal(e.After)
		if err != nil {
			return err
		}
		if e.Outcome == "" {
			e.Outcome = Success
		}
		if e.SubjectID == "" {
			e.SubjectID = e.ResourceID
		}
		ip := ""
		if actors[i].IP.IsValid() {
			ip = actors[i].IP.String()
		}
		p.Ids = append(p.Ids, uuid.Must(uuid.NewV7()))
		p.ActorUserIds = append(p.ActorUserIds, actors[i].UserID)
		p.Actions = append(p.Actions, e.Action)
		p.Resources = append(p.Resources, e.Resource)
		p.ResourceIds = append(p.ResourceIds, e.ResourceID)
		p.Outcomes = append(p.Outcomes, string(e.Outcome))
		p.Ips = append(p.Ips, ip)
		p.RequestIds = append(p.RequestIds, actors[i].RequestID)
		p.Befores = append(p.Befores, before)
		p.Afters = append(p.Afters, after)
		p.SubjectIds = append(p.SubjectIds, e.SubjectID)
	}
	return tx.Q.InsertAuditEntries(ctx, p)
}

// RecordDenied writes a denied entry in a transaction of its own: the refused request makes no
// other change to commit it with.
func RecordDenied(ctx context.Context, tenants *tenant.DB, ws uuid.UUID, e Entry) error {
	e.Outcome = Denied
	return tenants.Tx(ctx, ws, func(tx tenant.Tx) error { return Record(ctx, tx, e) })
}
