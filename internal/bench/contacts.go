package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/db"
	"github.com/guestlist/guestlist/internal/contacts"
)

// Database is the bench database, reached as the superuser (loading, bare baselines) and as
// the app role (the server under test).
type Database struct {
	SuperURL, AppURL, OwnerURL string
}

// The names the generated contacts are made of: a few first names and mail domains are very
// frequent, so searches hit both rare and very common fragments.
var (
	firstNames = []string{"james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william", "elizabeth",
		"david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen", "ada", "grace",
		"alan", "edsger", "barbara", "donald", "leslie", "frances", "ken", "dennis"}
	lastNames = []string{"smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
		"hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin", "lee",
		"perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson", "walker", "young",
		"allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores", "lovelace", "hopper", "turing", "dijkstra",
		"liskov", "knuth", "lamport", "allen", "thompson", "ritchie"}
	// gmail.com and yahoo.com are most of the addresses.
	domains = []string{"gmail.com", "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.com", "outlook.com",
		"hotmail.com", "icloud.com", "proton.me", "acme.io", "initech.com", "globex.net", "umbrella.org", "hooli.xyz",
		"piedpiper.com", "stark.dev", "wayne.co", "tyrell.ai", "cyberdyne.io"}
)

func sqlArray(xs []string) string {
	return "ARRAY['" + strings.Join(xs, "','") + "']"
}

// contactRows is the SELECT that generates n contacts of one agent, i from offset+1: ids
// ordered as the application's time-ordered ids would be, unique emails and phones.
func contactRows(ws, agent, stage string, offset, n int) string {
	return fmt.Sprintf(`
		SELECT '%[1]s'::uuid, '%[2]s'::uuid,
		       (lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || substr(md5(i::text), 1, 12))::uuid,
		       initcap(f) || ' ' || initcap(l), e, e, '+1' || (2010000000 + i)::text, '%[3]s'::uuid, 'import',
		       f || ' ' || l || ' ' || e || ' 1' || (2010000000 + i)::text
		FROM generate_series(%[4]d::bigint, %[5]d::bigint) AS i,
		LATERAL (SELECT (%[6]s)[1 + (i * 7919) %% %[7]d] AS f, (%[8]s)[1 + (i * 104729) %% %[9]d] AS l,
		                (%[10]s)[1 + (i * 31) %% %[11]d] AS d) AS names,
		LATERAL (SELECT f || '.' || l || i || '@' || d AS e) AS mail`,
		ws, agent, stage, offset+1, offset+n, sqlArray(firstNames), len(firstNames), sqlArray(lastNames), len(lastNames),
		sqlArray(domains), len(domains))
}

// trigramIndex is contact_search_text as db/migrations/00006_contact_search.sql creates it.
const trigramIndex = `CREATE INDEX contact_search_text ON contact_search USING gin (search_text gin_trgm_ops)`

const insertContacts = `INSERT INTO contacts (workspace_id, agent_id, id, name, email, email_normalized, phone, stage_id, source, search_text) `

