package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/apperr"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/contacts"
	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/httpapi"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/tenant"
)

// maxSaveBatch bounds the saves one transaction carries.
const maxSaveBatch = 200

// saveLanes is how many save transactions of one agent may be in flight at once in a process.
// A conversation always goes in the same lane, so transactions in flight together lock
// disjoint conversations. Measured (bench section chat, scale 0.5, two cores): one lane kept
// the database to one core (2,130–2,300 saves/s), two gave 2,750–2,790, four 1,560–2,230 (the
// batches got small and contended for the same pages).
const saveLanes = 2

// saveBatchTimeout bounds one batch's transaction, whoever's saves it carries.
const saveBatchTimeout = 10 * time.Second

// saveBatcher is a group commit for the usual save, the capture of a visitor who is no contact
// yet: per agent and lane, at most one save transaction is in flight in this process, and the
// saves arriving meanwhile go together in the next one (saveBatch), which creates their
// contacts with one statement per step (contacts.CreateManyTx) and commits once. Measured: a
// save alone spent most of its database time on per-statement and per-transaction costs (a
// dozen statements, the search copy's trigger, the commit). A caller returns only once the
// transaction holding its save has committed. What a batch leaves to its caller, who then saves
// alone exactly as before: a visitor who may already be a contact (the conversation has one, a
// contact holds the email or phone given, or another save of the batch has the same visitor,
// email or phone), and every save of a batch that failed as a whole (a deadlock with another
// process, a lost connection), so one bad save never fails the others.
type saveBatcher struct {
	s     *Service
	lanes lanes[*saveJob]
}

// saveJob is one save waiting for its batch. Its details are trimmed ("" when not given); the
// batch fills in their normalized forms.
type saveJob struct {
	ctx                         context.Context // the caller's: its actor, and whether it is still waiting
	conversation                uuid.UUID
	name, email, phone          string
	hasName, hasEmail, hasPhone bool
	custom                      map[string]json.RawMessage
	emailNorm, phoneE164        string
	done                        chan saveOutcome // buffered: the batch never waits for a caller who left
}

// saveOutcome is what a batch did with a save: handled false leaves it to the caller.
type saveOutcome struct {
	res     SaveResult
	err     error
	handled bool
}

func newSaveBatcher(s *Service) *saveBatcher {
	b := &saveBatcher{s: s}
	b.lanes = lanes[*saveJob]{max: maxSaveBatch,
		conversation: func(j *saveJob) uuid.UUID { return j.conversation },
		// A save whose caller has left is answered at once and dropped.
		gone: func(j *saveJob) bool {
			if err := j.ctx.Err(); err != nil {
				j.done <- saveOutcome{err: err, handled: true}
				return true
			}
			return false
		},
		send: func(key laneKey, batch []*saveJob) {
			b.send(Agent{WorkspaceID: key.workspace, AgentID: key.agent}, batch)
		}}
	return b
}

// save runs job through a batch; handled is false when the caller must save it alone.
func (b *saveBatcher) save(ctx context.Context, a Agent, job *saveJob) (SaveResult, bool, error) {
	job.ctx, job.done = ctx, make(chan saveOutcome, 1)
	b.lanes.enqueue(laneOf(a, job.conversation, saveLanes), job)
	select {
	case out := <-job.done:
		return out.res, out.handled, out.err
	case <-ctx.Done():
		return SaveResult{}, true, ctx.Err()
	}
}

func (b *saveBatcher) send(a Agent, batch []*saveJob) {
	ctx, cancel := context.WithTimeout(context.Background(), saveBatchTimeout)
	defer cancel()
	outcomes, err := b.saveBatch(ctx, a, batch)
	for i, j := range batch {
		if err != nil {
			j.done <- saveOutcome{} // the whole batch failed: each caller saves alone
			continue
		}
		j.done <- outcomes[i]
	}
}

// saveBatch is Service.saveBatch, where a panic fails the batch like an error: each caller then
// saves alone, in its request, whose recovery answers it (this goroutine has none).
func (b *saveBatcher) saveBatch(ctx context.Context, a Agent, batch []*saveJob) (out []saveOutcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("chat: save batch panicked: %v", p)
		}
	}()
	return b.s.saveBatch(ctx, a, batch)
}

