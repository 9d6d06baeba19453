package imports_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/imports"
	"github.com/guestlist/guestlist/jobs"
)

func (c crm) createContact(t *testing.T, body map[string]any) string {
	t.Helper()
	resp := c.owner.Do("POST", c.base+"/contacts", body)
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return resp.Map(t)["id"].(string)
}

// automated waits until the automations of the contacts created so far have run: they write
// the contacts (owner, stage) a moment after they are created.
func (c crm) automated(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		return c.env.Count(t, c.owner.WorkspaceID,
			"SELECT count(*) FROM river.river_job WHERE kind = 'automate_contacts' AND finalized_at IS NULL") == 0
	}, 30*time.Second, 10*time.Millisecond)
}

// TestUndoLeavesContactsWhoseValuesAreTaken: after an import changed a contact's email, phone
// or external id, someone else took the old value; undo cannot give it back (the unique
// indexes would refuse the whole undo), so it leaves that contact as it is and lists it with
// the reason, and undoes everything else. A value held by a contact the import created is
// free again: those are deleted first.
func TestUndoLeavesContactsWhoseValuesAreTaken(t *testing.T) {
	t.Parallel()
	// One row a chunk: row 8 is classified after row 5's chunk committed.
	c := setup(t, func(cfg *app.Config) { cfg.ImportChunkRows = 1 })
	e1 := c.createContact(t, map[string]any{"name": "E1", "email": "e1@example.com", "external_id": "x1"})
	e2 := c.createContact(t, map[string]any{"name": "E2", "email": "e2@example.com", "phone": "+14155550102"})
	e3 := c.createContact(t, map[string]any{"name": "E3", "email": "e3@example.com", "external_id": "x3"})
	e4 := c.createContact(t, map[string]any{"name": "E4", "email": "e4@example.com"})
	e5 := c.createContact(t, map[string]any{"name": "E5", "email": "e5@example.com", "external_id": "x5"})
	c.automated(t)

	file := "external_id,email,phone,name\n" +
		"x1,e1new@example.com,,\n" + // E1's email changes
		",e2@example.com,+14155550199,\n" + // E2's phone changes
		"x3new,e3@example.com,,\n" + // E3's external id changes
		",e4@example.com,,E4 New\n" + // E4's name changes
		"x5,e5new@example.com,,\n" + // E5's email changes...
		",n1@example.com,,N1\n" +
		",n2@example.com,,N2\n" +
		",e5@example.com,,Taker\n" // ...and a contact the import creates takes the old one
	resp := c.upload(t, "taken.csv", []byte(file), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	imp := c.wait(t, id, "finished")
	require.EqualValues(t, 5, progress(imp)["updated"], "%v", imp)
	require.EqualValues(t, 3, progress(imp)["created"], "%v", imp)

	// Since the import, other contacts took E1's old email, E2's old phone, E3's old external id.
	t1 := c.createContact(t, map[string]any{"name": "T1", "email": "e1@example.com"})
	t2 := c.createContact(t, map[string]any{"name": "T2", "phone": "+14155550102"})
	t3 := c.createContact(t, map[string]any{"name": "T3", "email": "t3@example.com", "external_id": "x3"})

	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil).Status)
	imp = c.wait(t, id, "undone")
	kept := map[string]string{}
	for _, k := range imp["undo_kept"].([]any) {
		k := k.(map[string]any)
		kept[k["id"].(string)] = k["reason"].(string)
	}
	require.Equal(t, map[string]string{
		e1: "its email e1@example.com now belongs to another contact",
		e2: "its phone +14155550102 now belongs to another contact",
		e3: "its external id x3 now belongs to another contact",
	}, kept)

	all := map[string]map[string]any{}
	for _, ct := range c.contacts(t) {
		all[ct["id"].(string)] = ct
	}
	require.Len(t, all, 8, "the created contacts are deleted, the others stay")
	for _, id := range []string{t1, t2, t3} {
		require.Contains(t, all, id)
	}
	// Left as the import made them.
	require.Equal(t, "e1new@example.com", all[e1]["email"])
	require.Equal(t, "+14155550199", all[e2]["phone"])
	require.Equal(t, "x3new", all[e3]["external_id"])
	// Restored.
	require.Equal(t, "E4", all[e4]["name"])
	require.Equal(t, "e5@example.com", all[e5]["email"], "the created contact that held it is deleted first")
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID,
		`SELECT count(*) FROM audit_log WHERE resource = 'imports' AND action = 'undo' AND after @> '{"restored": 2, "kept": 3, "deleted": 3}'`))
}

