package tenant_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/app/apptest"
	"github.com/guestlist/guestlist/internal/devdb"
	"github.com/guestlist/guestlist/internal/migrate"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// platformTables are the reviewed tables without workspace_id (see their migration comments).
// Adding a table here is a security review: say why in the migration.
var platformTables = []string{"goose_db_version", "sessions", "users"}

// reviewedViews are the views and materialized views allowed in the database's own schemas:
// none. A view runs with its owner's rights (a definer-only table read through one is open to
// whoever may read the view) and a materialized view keeps rows outside any policy. Adding one
// here is a security review: say why in the migration.
var reviewedViews = []string{}

// policy is a row-level security policy as the catalog shows it.
type policy struct {
	Command string   // ALL, SELECT, ...
	Roles   []string // {public} for every role
	Reads   string   // what its USING must read
}

// reviewedPolicies are the policies besides each tenant table's tenant policy, by
// table.policy. A new policy fails TestCatalog until it is reviewed and listed here: policies
// are permissive, so any one of them opens rows the tenant policy keeps out.
var reviewedPolicies = map[string]policy{
	// The member door (tenant.UserTx): a user's own memberships and their workspaces, read-only.
	"memberships.member_self": {Command: "SELECT", Roles: []string{"public"}, Reads: "current_setting('app.user_id'::text, true)"},
	"workspaces.member_self":  {Command: "SELECT", Roles: []string{"public"}, Reads: "current_setting('app.user_id'::text, true)"},
	// The housekeeping door (00022): the owner role only, only while import_housekeeping() runs.
	"imports.housekeeping": {Command: "SELECT", Roles: []string{devdb.OwnerRole}, Reads: "current_setting('app.housekeeping'::text, true)"},
}

// reviewedDefiners are the SECURITY DEFINER functions: they run as the owner, so each is a door
// past the app role's privileges (see their migrations). A new one fails TestCatalog until it
// is reviewed and listed here.
var reviewedDefiners = []string{
	"public.contact_search_deleted()",                                           // 00006: keeps contact_search in step with contacts
	"public.contact_search_inserted()",                                          // 00006
	"public.contact_search_updated()",                                           // 00006, 00014
	"public.import_housekeeping(interval, integer)",                             // 00022: ids across workspaces for the tidy_imports job
	"public.redact_audit_subject(text)",                                         // 00008: the one change to the append-only audit log
	"public.refresh_contact_statistics(bigint)",                                 // 00028: ANALYZE contacts when stale; reads no rows
	"public.search_contacts(uuid, text, text, uuid, uuid, text, uuid, integer)", // 00006: the only way into contact_search
}

// userSchemas is a condition on a namespace column: the database's own schemas (public and
// River's), not PostgreSQL's.
const userSchemas = `NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace)`