func runContacts(ctx context.Context, cfg Config, d Database, w io.Writer) (Figures, error) {
	big := int(1_000_000 * cfg.Scale)
	workspaces := max(int(1000*cfg.Scale), 10)
	others := int(200 * cfg.Scale) // contacts in each other workspace

	// The baseline plans as the server's list does (tenant.Tx.PlanForArguments).
	superCfg, err := pgx.ParseConfig(d.SuperURL)
	if err != nil {
		return nil, err
	}
	superCfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	super, err := pgx.ConnectConfig(ctx, superCfg)
	if err != nil {
		return nil, err
	}
	defer super.Close(ctx)

	// The server under test, on loopback; the measured workspace signs up through the API.
	srv, err := startServer(ctx, d, nil)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	base := srv.base
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	ws, agent, stage, err := signUp(ctx, super, client, base, "Bench workspace")
	if err != nil {
		return nil, err
	}

	// The other workspaces, each with an owner, an agent, its stages and a few contacts.
	start := time.Now()
	fmt.Fprintf(w, "loading %d workspaces and %d contacts...\n", workspaces, big+(workspaces-1)*others)
	if _, err := super.Exec(ctx, fmt.Sprintf(`
		CREATE TEMP TABLE bench_ws AS
		SELECT gen_random_uuid() AS ws, gen_random_uuid() AS agent, gen_random_uuid() AS stage, gen_random_uuid() AS owner, i
		FROM generate_series(1, %d) AS i;
		INSERT INTO users (id, email, email_normalized, name, password_hash)
		  SELECT owner, 'owner' || i || '@' || ws || '.example', 'owner' || i || '@' || ws || '.example', 'Owner ' || i, 'none' FROM bench_ws;
		INSERT INTO workspaces (id, name) SELECT ws, 'Workspace ' || i FROM bench_ws;
		INSERT INTO memberships (workspace_id, user_id, role) SELECT ws, owner, 'owner' FROM bench_ws;
		INSERT INTO agents (workspace_id, id, name) SELECT ws, agent, 'Agent ' || i FROM bench_ws;
		INSERT INTO stages (workspace_id, agent_id, id, name, position) SELECT ws, agent, stage, 'Lead', 1 FROM bench_ws;`,
		workspaces-1)); err != nil {
		return nil, fmt.Errorf("loading workspaces: %w", err)
	}
	rows, err := super.Query(ctx, `SELECT ws, agent, stage FROM bench_ws`)
	if err != nil {
		return nil, err
	}
	type target struct{ ws, agent, stage string }
	targets, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (target, error) {
		var t target
		return t, r.Scan(&t.ws, &t.agent, &t.stage)
	})
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		if _, err := super.Exec(ctx, insertContacts+contactRows(t.ws, t.agent, t.stage, 0, others)); err != nil {
			return nil, fmt.Errorf("loading other contacts: %w", err)
		}
	}
	// The measured agent, in chunks so no statement holds a million-row transition table. The
	// trigram index is built once afterwards: kept row by row it costs ~150 µs a contact, and
	// this benchmark measures reading, not loading.
	if _, err := super.Exec(ctx, `DROP INDEX contact_search_text`); err != nil {
		return nil, err
	}
	const chunk = 100_000
	for off := 0; off < big; off += chunk {
		if _, err := super.Exec(ctx, insertContacts+contactRows(ws, agent, stage, off, min(chunk, big-off))); err != nil {
			return nil, fmt.Errorf("loading contacts: %w", err)
		}
		// Fresh statistics for the next chunk's foreign-key checks and triggers.
		if _, err := super.Exec(ctx, `ANALYZE contacts`); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(w, "rows in %s; indexing\n", time.Since(start).Round(time.Second))
	if _, err := super.Exec(ctx, `SET maintenance_work_mem = '1GB'`); err != nil {
		return nil, err
	}
	if _, err := super.Exec(ctx, trigramIndex); err != nil {
		return nil, err
	}
	if _, err := super.Exec(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "loaded in %s\n", time.Since(start).Round(time.Second))

	// What people search for: random 3-8 character pieces of existing names, emails and phones,
	// plus fragments everyone shares.
	rows, err = super.Query(ctx, `SELECT name, email, phone FROM contacts WHERE workspace_id = $1 AND agent_id = $2 ORDER BY random() LIMIT $3`,
		ws, agent, cfg.Samples)
	if err != nil {
		return nil, err
	}
	samples, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([3]string, error) {
		var s [3]string
		return s, r.Scan(&s[0], &s[1], &s[2])
	})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	common := []string{"gmail", "john", "smith", "yahoo", "mary", ".com", "lee", "201"}
	fragments := make([]string, 0, cfg.Samples)
	for i, s := range samples {
		if i%5 == 0 {
			fragments = append(fragments, common[rng.IntN(len(common))])
			continue
		}
		src := strings.ToLower(s[rng.IntN(3)])
		n := 3 + rng.IntN(6)
		if len(src) < n {
			n = len(src)
		}
		at := rng.IntN(len(src) - n + 1)
		fragments = append(fragments, src[at:at+n])
	}

	get := func(path string) error {
		resp, err := client.Get(base + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return nil
	}
	contactsPath := "/api/v1/agents/" + agent + "/contacts"
	wsID, agentID := uuid.MustParse(ws), uuid.MustParse(agent)
	// Warm both paths once so neither side pays for a cold cache.
	for _, f := range fragments {
		if err := get(contactsPath + "?q=" + url.QueryEscape(f)); err != nil {
			return nil, err
		}
	}

	q := db.New(super)
	// Each request and its bare twin run back to back, so a load that comes and goes on the
	// machine weighs on both sides alike (measured one side after the other, the ratio moved
	// with whatever else ran meanwhile).
	searchHTTP, searchBare, err := measurePair(len(fragments),
		func(i int) error { return get(contactsPath + "?q=" + url.QueryEscape(fragments[i])) },
		func(i int) error { return bareSearch(ctx, super, wsID, agentID, fragments[i]) })
	if err != nil {
		return nil, err
	}
	listHTTP, listBare, err := measurePair(cfg.Samples,
		func(int) error { return get(contactsPath) },
		func(int) error {
			_, err := q.ListContacts(ctx, db.ListContactsParams{WorkspaceID: wsID, AgentID: agentID, Status: "active", MaxRows: 51})
			return err
		})
	if err != nil {
		return nil, err
	}
	// The other orders, index-driven under RLS like the default one (db/migrations/00013): the
	// first page by name and by stage, and pages deeper and deeper into the name order (each
	// sample the page after the previous one's cursor).
	listName, err := measure(cfg.Samples, func(int) error { _, err := getPage(client, base+contactsPath+"?sort=name"); return err })
	if err != nil {
		return nil, err
	}
	listStage, err := measure(cfg.Samples, func(int) error { _, err := getPage(client, base+contactsPath+"?sort=stage"); return err })
	if err != nil {
		return nil, err
	}
	next := ""
	listNamePages, err := measure(cfg.Samples, func(int) error {
		var err error
		next, err = getPage(client, base+contactsPath+"?sort=name&cursor="+next)
		return err
	})
	if err != nil {
		return nil, err
	}
	slowest := make([]int, len(fragments))
	for i := range slowest {
		slowest[i] = i
	}
	slices.SortFunc(slowest, func(a, b int) int { return cmp.Compare(searchHTTP[b], searchHTTP[a]) })
	fmt.Fprint(w, "slowest searches:")
	for _, i := range slowest[:min(5, len(slowest))] {
		fmt.Fprintf(w, " %q %.1f ms;", fragments[i], float64(searchHTTP[i].Microseconds())/1000)
	}
	fmt.Fprintln(w)
	report(w, "contacts search, HTTP", searchHTTP)
	report(w, "contacts search, bare SQL", searchBare)
	report(w, "contacts list, HTTP", listHTTP)
	report(w, "contacts list, bare SQL", listBare)
	report(w, "contacts list by name", listName)
	report(w, "contacts list by name, pages", listNamePages)
	report(w, "contacts list by stage", listStage)
	return Figures{
		"contacts.search_p50_ms":          searchHTTP.percentile(50),
		"contacts.search_p95_ms":          searchHTTP.percentile(95),
		"contacts.search_p99_ms":          searchHTTP.percentile(99),
		"contacts.search_bare_p95_ms":     searchBare.percentile(95),
		"contacts.list_p50_ms":            listHTTP.percentile(50),
		"contacts.list_p95_ms":            listHTTP.percentile(95),
		"contacts.list_p99_ms":            listHTTP.percentile(99),
		"contacts.list_bare_p95_ms":       listBare.percentile(95),
		"contacts.list_name_p95_ms":       listName.percentile(95),
		"contacts.list_name_pages_p95_ms": listNamePages.percentile(95),
		"contacts.list_stage_p95_ms":      listStage.percentile(95),
		"contacts.bench_contacts":         float64(big),
		"contacts.bench_workspaces":       float64(workspaces),
	}, nil
}