// TestUndoLeavesContactsWhoseUniqueCustomValuesAreTaken: undo must not give a contact back a
// unique custom value another contact took since the import (contact_unique_values' key would
// refuse the whole undo): that contact is left as the import made it and listed with the
// field's label; the other contacts are restored.
func TestUndoLeavesContactsWhoseUniqueCustomValuesAreTaken(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.field(t, map[string]any{"label": "Member No", "type": "text", "unique": true})
	u1 := c.createContact(t, map[string]any{"name": "U1", "email": "u1@example.com", "custom": map[string]any{"member_no": "M1"}})
	u2 := c.createContact(t, map[string]any{"name": "U2", "email": "u2@example.com", "custom": map[string]any{"member_no": "M2"}})
	c.automated(t)

	file := "email,member_no\nu1@example.com,M1-new\nu2@example.com,M2-new\n"
	resp := c.upload(t, "members.csv", []byte(file), "?start=true&mode=create_and_update")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	imp := c.wait(t, id, "finished")
	require.EqualValues(t, 2, progress(imp)["updated"], "%v", imp)

	// Since the import, another contact took U1's old member number.
	taker := c.createContact(t, map[string]any{"name": "Taker", "email": "t@example.com", "custom": map[string]any{"member_no": "M1"}})

	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil).Status)
	imp = c.wait(t, id, "undone")
	kept := imp["undo_kept"].([]any)
	require.Len(t, kept, 1, "%v", kept)
	require.Equal(t, u1, kept[0].(map[string]any)["id"])
	require.Equal(t, "its Member No M1 now belongs to another contact", kept[0].(map[string]any)["reason"])

	custom := map[string]any{}
	for _, ct := range c.contacts(t) {
		custom[ct["id"].(string)] = ct["custom"].(map[string]any)["member_no"]
	}
	require.Equal(t, map[string]any{u1: "M1-new", u2: "M2", taker: "M1"}, custom,
		"U1 keeps the import's value, U2 gets its own back, and M1 stays with one contact")
}

// TestUndoLeavesContactsThatHadTheSameUniqueCustomValue: two contacts the import updated both
// had one unique value before it (one lost it, by an edit, between the chunks that updated
// them): giving it back to both would put it on two contacts, so both are left as the import
// made them. The edit between chunks is stood in for by the snapshot itself. When another
// contact has since taken such a value too, that is the reason given.
func TestUndoLeavesContactsThatHadTheSameUniqueCustomValue(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.field(t, map[string]any{"label": "Member No", "type": "text", "unique": true})
	var u [5]string
	file := "email,member_no\n"
	for i := range u {
		n := fmt.Sprint(i + 1)
		u[i] = c.createContact(t, map[string]any{"name": "U" + n, "email": "u" + n + "@example.com", "custom": map[string]any{"member_no": "M" + n}})
		file += "u" + n + "@example.com,M" + n + "-new\n"
	}
	c.automated(t)

	resp := c.upload(t, "members.csv", []byte(file), "?start=true&mode=create_and_update")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	imp := c.wait(t, id, "finished")
	require.EqualValues(t, 5, progress(imp)["updated"], "%v", imp)
	// U3 had M2 before the import as U2 did, U5 had M4 as U4 did; then a new contact takes M4.
	for contact, before := range map[string]string{u[2]: "M2", u[4]: "M4"} {
		require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `WITH x AS (
			UPDATE import_changes SET before = jsonb_set(before, '{custom,member_no}', to_jsonb($3::text))
			WHERE import_id = $1 AND contact_id = $2 RETURNING 1) SELECT count(*) FROM x`, id, contact, before))
	}
	taker := c.createContact(t, map[string]any{"name": "Taker", "email": "t@example.com", "custom": map[string]any{"member_no": "M4"}})

	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil).Status)
	imp = c.wait(t, id, "undone")
	reasons := map[string]any{}
	for _, k := range imp["undo_kept"].([]any) {
		reasons[k.(map[string]any)["id"].(string)] = k.(map[string]any)["reason"]
	}
	const shared = "another contact this import updated had the same Member No before it"
	const taken = "its Member No M4 now belongs to another contact"
	require.Equal(t, map[string]any{u[1]: shared, u[2]: shared, u[3]: taken, u[4]: taken}, reasons)

	custom := map[string]any{}
	for _, ct := range c.contacts(t) {
		custom[ct["id"].(string)] = ct["custom"].(map[string]any)["member_no"]
	}
	require.Equal(t, map[string]any{u[0]: "M1", u[1]: "M2-new", u[2]: "M3-new", u[3]: "M4-new", u[4]: "M5-new", taker: "M4"}, custom)
}