// tenantTables lists the tables of the public schema that hold workspace data: those with a
// workspace_id column, and workspaces itself (keyed by id).
func tenantTables(t *testing.T, pool *pgxpool.Pool) []string {
	rows, err := pool.Query(context.Background(), `
		SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
		  AND (c.relname = 'workspaces' OR EXISTS (
		        SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped))
		ORDER BY 1`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

// TestCatalog fails when the schema breaks a tenancy rule; tables added by later migrations are
// checked without any change here.
func TestCatalog(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	ctx := context.Background()
	tables := tenantTables(t, d.Owner)
	require.Contains(t, tables, "agents")

	t.Run("every table is a tenant table or a reviewed platform table", func(t *testing.T) {
		rows, err := d.Owner.Query(ctx, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') ORDER BY 1`)
		require.NoError(t, err)
		all, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		for _, name := range all {
			if !slices.Contains(tables, name) {
				require.Contains(t, platformTables, name, "table %s has no workspace_id and is not a reviewed platform table", name)
			}
		}
	})

	for _, table := range tables {
		key := "workspace_id"
		if table == "workspaces" {
			key = "id"
		}
		t.Run(table, func(t *testing.T) {
			var enabled, forced bool
			require.NoError(t, d.Owner.QueryRow(ctx, `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1::regclass`, table).Scan(&enabled, &forced))
			require.True(t, enabled, "%s: row-level security is not enabled", table)
			if slices.Contains(migrate.DefinerOnlyTables, table) {
				// Not forced, so the reviewed definer functions (run as the owner) can use its
				// indexes; then the app role must have no way in of its own.
				var any bool
				require.NoError(t, d.App.QueryRow(ctx, `SELECT has_table_privilege(current_user, $1, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')`, table).Scan(&any))
				require.False(t, any, "%s: the app role must have no privilege on a definer-only table", table)
			} else {
				require.True(t, forced, "%s: row-level security is not forced", table)
			}

			type tenantPolicy struct {
				Permissive, Command string
				Roles               []string
				Qual                string
				WithCheck           *string
			}
			rows, err := d.Owner.Query(ctx, `SELECT permissive, cmd, roles::text[], qual, with_check FROM pg_policies
				WHERE schemaname = 'public' AND tablename = $1 AND policyname = 'tenant'`, table)
			require.NoError(t, err)
			policies, err := pgx.CollectRows(rows, pgx.RowToStructByPos[tenantPolicy])
			require.NoError(t, err)
			require.Len(t, policies, 1, "%s: needs one policy named tenant", table)
			p := policies[0]
			require.Contains(t, p.Qual, "current_setting('app.workspace_id'::text, true)", "%s: the tenant policy must read the transaction's workspace", table)
			require.Contains(t, p.Qual, "NULLIF", "%s: the policy must map '' to NULL (a reused connection reads '')", table)
			require.Equal(t, "PERMISSIVE", p.Permissive, "%s: the tenant policy", table)
			require.Equal(t, "ALL", p.Command, "%s: the tenant policy must cover every command", table)
			require.Equal(t, []string{"public"}, p.Roles, "%s: the tenant policy must bind every role", table)
			// Without WITH CHECK, USING checks new rows too; another check could let a row of
			// another workspace in.
			require.True(t, p.WithCheck == nil || *p.WithCheck == p.Qual, "%s: the tenant policy's WITH CHECK must be its USING (or none)", table)

			// Primary keys and unique constraints/indexes include the workspace.
			rows, err = d.Owner.Query(ctx, `
				SELECT i.indexrelid::regclass::text,
				       ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k)
				FROM pg_index i WHERE i.indrelid = $1::regclass AND (i.indisunique OR i.indisprimary)`, table)
			require.NoError(t, err)
			type index struct {
				Name    string
				Columns []string
			}
			uniques, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
			require.NoError(t, err)
			require.NotEmpty(t, uniques, "%s: no primary key", table)
			for _, u := range uniques {
				require.Contains(t, u.Columns, key, "%s: unique index %s does not include %s", table, u.Name, key)
			}

			// Some index leads with the workspace, so the policy's filter is an index scan.
			var leading bool
			require.NoError(t, d.Owner.QueryRow(ctx, `
				SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
				               WHERE i.indrelid = $1::regclass AND a.attname = $2)`, table, key).Scan(&leading))
			require.True(t, leading, "%s: no index leads with %s", table, key)

			// Foreign keys to other tenant tables carry the workspace on both sides.
			rows, err = d.Owner.Query(ctx, `
				SELECT c.conname, c.confrelid::regclass::text,
				       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) k JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k),
				       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) k JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k)
				FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'f'`, table)
			require.NoError(t, err)
			type fk struct {
				Name, Target    string
				From, ToColumns []string
			}
			fks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[fk])
			require.NoError(t, err)
			for _, f := range fks {
				switch {
				case slices.Contains(platformTables, f.Target):
					// A reference to a global identity (users) crosses no tenant.
				case f.Target == "workspaces":
					require.Equal(t, []string{"workspace_id"}, f.From, "%s: %s must reference workspaces by workspace_id", table, f.Name)
				default:
					require.Contains(t, f.From, "workspace_id", "%s: foreign key %s to %s lacks workspace_id", table, f.Name, f.Target)
					require.Contains(t, f.ToColumns, "workspace_id", "%s: foreign key %s to %s lacks workspace_id", table, f.Name, f.Target)
				}
			}
		})
	}

	t.Run("only the tenant policies and the reviewed ones", func(t *testing.T) {
		type found struct {
			Schema, Table, Name, Permissive, Command string
			Roles                                    []string
			Qual, WithCheck                          *string
		}
		rows, err := d.Owner.Query(ctx, `SELECT schemaname::text, tablename::text, policyname::text, permissive, cmd, roles::text[], qual, with_check
			FROM pg_policies ORDER BY 1, 2, 3`)
		require.NoError(t, err)
		all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[found])
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, p := range all {
			key := p.Table + "." + p.Name
			if p.Schema == "public" && p.Name == "tenant" && slices.Contains(tables, p.Table) {
				continue // checked with its table above
			}
			want, ok := reviewedPolicies[key]
			require.True(t, ok && p.Schema == "public", "policy %s.%s is not reviewed: every policy is permissive and opens rows; review it and list it in reviewedPolicies", p.Schema, key)
			seen[key] = true
			require.Equal(t, "PERMISSIVE", p.Permissive, "%s", key)
			require.Equal(t, want.Command, p.Command, "%s: not the reviewed command", key)
			require.Equal(t, want.Roles, p.Roles, "%s: not the reviewed roles", key)
			require.NotNil(t, p.Qual, "%s", key)
			require.Contains(t, *p.Qual, want.Reads, "%s: not the reviewed condition", key)
			require.Nil(t, p.WithCheck, "%s: the reviewed policies only read", key)
		}
		for key := range reviewedPolicies {
			require.True(t, seen[key], "reviewed policy %s no longer exists: take it off reviewedPolicies", key)
		}
	})

	t.Run("no views but the reviewed ones", func(t *testing.T) {
		rows, err := d.Owner.Query(ctx, `SELECT relnamespace::regnamespace::text || '.' || relname FROM pg_class
			WHERE relkind IN ('v', 'm') AND relnamespace `+userSchemas+` ORDER BY 1`)
		require.NoError(t, err)
		views, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		for _, v := range views {
			require.Contains(t, reviewedViews, v, "view %s is not reviewed: a view reads with its owner's rights and a materialized view holds rows outside every policy", v)
		}
		for _, v := range reviewedViews {
			require.Contains(t, views, v, "reviewed view %s no longer exists: take it off reviewedViews", v)
		}
	})

	t.Run("SECURITY DEFINER functions are the reviewed ones", func(t *testing.T) {
		type definer struct {
			Signature  string
			SearchPath bool
		}
		rows, err := d.Owner.Query(ctx, `
			SELECT pronamespace::regnamespace::text || '.' || proname || '(' || oidvectortypes(proargtypes) || ')',
			       EXISTS (SELECT 1 FROM unnest(proconfig) c WHERE c LIKE 'search\_path=%')
			FROM pg_proc WHERE prosecdef AND pronamespace `+userSchemas+` ORDER BY 1`)
		require.NoError(t, err)
		definers, err := pgx.CollectRows(rows, pgx.RowToStructByPos[definer])
		require.NoError(t, err)
		var signatures []string
		for _, f := range definers {
			signatures = append(signatures, f.Signature)
			require.Contains(t, reviewedDefiners, f.Signature, "SECURITY DEFINER function %s is not reviewed: it runs as the owner; review it and list it in reviewedDefiners", f.Signature)
			require.True(t, f.SearchPath, "%s: a SECURITY DEFINER function must pin its search_path (SET search_path = public, pg_temp)", f.Signature)
		}
		for _, f := range reviewedDefiners {
			require.Contains(t, signatures, f, "reviewed definer %s no longer exists (or changed its arguments): update reviewedDefiners", f)
		}
	})

	t.Run("the app role cannot bypass row-level security", func(t *testing.T) {
		var super, bypass bool
		var owned int
		var memberOf []string
		require.NoError(t, d.App.QueryRow(ctx, `
			SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_class WHERE relowner = r.oid AND relnamespace = 'public'::regnamespace),
			       ARRAY(SELECT m.rolname::text FROM pg_roles m WHERE m.oid <> r.oid AND pg_has_role(r.oid, m.oid, 'MEMBER'))
			FROM pg_roles r WHERE rolname = current_user`).Scan(&super, &bypass, &owned, &memberOf))
		require.False(t, super)
		require.False(t, bypass)
		require.Zero(t, owned)
		require.Empty(t, memberOf, "the app role must be a member of no role (it would hold that role's rights)")
	})
}

func TestNewRefusesRolesThatBypassRLS(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	ctx := context.Background()
	// The owner role owns the tables: policies would not bind it without FORCE, so the door
	// refuses it.
	_, err := tenant.New(ctx, d.Owner)
	require.ErrorIs(t, err, tenant.ErrCanBypassRLS)
	require.ErrorContains(t, err, "owns")

	super, err := pgxpool.New(ctx, strings.Replace(d.OwnerURL, devdb.OwnerRole+"@", "postgres@", 1))
	require.NoError(t, err)
	defer super.Close()
	_, err = tenant.New(ctx, super)
	require.ErrorIs(t, err, tenant.ErrCanBypassRLS)
	require.ErrorContains(t, err, "superuser")

	_, err = tenant.New(ctx, d.App)
	require.NoError(t, err)
}

// TestNewRefusesMembersOfRolesThatBypassRLS: a role granted the owner role (directly, through
// another role, or without INHERIT, since SET ROLE still gets there), or a role with BYPASSRLS,
// holds that role's rights: the door refuses it as it refuses the role itself. The roles here
// are scratch roles of the test's own, dropped at its end; the app and owner roles that the
// other tests use are never changed (a role belongs to the whole cluster).
func TestNewRefusesMembersOfRolesThatBypassRLS(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	ctx := context.Background()
	super, err := pgxpool.New(ctx, strings.Replace(d.OwnerURL, devdb.OwnerRole+"@", "postgres@", 1))
	require.NoError(t, err)
	t.Cleanup(super.Close)
	scratchRole := func(t *testing.T, attributes string) string {
		t.Helper()
		name := "guestlist_scratch_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
		_, err := super.Exec(ctx, "CREATE ROLE "+name+" "+attributes)
		require.NoError(t, err)
		t.Cleanup(func() {
			_, err := super.Exec(context.Background(), "DROP ROLE IF EXISTS "+name)
			require.NoError(t, err)
		})
		return name
	}
	grant := func(t *testing.T, role, to string) {
		t.Helper()
		_, err := super.Exec(ctx, "GRANT "+role+" TO "+to)
		require.NoError(t, err)
	}
	// connect opens a pool that logs in as role; its cleanup runs before the role's drop.
	connect := func(t *testing.T, role string) *pgxpool.Pool {
		t.Helper()
		pool, err := pgxpool.New(ctx, strings.Replace(d.AppURL, devdb.AppRole+"@", role+"@", 1))
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		return pool
	}

	t.Run("a role of no membership is accepted", func(t *testing.T) {
		role := scratchRole(t, "LOGIN")
		_, err := tenant.New(ctx, connect(t, role))
		require.NoError(t, err)
	})
	for name, setup := range map[string]func(t *testing.T, role string) (via string){
		"a member of the owner role": func(t *testing.T, role string) string {
			grant(t, devdb.OwnerRole, role)
			return devdb.OwnerRole
		},
		"a member of the owner role through another role": func(t *testing.T, role string) string {
			between := scratchRole(t, "NOLOGIN")
			grant(t, devdb.OwnerRole, between)
			grant(t, between, role)
			return devdb.OwnerRole
		},
		"a member of a role with BYPASSRLS": func(t *testing.T, role string) string {
			bypass := scratchRole(t, "NOLOGIN BYPASSRLS")
			grant(t, bypass, role)
			return bypass
		},
	} {
		t.Run(name, func(t *testing.T) {
			for _, inherit := range []string{"INHERIT", "NOINHERIT"} {
				role := scratchRole(t, "LOGIN "+inherit)
				via := setup(t, role)
				_, err := tenant.New(ctx, connect(t, role))
				require.ErrorIs(t, err, tenant.ErrCanBypassRLS, inherit)
				require.ErrorContains(t, err, "member", inherit)
				require.ErrorContains(t, err, `"`+via+`"`, inherit)
			}
		})
	}
}

// TestIsolation checks every tenant table: in workspace A's transaction, none of B's rows can be
// read, updated or deleted, and a row carrying B's workspace_id cannot be inserted. Without a
// tenant context no row is visible at all. Each table must have a row in the fixture below:
// a later migration that adds a table adds its fixture too.
func TestIsolation(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t)
	ctx := context.Background()
	a, b := env.SignUp(t), env.SignUp(t)
	// The fixture: every tenant table gets rows in both workspaces, through the real API.
	for _, owner := range []*apptest.Member{a, b} {
		user := env.AddMember(t, owner, "user") // memberships, invitations
		agent := owner.Do("GET", "/api/v1/agents", nil).Map(t)["items"].([]any)[0].(map[string]any)["id"]
		resp := owner.Do("PUT", "/api/v1/members/"+user.UserID.String()+"/agents", map[string]any{"agent_ids": []any{agent}})
		require.Equal(t, 200, resp.Status, "%s", resp.Body)          // agent_grants
		contacts := fmt.Sprintf("/api/v1/agents/%s/contacts", agent) // stages come with the agent
		resp = owner.Do("POST", contacts, map[string]string{"email": "isolated@example.com"})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // contacts
		contact := contacts + "/" + resp.Map(t)["id"].(string)
		resp = owner.Do("POST", contact+"/notes", map[string]string{"body_html": "<p>n</p>"})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // contact_notes
		resp = owner.Do("POST", fmt.Sprintf("/api/v1/agents/%s/views", agent), map[string]any{"name": "Everyone", "shared": true})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // saved_views
		upload := *owner.Client
		upload.Header = http.Header{"Content-Type": {"multipart/form-data; boundary=b"}}
		resp = upload.Do("POST", contact+"/files", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\r\nisolated\r\n--b--\r\n")
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // contact_files
		resp = owner.Do("POST", fmt.Sprintf("/api/v1/agents/%s/fields", agent), map[string]any{"label": "Isolated", "type": "text", "unique": true})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // custom_fields
		resp = owner.Do("PATCH", contact, map[string]any{"custom": map[string]string{"isolated": "the same value in both"}})
		require.Equal(t, 200, resp.Status, "%s", resp.Body) // contact_unique_values
		resp = upload.Do("POST", fmt.Sprintf("/api/v1/agents/%s/imports?start=true", agent),
			"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"i.csv\"\r\n\r\nemail\r\nimported@example.com\r\nbad\r\n--b--\r\n")
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // imports, import_templates
		imported := fmt.Sprintf("/api/v1/agents/%s/imports/%s", agent, resp.Map(t)["id"])
		require.Eventually(t, func() bool { return owner.Do("GET", imported, nil).Map(t)["status"] == "finished" },
			30*time.Second, 20*time.Millisecond) // import_changes, import_issues
		resp = owner.Do("POST", fmt.Sprintf("/api/v1/agents/%s/keys", agent), map[string]string{"name": "Isolated"})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // agent_keys
		runtime := env.Client(t)
		runtime.Header.Set("Authorization", "Bearer "+resp.Map(t)["secret"].(string))
		resp = runtime.Do("POST", "/api/v1/chat/conversations", map[string]string{"visitor_id": "isolated-visitor"})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // conversations
		conversation := resp.Map(t)["id"].(string)
		resp = runtime.Do("POST", "/api/v1/chat/conversations/"+conversation+"/messages",
			map[string]string{"client_message_id": "m1", "role": "visitor", "content": "I am isolated-chat@example.com"})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // conversation_messages
		resp = runtime.Do("POST", "/api/v1/chat/save", map[string]string{"conversation_id": conversation, "email": "isolated-chat@example.com"})
		require.Equal(t, 201, resp.Status, "%s", resp.Body) // contact_field_sources
		resp = owner.Do("PUT", fmt.Sprintf("/api/v1/agents/%s/automations/chat", agent), map[string]any{
			"primary":   map[string]any{"strategy": "round_robin", "pool": []any{owner.UserID, user.UserID}},
			"secondary": map[string]any{"strategy": "none"},
		})
		require.Equal(t, 200, resp.Status, "%s", resp.Body) // automation_rules, automation_pool
	}
	tenants, err := tenant.New(ctx, env.DB.App)
	require.NoError(t, err)

	for _, table := range tenantTables(t, env.DB.Owner) {
		if slices.Contains(migrate.DefinerOnlyTables, table) {
			t.Run(table, func(t *testing.T) {
				err := tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
					_, err := tx.Exec(ctx, "SELECT 1 FROM "+pgx.Identifier{table}.Sanitize())
					return err
				})
				require.ErrorContains(t, err, "permission denied")
			})
			continue
		}
		key := "workspace_id"
		if table == "workspaces" {
			key = "id"
		}
		t.Run(table, func(t *testing.T) {
			var ownRows, othersRows int
			err := tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
				q := func(sql string) string { return fmt.Sprintf(sql, pgx.Identifier{table}.Sanitize(), key) }
				require.NoError(t, tx.QueryRow(ctx, q("SELECT count(*) FROM %s WHERE %s = $1"), a.WorkspaceID).Scan(&ownRows))
				require.NoError(t, tx.QueryRow(ctx, q("SELECT count(*) FROM %s WHERE %s = $1"), b.WorkspaceID).Scan(&othersRows))
				var all int
				require.NoError(t, tx.QueryRow(ctx, q("SELECT count(*) FROM %s WHERE %s <> $1"), a.WorkspaceID).Scan(&all))
				require.Zero(t, all, "rows of other workspaces are visible")
				return nil
			})
			require.NoError(t, err)
			require.Positive(t, ownRows, "the fixture has no %s row for workspace A: add one so isolation is tested", table)
			require.Zero(t, othersRows)

			// Update and delete B's rows, then roll back. A table that is append-only for the app
			// role refuses outright, which is an answer too.
			for _, write := range []string{"UPDATE %[1]s SET %[2]s = %[2]s WHERE %[2]s = $1", "DELETE FROM %[1]s WHERE %[2]s = $1"} {
				err = tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
					tag, err := tx.Exec(ctx, fmt.Sprintf(write, pgx.Identifier{table}.Sanitize(), key), b.WorkspaceID)
					if err == nil {
						require.Zero(t, tag.RowsAffected(), "%s changed another workspace's rows", write)
					} else {
						require.ErrorContains(t, err, "permission denied")
					}
					return errRollback
				})
				require.ErrorIs(t, err, errRollback)
			}

			// Copy one of A's rows, relabelled with B's workspace (and a fresh id): RLS refuses it.
			err = tenants.Tx(ctx, a.WorkspaceID, func(tx tenant.Tx) error {
				patch, args := fmt.Sprintf(`jsonb_build_object('%s', $1::uuid)`, key), []any{b.WorkspaceID}
				if key != "id" && hasColumn(t, tx, table, "id") {
					patch += ` || jsonb_build_object('id', $2::uuid)`
					args = append(args, uuid.Must(uuid.NewV7()))
				}
				// Generated columns (contacts.name_sort) take no value: the copy names the others.
				_, err := tx.Exec(ctx, fmt.Sprintf(
					`INSERT INTO %[1]s (%[3]s) SELECT %[3]s FROM (SELECT (jsonb_populate_record(NULL::%[1]s, to_jsonb(r) || %[2]s)).* FROM %[1]s r LIMIT 1) p`,
					pgx.Identifier{table}.Sanitize(), patch, writableColumns(t, tx, table)), args...)
				require.Error(t, err)
				require.ErrorContains(t, err, "row-level security")
				return errRollback
			})
			require.ErrorIs(t, err, errRollback)

			// No tenant context: nothing at all.
			var none int
			require.NoError(t, env.DB.App.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s", pgx.Identifier{table}.Sanitize())).Scan(&none))
			require.Zero(t, none)
		})
	}

	t.Run("the member door shows only the user's own memberships", func(t *testing.T) {
		err := tenants.UserTx(ctx, a.UserID, func(q *db.Queries) error {
			own, err := q.ListUserMemberships(ctx, a.UserID)
			require.NoError(t, err)
			require.Len(t, own, 1)
			require.Equal(t, a.WorkspaceID, own[0].ID)
			others, err := q.ListUserMemberships(ctx, b.UserID)
			require.NoError(t, err)
			require.Empty(t, others, "the door opened another user's memberships")
			agents, err := q.ListAgents(ctx, db.ListAgentsParams{WorkspaceID: a.WorkspaceID, MaxRows: 10})
			require.NoError(t, err)
			require.Empty(t, agents, "the door opened workspace data beyond memberships")
			return nil
		})
		require.NoError(t, err)
	})

	t.Run("the member door is read-only", func(t *testing.T) {
		err := tenants.UserTx(ctx, a.UserID, func(q *db.Queries) error {
			_, err := q.CreateMembership(ctx, db.CreateMembershipParams{WorkspaceID: b.WorkspaceID, UserID: a.UserID, Role: "owner"})
			return err
		})
		require.ErrorContains(t, err, "row-level security")
	})
}

var errRollback = fmt.Errorf("rollback")

// writableColumns lists the table's columns that take values (not generated), for an INSERT.
func writableColumns(t *testing.T, tx tenant.Tx, table string) string {
	var cols string
	require.NoError(t, tx.QueryRow(context.Background(), `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`, table).Scan(&cols))
	return cols
}

func hasColumn(t *testing.T, tx tenant.Tx, table, column string) bool {
	var ok bool
	require.NoError(t, tx.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped)`, table, column).Scan(&ok))
	return ok
}
