package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/internal/app"
)

// runImport measures a CSV import at the scale: a 1,000,000-row file (10 columns, 3
// of them custom fields) into an agent that already holds 1,000,000 contacts, create and
// update with dedupe: half the rows are existing contacts (matched by email, their name and
// custom values change), half are new. The API runs in this process; the job runs in a
// `guestlist worker` process of its own, whose peak memory is read from /proc. Rows per
// second are taken from the upload's acceptance to the import's end.
//
// Beside it, in the same run, the database's own best case for the same rows: a raw COPY, as
// the superuser without row-level security, into a scratch copy of contacts with the same
// indexes and the same 1,000,000 existing rows (then dropped).
func runImport(ctx context.Context, cfg Config, d Database, w io.Writer) (Figures, error) {
	existing := int(1_000_000 * cfg.Scale)
	rows := int(1_000_000 * cfg.Scale)
	super, err := pgx.Connect(ctx, d.SuperURL)
	if err != nil {
		return nil, err
	}
	defer super.Close(ctx)

	// The API under test, on loopback; no workers in this process.
	blobs := tempDir("guestlist-bench-blobs")
	srv, err := startServer(ctx, d, func(c *app.Config) { c.BlobURL = blobs })
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	base := srv.base
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Minute}
	call := func(method, path string, body any, want int) (map[string]any, error) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		out := map[string]any{}
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &out)
		if resp.StatusCode != want {
			return nil, fmt.Errorf("%s %s: %s %s", method, path, resp.Status, b)
		}
		return out, nil
	}

	ws, agent, stage, err := signUp(ctx, super, client, base, "Import bench")
	if err != nil {
		return nil, err
	}
	fieldsPath := "/api/v1/agents/" + agent + "/fields"
	for _, f := range []map[string]any{
		{"label": "Plan", "type": "single_select", "options": []map[string]string{{"label": "Free"}, {"label": "Team"}, {"label": "Enterprise"}}},
		{"label": "Seats", "type": "number"},
		{"label": "Company", "type": "text"},
	} {
		if _, err := call("POST", fieldsPath, f, http.StatusCreated); err != nil {
			return nil, err
		}
	}

	// The agent's existing contacts, loaded as the contacts benchmark loads them.
	start := time.Now()
	fmt.Fprintf(w, "loading %d existing contacts...\n", existing)
	if _, err := super.Exec(ctx, `DROP INDEX contact_search_text`); err != nil {
		return nil, err
	}
	for off := 0; off < existing; off += 100_000 {
		if _, err := super.Exec(ctx, insertContacts+contactRows(ws, agent, stage, off, min(100_000, existing-off))); err != nil {
			return nil, fmt.Errorf("loading contacts: %w", err)
		}
	}
	if _, err := super.Exec(ctx, `SET maintenance_work_mem = '1GB'`); err != nil {
		return nil, err
	}
	if _, err := super.Exec(ctx, trigramIndex); err != nil {
		return nil, err
	}
	for _, table := range []string{"contacts", "contact_search"} {
		if _, err := super.Exec(ctx, `VACUUM ANALYZE `+table); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(w, "loaded in %s\n", time.Since(start).Round(time.Second))

	file := importFile(rows, existing)
	fmt.Fprintf(w, "the file: %d rows, %.0f MB\n", rows, float64(len(file))/1e6)

	// The worker process.
	bin, err := os.Executable()
	if err != nil {
		return nil, err
	}
	worker := exec.CommandContext(ctx, bin, "worker")
	worker.Env = append(os.Environ(), "DATABASE_URL="+d.AppURL, "DATABASE_OWNER_URL="+d.OwnerURL, "GUESTLIST_BLOB_URL="+blobs,
		"GUESTLIST_OUTBOX_DIR="+srv.app.Config.OutboxDir, "GUESTLIST_LOG_LEVEL="+cmp.Or(os.Getenv("BENCH_WORKER_LOG_LEVEL"), "warn"))
	worker.Stderr = os.Stderr
	if err := worker.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = worker.Process.Signal(os.Interrupt)
		_ = worker.Wait()
	}()

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "bench.csv")
	_, _ = part.Write(file)
	_ = mw.Close()
	file = nil
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/agents/"+agent+"/imports?start=true", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	uploadStart := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("upload: %s %s", resp.Status, raw)
	}
	accepted := time.Now()
	var imp map[string]any
	_ = json.Unmarshal(raw, &imp)
	id := imp["id"].(string)
	fmt.Fprintf(w, "upload accepted in %s\n", accepted.Sub(uploadStart).Round(time.Millisecond))
	var peak int
	for {
		if peak = max(peak, peakRSS(worker.Process.Pid)); peak < 0 {
			return nil, fmt.Errorf("the worker process is gone")
		}
		imp, err = call("GET", "/api/v1/agents/"+agent+"/imports/"+id, nil, http.StatusOK)
		if err != nil {
			return nil, err
		}
		if s := imp["status"]; s == "finished" || s == "failed" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	finished := time.Now()
	peak = max(peak, peakRSS(worker.Process.Pid))
	if imp["status"] != "finished" {
		return nil, fmt.Errorf("the import failed: %v", imp["error"])
	}
	p := imp["progress"].(map[string]any)
	fmt.Fprintf(w, "import: created %v, updated %v, skipped %v, rejected %v\n", p["created"], p["updated"], p["skipped"], p["rejected"])
	if int(p["created"].(float64))+int(p["updated"].(float64)) != rows {
		return nil, fmt.Errorf("the import wrote %v+%v of %d rows", p["created"], p["updated"], rows)
	}
	elapsed := finished.Sub(accepted)
	rate := float64(rows) / elapsed.Seconds()

	// The baseline: the same rows, COPYed raw into a scratch contacts with the same indexes and
	// the same existing rows (the file's rows under another agent id, so the unique indexes
	// take them all as new, as they would in an empty agent).
	fmt.Fprintln(w, "baseline: raw COPY into a scratch copy of contacts...")
	copyRate, err := rawCopy(ctx, super, ws, agent, stage, rows, existing)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "import end to end     %8.0f rows/s (%s from upload accepted to finished; upload %s)\n",
		rate, elapsed.Round(time.Millisecond), accepted.Sub(uploadStart).Round(time.Millisecond))
	fmt.Fprintf(w, "raw COPY              %8.0f rows/s (%.2f of it)\n", copyRate, rate/copyRate)
	fmt.Fprintf(w, "worker peak RSS       %8d MB\n", peak/1024)
	return Figures{
		"import.rows_per_s":      round(rate),
		"import.copy_rows_per_s": round(copyRate),
		"import.peak_rss_mb":     round(float64(peak) / 1024),
		"import.upload_s":        round(accepted.Sub(uploadStart).Seconds()),
		"import.bench_rows":      float64(rows),
	}, nil
}