// failingUndo is the real service whose undo always fails.
type failingUndo struct{ *imports.Service }

func (failingUndo) UndoImport(context.Context, uuid.UUID, uuid.UUID) error {
	return errors.New("the database went away")
}

// TestUndoFailsAfterItsLastAttempt: an undo that keeps failing does not leave the import
// undoing forever: after the job's last attempt the import is failed with an error that says
// nothing was undone, and the undo can be asked for again.
func TestUndoFailsAfterItsLastAttempt(t *testing.T) {
	t.Parallel()
	c := setup(t)
	resp := c.upload(t, "u.csv", []byte("email,name\nu1@example.com,U One\n"), "?start=true")
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	id := resp.Map(t)["id"].(string)
	c.wait(t, id, "finished")
	// The undo job is queued but worked by hand below.
	require.NoError(t, c.env.App.StopWorkers())
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil).Status)

	w := &jobs.UndoImportWorker{Imports: failingUndo{c.env.App.Imports}}
	job := func(attempt int) *river.Job[jobs.UndoImportArgs] {
		return &river.Job[jobs.UndoImportArgs]{
			JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: jobs.UndoImportAttempts},
			Args:   jobs.UndoImportArgs{WorkspaceID: c.owner.WorkspaceID, ImportID: uuid.MustParse(id)},
		}
	}
	ctx := context.Background()
	require.Error(t, w.Work(ctx, job(1)), "an attempt before the last fails, to be retried")
	imp := c.owner.Do("GET", c.base+"/imports/"+id, nil).Map(t)
	require.Equal(t, "undoing", imp["status"])

	require.NoError(t, w.Work(ctx, job(jobs.UndoImportAttempts)), "the last attempt records the failure")
	imp = c.owner.Do("GET", c.base+"/imports/"+id, nil).Map(t)
	require.Equal(t, "failed", imp["status"])
	require.True(t, strings.HasPrefix(imp["error"].(string), "The undo failed, so nothing was undone"), "%v", imp["error"])
	require.Len(t, c.contacts(t), 1, "nothing was undone")
	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID,
		"SELECT count(*) FROM audit_log WHERE resource = 'imports' AND action = 'undo' AND outcome = 'failure'"))

	// Asked again, the undo runs.
	require.Equal(t, http.StatusAccepted, c.owner.Do("POST", c.base+"/imports/"+id+"/undo", nil).Status)
	require.NoError(t, c.env.App.Imports.UndoImport(ctx, c.owner.WorkspaceID, uuid.MustParse(id)))
	imp = c.owner.Do("GET", c.base+"/imports/"+id, nil).Map(t)
	require.Equal(t, "undone", imp["status"])
	require.Empty(t, c.contacts(t))
}
