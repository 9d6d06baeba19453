package fields_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/fields"
	"github.com/guestlist/guestlist/internal/tenant"
)

// write runs a statement in the workspace as a set-based path does (an import chunk, an undo),
// past the application's own checks, and returns what the database said.
func (c crm) write(t *testing.T, sql string, args ...any) error {
	t.Helper()
	return c.env.App.Tenants.Tx(context.Background(), c.owner.WorkspaceID, func(tx tenant.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}

// holdWrite runs a statement in the workspace and keeps its transaction open (its locks held)
// until letGo is called; done then says how the transaction ended. A test that fails before
// letting go lets go at its cleanup, so no write is left open.
func (c crm) holdWrite(t *testing.T, sql string, args ...any) (letGo func(), done <-chan error) {
	t.Helper()
	ctx := context.Background()
	written, release, result := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once sync.Once
	letGo = func() { once.Do(func() { close(release) }) }
	t.Cleanup(letGo)
	go func() {
		result <- c.env.App.Tenants.Tx(ctx, c.owner.WorkspaceID, func(tx tenant.Tx) error {
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	select {
	case <-written:
	case err := <-result:
		t.Fatalf("the held write failed: %v", err)
	}
	return letGo, result
}

func message(t *testing.T, r apptest.Response) string {
	t.Helper()
	return r.Map(t)["error"].(map[string]any)["message"].(string)
}

func requireTaken(t *testing.T, err error, msg string) {
	t.Helper()
	var pg *pgconn.PgError
	require.True(t, errors.As(err, &pg), "%s: want the unique value refused, got %v", msg, err)
	require.Equal(t, "23505", pg.Code, msg)
	require.Equal(t, fields.UniqueValueConstraint, pg.ConstraintName, msg)
}

// TestTheDatabaseKeepsUniqueValuesUnique: a unique custom field's values are unique among the
// agent's active contacts by the database's own key (contact_unique_values, migration 00025),
// whatever path writes them, so a set-based write racing a member's edit cannot give two
// contacts one value. The key follows contacts (archive, restore, delete, a value moving) and
// fields (made unique or not, archived, restored, deleted), and stays within its workspace.
func TestTheDatabaseKeepsUniqueValuesUnique(t *testing.T) {
	t.Parallel()
	c := setup(t)
	member := c.mustCreate(t, map[string]any{"label": "Member no", "type": "text", "unique": true})
	c.mustCreate(t, map[string]any{"label": "Score", "type": "number", "unique": true})
	ada := c.contact(t, "ada@example.com", map[string]any{"member_no": "M1"})
	grace := c.contact(t, "grace@example.com", map[string]any{})
	linus := c.contact(t, "linus@example.com", map[string]any{"member_no": "M9"})
	rows := func(key string) int {
		return c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_unique_values WHERE field_key = $1`, key)
	}
	require.Equal(t, 2, rows("member_no"))

	// A set-based write of a held value is refused by the database.
	requireTaken(t, c.write(t, `UPDATE contacts SET custom = custom || '{"member_no": "M1"}' WHERE id = $1`, grace), "an update")
	requireTaken(t, c.write(t, `INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, source, search_text, custom)
		VALUES ($1, $2, $3, 'x', 'x@example.com', 'x@example.com', 'import', 'x', '{"member_no": "M1"}')`,
		c.owner.WorkspaceID, c.agent, uuid.Must(uuid.NewV7())), "an insert")
	requireTaken(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M5"}' WHERE id IN ($1, $2)`, grace, linus), "two contacts in one statement")
	// Numbers equal as numbers are one value, whatever their scale.
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = custom || '{"score": 42.0}' WHERE id = $1`, ada))
	requireTaken(t, c.write(t, `UPDATE contacts SET custom = custom || '{"score": 42}' WHERE id = $1`, grace), "42 and 42.0")

	// A value moving between contacts in one statement is free before it is taken.
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = CASE WHEN id = $1 THEN '{}'::jsonb ELSE '{"member_no": "M1"}'::jsonb END
		WHERE id IN ($1, $2)`, ada, grace))
	ctx, agent := context.Background(), uuid.MustParse(c.agent)
	c.env.InWorkspace(t, c.owner.WorkspaceID, func(tx tenant.Tx) error {
		err := fields.CheckUnique(ctx, tx, agent, ada, map[string]any{"member_no": "M1"})
		require.Equal(t, "already belongs to grace@example.com", fieldErrors(err)["custom.member_no"], "the holder is found through the key")
		return nil
	})

	// Archived contacts hold nothing; one restored while its value is taken is refused.
	require.Equal(t, http.StatusOK, c.owner.Do("POST", "/api/v1/agents/"+c.agent+"/contacts/"+grace.String()+"/archive", nil).Status)
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M1"}' WHERE id = $1`, ada))
	requireTaken(t, c.write(t, `UPDATE contacts SET status = 'active' WHERE id = $1`, grace), "a restored contact")
	// A deleted contact frees its values.
	require.NoError(t, c.write(t, `DELETE FROM contacts WHERE id = $1`, ada))
	require.NoError(t, c.write(t, `UPDATE contacts SET status = 'active' WHERE id = $1`, grace))
	require.Equal(t, 2, rows("member_no"), "grace's M1 and linus's M9")

	// A field that is no longer unique lets values be shared; made unique again, it says which
	// value is shared, and once they differ it takes the values back.
	resp := c.owner.Do("PATCH", c.base+"/"+member["id"].(string), map[string]any{"unique": false})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Zero(t, rows("member_no"))
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M1"}' WHERE id = $1`, linus))
	resp = c.owner.Do("PATCH", c.base+"/"+member["id"].(string), map[string]any{"unique": true})
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, message(t, resp), `share the value "M1" of Member no`)
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M2"}' WHERE id = $1`, linus))
	resp = c.owner.Do("PATCH", c.base+"/"+member["id"].(string), map[string]any{"unique": true})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, 2, rows("member_no"))

	// Archived, the field holds nothing; restored over a shared value, it is refused with the
	// value named, and nothing changes.
	archive := func(verb string) int {
		return c.owner.Do("POST", c.base+"/"+member["id"].(string)+"/"+verb, nil).Status
	}
	require.Equal(t, http.StatusOK, archive("archive"))
	require.Zero(t, rows("member_no"))
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M1"}' WHERE id = $1`, linus))
	resp = c.owner.Do("POST", c.base+"/"+member["id"].(string)+"/restore", nil)
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, message(t, resp), `share the value "M1" of Member no; make their values differ before restoring it`)
	require.Zero(t, rows("member_no"))
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M3"}' WHERE id = $1`, linus))
	require.Equal(t, http.StatusOK, archive("restore"))
	require.Equal(t, 2, rows("member_no"))

	// Another workspace, in the same database, sees none of these rows and may hold the same
	// values.
	o := c.env.SignUp(t)
	otherAgent := o.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	other := crm{env: c.env, owner: o, agent: otherAgent, base: "/api/v1/agents/" + otherAgent + "/fields"}
	other.mustCreate(t, map[string]any{"label": "Member no", "type": "text", "unique": true})
	other.contact(t, "ada@example.org", map[string]any{"member_no": "M1"})
	require.Equal(t, 1, c.env.Count(t, o.WorkspaceID, `SELECT count(*) FROM contact_unique_values`))
	require.Equal(t, 2, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_unique_values`), "grace's M1 and linus's M3: ada's score left with her")

	// A deleted field takes its rows with it.
	resp = c.owner.Do("DELETE", c.base+"/"+member["id"].(string)+"?confirm=member_no", nil)
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
	require.Zero(t, rows("member_no"))
}

// TestAFieldMadeUniqueWaitsForContactWritesInFlight: a field made unique while a contact write
// of a value is in flight (not committed) would miss it both ways: the writer's trigger saw no
// unique field, and the field's backfill could not see the uncommitted row. The field change
// waits for the write (one advisory lock per workspace, migration 00027), then takes its value.
func TestAFieldMadeUniqueWaitsForContactWritesInFlight(t *testing.T) {
	t.Parallel()
	c := setup(t)
	member := c.mustCreate(t, map[string]any{"label": "Member no", "type": "text"})
	ada := c.contact(t, "ada@example.com", map[string]any{})
	ctx := context.Background()

	letGo, done := c.holdWrite(t, `UPDATE contacts SET custom = '{"member_no": "M1"}' WHERE id = $1`, ada)
	made := make(chan int, 1)
	go func() {
		made <- c.owner.Do("PATCH", c.base+"/"+member["id"].(string), map[string]any{"unique": true}).Status
	}()
	// The field change has begun (its UPDATE of custom_fields holds the table's row lock), and
	// it waits, trying the workspace's lock every 20 ms, while the write is open.
	require.Eventually(t, func() bool {
		var updating int
		require.NoError(t, c.env.DB.Owner.QueryRow(ctx,
			`SELECT count(*) FROM pg_locks WHERE relation = 'custom_fields'::regclass AND mode = 'RowExclusiveLock'`).Scan(&updating))
		return updating > 0 || len(made) > 0
	}, 8*time.Second, 5*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	require.Empty(t, made, "the field change waits for the contact write in flight")
	letGo()
	require.NoError(t, <-done)
	require.Equal(t, http.StatusOK, <-made)

	require.Equal(t, 1, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_unique_values WHERE field_key = 'member_no' AND contact_id = $1`, ada),
		"the value written in flight is recorded")
	grace := c.contact(t, "grace@example.com", map[string]any{})
	requireTaken(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M1"}' WHERE id = $1`, grace), "M1 is ada's")
}