// importFile is the benchmark's CSV: 10 columns, 3 of them custom fields (Plan, Seats,
// Company). Even rows update an existing contact (contactRows' i = 2r+1 in the agent, found by
// its email; phone left empty, so it keeps its own), odd rows create one.
func importFile(rows, existing int) []byte {
	var b bytes.Buffer
	b.Grow(rows * 110)
	b.WriteString("External ID,First Name,Last Name,Email,Phone,Stage,Plan,Seats,Company,Lead Source\n")
	plans := []string{"Free", "Team", "Enterprise"}
	stages := []string{"Lead", "Prospect", "Customer"}
	for r := range rows {
		f, l := firstNames[(r*7)%len(firstNames)], lastNames[(r*13)%len(lastNames)]
		var email, phone string
		if r%2 == 0 && r+1 <= existing {
			i := r + 1 // an existing contact (contactRows numbers them from 1)
			email = firstNames[(i*7919)%len(firstNames)] + "." + lastNames[(i*104729)%len(lastNames)] + strconv.Itoa(i) + "@" + domains[(i*31)%len(domains)]
		} else {
			email = "new" + strconv.Itoa(r) + "@" + domains[r%len(domains)]
			phone = "+1415" + strconv.Itoa(2000000+r)
		}
		fmt.Fprintf(&b, "ext-%d,%s,%s,%s,%s,%s,%s,%d,%s Inc,web\n", r, strings.ToUpper(f[:1])+f[1:], strings.ToUpper(l[:1])+l[1:],
			email, phone, stages[r%3], plans[r%3], 1+r%500, strings.ToUpper(l[:1])+l[1:])
	}
	return b.Bytes()
}

// rawCopy COPYs rows contacts into a scratch copy of contacts that holds existing rows, as the
// superuser, and returns the rate. The scratch table is dropped.
func rawCopy(ctx context.Context, super *pgx.Conn, ws, agent, stage string, rows, existing int) (float64, error) {
	defer func() { _, _ = super.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS bench_contacts_copy`) }()
	if _, err := super.Exec(ctx, `CREATE TABLE bench_contacts_copy (LIKE contacts INCLUDING ALL)`); err != nil {
		return 0, err
	}
	var stored string // the columns a row is written with (not the generated ones)
	if err := super.QueryRow(ctx, `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
		WHERE attrelid = 'contacts'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`).Scan(&stored); err != nil {
		return 0, err
	}
	if _, err := super.Exec(ctx, `INSERT INTO bench_contacts_copy (`+stored+`) SELECT `+stored+` FROM contacts WHERE workspace_id = $1 AND agent_id = $2`, ws, agent); err != nil {
		return 0, err
	}
	if _, err := super.Exec(ctx, `VACUUM ANALYZE bench_contacts_copy`); err != nil {
		return 0, err
	}
	other := "00000000-0000-7000-8000-000000000001"
	cols := []string{"workspace_id", "agent_id", "id", "name", "email", "email_normalized", "phone", "stage_id", "source", "external_id", "search_text", "custom"}
	src := &copyRows{n: rows, ws: ws, agent: other, stage: stage}
	start := time.Now()
	n, err := super.CopyFrom(ctx, pgx.Identifier{"bench_contacts_copy"}, cols, src)
	if err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// copyRows generates the file's rows as stored contacts.
type copyRows struct {
	n, i             int
	ws, agent, stage string
}

func (c *copyRows) Next() bool { c.i++; return c.i <= c.n }
func (c *copyRows) Err() error { return nil }
func (c *copyRows) Values() ([]any, error) {
	r := c.i - 1
	name := firstNames[(r*7)%len(firstNames)] + " " + lastNames[(r*13)%len(lastNames)]
	email := "new" + strconv.Itoa(r) + "@" + domains[r%len(domains)]
	phone := "+1415" + strconv.Itoa(2000000+r)
	id := fmt.Sprintf("%08x-0000-7000-8000-%012x", 0x7fffffff-c.n+r, r)
	custom := fmt.Sprintf(`{"plan": "%d", "seats": %d, "company": "%s Inc"}`, r%3, 1+r%500, lastNames[(r*13)%len(lastNames)])
	return []any{c.ws, c.agent, id, name, email, email, phone, c.stage, "import", "ext-" + strconv.Itoa(r),
		name + " " + email + " " + phone[1:], custom}, nil
}

// peakRSS is a process's peak resident memory in KiB (VmHWM), -1 when it is gone.
func peakRSS(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb
		}
	}
	return 0
}
