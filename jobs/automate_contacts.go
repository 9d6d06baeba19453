package jobs

import (
	"context"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// AutomateContactsArgs runs an agent's "contact created" automation (owners, notification) on
// new contacts. Every path that creates contacts inserts it in the creating transaction, so a
// committed contact always gets its automation and a rolled-back one never does: one job per
// creating transaction, listing the contacts it created (one from a form, the API or a member;
// the chat saves committed together; a chunk of an import, whose jobs are inserted in bulk). The automation acts only on contacts it has not run on yet, so a second
// run of the same job changes nothing.
type AutomateContactsArgs struct {
	WorkspaceID uuid.UUID   `json:"workspace_id"`
	AgentID     uuid.UUID   `json:"agent_id"`
	ContactIDs  []uuid.UUID `json:"contact_ids"`
}

func (AutomateContactsArgs) Kind() string { return "automate_contacts" }

func (AutomateContactsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueAutomations, MaxAttempts: 25}
}

// ContactAutomator runs the automation (internal/automations).
type ContactAutomator interface {
	AutomateContacts(ctx context.Context, ws, agentID uuid.UUID, contactIDs []uuid.UUID) error
}

// AutomateContactsWorker hands the contacts to the automator.
type AutomateContactsWorker struct {
	river.WorkerDefaults[AutomateContactsArgs]
	Automator ContactAutomator
}

func (w *AutomateContactsWorker) Work(ctx context.Context, job *river.Job[AutomateContactsArgs]) error {
	return w.Automator.AutomateContacts(ctx, job.Args.WorkspaceID, job.Args.AgentID, job.Args.ContactIDs)
}