// TestAFieldChangeGivesWayToContactWrites: a field change that must wait for a long contact
// write (an import's chunk, an undo) does not queue for the workspace's lock, so other contact
// writes go on meanwhile; after 10 s it gives up with a 409 that says to try again, and nothing
// changed. Deleting a unique field takes no lock: it waits for the contact rows it changes.
func TestAFieldChangeGivesWayToContactWrites(t *testing.T) {
	t.Parallel()
	c := setup(t)
	member := c.mustCreate(t, map[string]any{"label": "Member no", "type": "text"})
	ada := c.contact(t, "ada@example.com", map[string]any{})
	grace := c.contact(t, "grace@example.com", map[string]any{})
	ctx := context.Background()
	letGo, done := c.holdWrite(t, `UPDATE contacts SET custom = '{"member_no": "M1"}' WHERE id = $1`, ada)
	made := make(chan apptest.Response, 1)
	began := time.Now()
	go func() { made <- c.owner.Do("PATCH", c.base+"/"+member["id"].(string), map[string]any{"unique": true}) }()
	require.Eventually(t, func() bool {
		var updating int
		require.NoError(t, c.env.DB.Owner.QueryRow(ctx,
			`SELECT count(*) FROM pg_locks WHERE relation = 'custom_fields'::regclass AND mode = 'RowExclusiveLock'`).Scan(&updating))
		return updating > 0
	}, 8*time.Second, 5*time.Millisecond)
	// Another contact write goes through while the field change waits.
	wrote := time.Now()
	require.NoError(t, c.write(t, `UPDATE contacts SET custom = '{"member_no": "M2"}' WHERE id = $1`, grace))
	require.Less(t, time.Since(wrote), 5*time.Second, "a contact write is not held behind the waiting field change")

	resp := <-made
	require.GreaterOrEqual(t, time.Since(began), 10*time.Second)
	require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
	require.Contains(t, message(t, resp), "contacts of this workspace are being written")
	require.Equal(t, false, c.owner.Do("GET", c.base+"/"+member["id"].(string), nil).Map(t)["unique"], "nothing changed")
	letGo()
	require.NoError(t, <-done)

	// Made unique now, the field is deleted with its values while a contact write holding one of
	// them is open: the delete waits for that contact's row, as any writer of it would, then
	// goes. (It takes no lock of its own: held while waiting for the row, it would deadlock with
	// the writer, which waits for the lock at its statement's end.)
	resp = c.owner.Do("PATCH", c.base+"/"+member["id"].(string), map[string]any{"unique": true})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	require.Equal(t, 2, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_unique_values`))
	letGo, done = c.holdWrite(t, `UPDATE contacts SET custom = '{"member_no": "M5"}' WHERE id = $1`, ada)
	deleted := make(chan apptest.Response, 1)
	go func() { deleted <- c.owner.Do("DELETE", c.base+"/"+member["id"].(string)+"?confirm=member_no", nil) }()
	time.Sleep(300 * time.Millisecond)
	require.Empty(t, deleted, "the delete waits for the contact being written")
	letGo()
	require.NoError(t, <-done)
	select {
	case resp = <-deleted:
	case <-time.After(5 * time.Second):
		t.Fatal("the delete did not go once the write committed")
	}
	require.Equal(t, http.StatusNoContent, resp.Status, "%s", resp.Body)
	require.Zero(t, c.env.Count(t, c.owner.WorkspaceID, `SELECT count(*) FROM contact_unique_values`))
	custom, _ := c.custom(t, ada)
	require.Empty(t, custom)
}
