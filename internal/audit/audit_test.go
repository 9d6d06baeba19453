package audit_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/audit"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// A set-based change writes an entry per contact: more than one statement's worth (5,000)
// goes in several statements, every entry kept, in order, all or nothing with the transaction.
func TestRecordManyWritesEveryEntry(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	o := env.SignUp(t)
	const n = 12_345
	entries := make([]audit.Entry, n)
	for i := range entries {
		entries[i] = audit.Entry{Action: "update", Resource: "bulk_test", ResourceID: strconv.Itoa(i)}
	}
	env.InWorkspace(t, o.WorkspaceID, func(tx tenant.Tx) error { return audit.RecordMany(context.Background(), tx, entries) })
	require.Equal(t, n, env.Count(t, o.WorkspaceID, `SELECT count(DISTINCT resource_id) FROM audit_log WHERE resource = 'bulk_test'`))
	require.Equal(t, 1, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'bulk_test' AND resource_id = '12344'`))

	err := env.App.Tenants.Tx(context.Background(), o.WorkspaceID, func(tx tenant.Tx) error {
		if err := audit.RecordMany(context.Background(), tx, entries); err != nil {
			return err
		}
		return context.Canceled // the transaction rolls back
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, n, env.Count(t, o.WorkspaceID, `SELECT count(*) FROM audit_log WHERE resource = 'bulk_test'`), "a rolled-back change leaves no entry")
}