// bareSearch runs the search's SQL as the server does (the definer function, then the rows),
// on a superuser connection: no HTTP, no row-level security.
func bareSearch(ctx context.Context, conn *pgx.Conn, ws, agent uuid.UUID, fragment string) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('app.workspace_id', $1, true)", ws.String()); err != nil {
			return err
		}
		q := db.New(tx)
		ids, err := q.SearchContactIDs(ctx, db.SearchContactIDsParams{AgentID: agent, Pattern: contacts.SearchPattern(fragment),
			Status: "active", MaxRows: 51})
		if err != nil || len(ids) == 0 {
			return err
		}
		_, err = q.ContactsByIDs(ctx, db.ContactsByIDsParams{WorkspaceID: ws, AgentID: agent, Ids: ids})
		return err
	})
}

// getPage reads one list page and returns its next cursor ("" at the end).
func getPage(client *http.Client, u string) (string, error) {
	resp, err := client.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	return page.NextCursor, json.NewDecoder(resp.Body).Decode(&page)
}

// measurePair times a(i) and b(i) alternately, n of each.
func measurePair(n int, a, b func(i int) error) (latencies, latencies, error) {
	outA, outB := make(latencies, 0, n), make(latencies, 0, n)
	for i := range n {
		for _, side := range []struct {
			fn  func(int) error
			out *latencies
		}{{a, &outA}, {b, &outB}} {
			start := time.Now()
			if err := side.fn(i); err != nil {
				return nil, nil, err
			}
			*side.out = append(*side.out, time.Since(start))
		}
	}
	return outA, outB, nil
}