// saveBatch creates, in one transaction, the contacts of the saves in batch that capture a
// visitor who is no contact yet, each as Save alone would: the conversation locked, the phone
// read in the workspace's country, the contact created with source Chat (its automation job
// and audit entry), the visitor's anonymous conversations linked, one provenance row per field
// written. Saves refused for their own input are answered with Save's error and write nothing;
// the others of the batch are not affected.
func (s *Service) saveBatch(ctx context.Context, a Agent, batch []*saveJob) ([]saveOutcome, error) {
	out := make([]saveOutcome, len(batch)) // read only when the transaction committed
	err := s.tenants.TxCachedPlans(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
		ids := make([]uuid.UUID, len(batch))
		for i, j := range batch {
			ids[i] = j.conversation
		}
		rows, err := tx.Q.LockConversationsForSave(ctx, db.LockConversationsForSaveParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID, Ids: ids})
		if err != nil {
			return err
		}
		locked := make(map[uuid.UUID]db.LockConversationsForSaveRow, len(rows))
		for _, r := range rows {
			locked[r.Conversation.ID] = r
		}

		// Candidates for creation: a visitor with a contact is the caller's to update, and so is
		// a second save of the same visitor, email or phone (it may be the first one's contact).
		var creating []int
		var ins []contacts.Input
		var actors []audit.Actor
		visitors, emails, phones := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for i, j := range batch {
			r, ok := locked[j.conversation]
			if !ok {
				out[i] = saveOutcome{err: errNoConversation, handled: true}
				continue
			}
			if j.hasPhone {
				e164, err := contacts.NormalizePhone(j.phone, r.DefaultCountry)
				if err != nil {
					out[i] = saveOutcome{err: apperr.Field("phone", err.Error()), handled: true}
					continue
				}
				j.phoneE164 = e164
			}
			if j.hasEmail {
				j.emailNorm, _ = mail.NormalizeEmail(j.email) // Save checked it
			}
			if r.Conversation.ContactID.Valid || visitors[r.Conversation.VisitorID] ||
				(j.emailNorm != "" && emails[j.emailNorm]) || (j.phoneE164 != "" && phones[j.phoneE164]) {
				continue
			}
			visitors[r.Conversation.VisitorID] = true
			if j.emailNorm != "" {
				emails[j.emailNorm] = true
			}
			if j.phoneE164 != "" {
				phones[j.phoneE164] = true
			}
			var ci contacts.Input
			if j.hasName {
				ci.Name = httpapi.Optional[string]{Set: true, Value: &j.name}
			}
			if j.hasEmail {
				ci.Email = httpapi.Optional[string]{Set: true, Value: &j.email}
			}
			if j.hasPhone {
				ci.Phone = httpapi.Optional[string]{Set: true, Value: &j.phone}
			}
			ci.Custom = j.custom
			creating = append(creating, i)
			ins = append(ins, ci)
			actors = append(actors, audit.ActorFrom(j.ctx))
		}
		if len(ins) == 0 {
			return nil
		}
		created, refused, err := s.contacts.CreateManyTx(ctx, tx, a.AgentID, ins,
			contacts.CreateOptions{Source: contacts.SourceChat, Actors: actors, Country: locked[batch[creating[0]].conversation].DefaultCountry})
		if err != nil {
			return err
		}

		capture := db.CaptureSourcesManyParams{WorkspaceID: tx.WorkspaceID, AgentID: a.AgentID}
		var agentFields []fields.Field
		readFields := false
		for k, i := range creating {
			switch field := contacts.DuplicateField(refused[k]); {
			case field == "email" || field == "phone":
				continue // the visitor is a contact already: the caller finds and updates it, as Save does
			case refused[k] != nil:
				out[i] = saveOutcome{err: refused[k], handled: true}
				continue
			}
			j, c, conv := batch[i], created[k], locked[batch[i].conversation]
			written, kept := createdFields(j.hasName, j.hasEmail, j.hasPhone, j.custom, c)
			capture.VisitorIds = append(capture.VisitorIds, conv.Conversation.VisitorID)
			capture.ContactIds = append(capture.ContactIds, c.ID)
			for _, f := range written {
				v, err := json.Marshal(fieldValue(c, f))
				if err != nil {
					return err
				}
				capture.FieldContactIds = append(capture.FieldContactIds, c.ID)
				capture.Fields = append(capture.Fields, f)
				capture.FieldConversationIds = append(capture.FieldConversationIds, conv.Conversation.ID)
				capture.FieldMessageIds = append(capture.FieldMessageIds, conv.LatestVisitorMessage)
				capture.FieldValues = append(capture.FieldValues, v)
			}
			if len(c.Custom) > 0 && !readFields {
				if agentFields, err = fields.ListTx(ctx, tx, a.AgentID, false); err != nil {
					return err
				}
				readFields = true
			}
			out[i] = saveOutcome{handled: true, res: SaveResult{Contact: agentView(c, agentFields), ConversationID: conv.Conversation.ID,
				Created: true, Written: written, Kept: kept}}
		}
		if len(capture.ContactIds) == 0 {
			return nil
		}
		return tx.Q.CaptureSourcesMany(ctx, capture)
	})
	return out, err
}

// newSaveJob is the job of a save that a batch may take: one naming neither a contact nor a
// message (those save alone).
func newSaveJob(conversation uuid.UUID, in SaveInput) (*saveJob, bool) {
	if strings.TrimSpace(in.ContactID) != "" || strings.TrimSpace(in.MessageID) != "" {
		return nil, false
	}
	j := &saveJob{conversation: conversation, custom: in.Custom}
	j.name, j.hasName = given(in.Name)
	j.email, j.hasEmail = given(in.Email)
	j.phone, j.hasPhone = given(in.Phone)
	return j, true
}
