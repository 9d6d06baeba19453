package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guestlist/guestlist/internal/app"
)

// chatClients is how many chat runtimes call at once.
const chatClients = 50

// runChat measures the chat runtime's door over loopback HTTP: save calls (each captures a new
// visitor: a contact created with its provenance, its conversation linked, its automation job
// queued) and message appends, from 50 concurrent clients on one agent holding 100,000
// contacts, with one agent key.
func runChat(ctx context.Context, cfg Config, d Database, w io.Writer) (Figures, error) {
	existing := int(100_000 * cfg.Scale)
	saves := max(int(6_000*cfg.Scale), chatClients*10)
	appends := max(int(20_000*cfg.Scale), chatClients*20)

	super, err := pgx.Connect(ctx, d.SuperURL)
	if err != nil {
		return nil, err
	}
	defer super.Close(ctx)

	// One key carries every client's traffic here: the per-key limit would measure itself.
	srv, err := startServer(ctx, d, func(c *app.Config) { c.ChatKeyRate = 0 })
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	base := srv.base
	jar, _ := cookiejar.New(nil)
	transport := &http.Transport{MaxIdleConns: chatClients * 2, MaxIdleConnsPerHost: chatClients * 2}
	member := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: transport}
	ws, agent, stage, err := signUp(ctx, super, member, base, "Chat bench workspace")
	if err != nil {
		return nil, err
	}
	start := time.Now()
	fmt.Fprintf(w, "loading %d contacts into the chat agent...\n", existing)
	const chunk = 50_000
	for off := 0; off < existing; off += chunk {
		if _, err := super.Exec(ctx, insertContacts+contactRows(ws, agent, stage, off, min(chunk, existing-off))); err != nil {
			return nil, fmt.Errorf("loading contacts: %w", err)
		}
	}
	// The save conversations, one per captured visitor, and one per appending client.
	if _, err := super.Exec(ctx, `
		INSERT INTO conversations (workspace_id, agent_id, id, visitor_id)
		SELECT $1, $2, (lpad(to_hex(i), 8, '0') || '-0000-7000-9000-' || substr(md5(i::text), 1, 12))::uuid, 'bench-visitor-' || i
		FROM generate_series(1, $3::int) AS i`, ws, agent, saves+chatClients); err != nil {
		return nil, fmt.Errorf("loading conversations: %w", err)
	}
	// Each conversation already holds ten messages (a day old), as an agent with this many
	// contacts has talked before: the statements meet a messages table with history and
	// statistics, not an empty one whose plans go stale within the measured seconds.
	if _, err := super.Exec(ctx, `
		INSERT INTO conversation_messages (workspace_id, conversation_id, id, seq, client_message_id, role, content, sent_at)
		SELECT c.workspace_id, c.id, gen_random_uuid(), s, 'earlier-' || s, CASE WHEN s % 2 = 1 THEN 'visitor' ELSE 'agent' END,
		       'An earlier message of this conversation, about the plans and what they cost.', now() - interval '1 day' + s * interval '1 second'
		FROM conversations c, generate_series(1, 10) AS s
		WHERE c.workspace_id = $1`, ws); err != nil {
		return nil, fmt.Errorf("loading messages: %w", err)
	}
	if _, err := super.Exec(ctx, `UPDATE conversations SET message_count = 10, last_message_at = now() - interval '1 day' + interval '10 seconds'
		WHERE workspace_id = $1`, ws); err != nil {
		return nil, err
	}
	// The bulk load's own clean-up (visibility map, statistics) is setup, not the measured work:
	// done now, it does not land on whichever phase autovacuum would pick.
	if _, err := super.Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		return nil, err
	}
	rows, err := super.Query(ctx, `SELECT id::text FROM conversations WHERE workspace_id = $1 ORDER BY id`, ws)
	if err != nil {
		return nil, err
	}
	convs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "loaded in %s\n", time.Since(start).Round(time.Second))

	var key struct {
		Secret string `json:"secret"`
	}
	resp, err := member.Post(base+"/api/v1/agents/"+agent+"/keys", "application/json", strings.NewReader(`{"name":"Bench runtime"}`))
	if err != nil {
		return nil, err
	}
	err = json.NewDecoder(resp.Body).Decode(&key)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("bench key: %s %v", resp.Status, err)
	}
	runtime := &http.Client{Timeout: 30 * time.Second, Transport: transport}
	post := func(path string, body any, want int) error {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key.Secret)
		resp, err := runtime.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			return fmt.Errorf("POST %s: %s %s", path, resp.Status, out)
		}
		return nil
	}

	// Warm up: the key cache, prepared statements on the pool's connections.
	for i := range chatClients {
		if err := post("/api/v1/chat/lookup", map[string]string{"email": fmt.Sprintf("nobody%d@bench.example", i)}, http.StatusNotFound); err != nil {
			return nil, err
		}
	}

	saveLat, saveWall, err := concurrently(saves, func(_, i int) error {
		return post("/api/v1/chat/save", map[string]any{"conversation_id": convs[i], "name": fmt.Sprintf("Visitor %d", i),
			"email": fmt.Sprintf("visitor%d@chat.bench.example", i), "phone": fmt.Sprintf("+1 415 %07d", 2000000+i)}, http.StatusCreated)
	})
	if err != nil {
		return nil, err
	}
	// Each client is one live chat: its messages go one after another into its conversation.
	live := convs[saves:]
	appendLat, appendWall, err := concurrently(appends, func(client, i int) error {
		role := "visitor"
		if i%2 == 0 {
			role = "agent"
		}
		return post("/api/v1/chat/conversations/"+live[client]+"/messages", map[string]string{"client_message_id": fmt.Sprintf("m%d", i),
			"role": role, "content": "Hello, I would like to know more about the premium plan and its pricing for a team of twelve."}, http.StatusCreated)
	})
	if err != nil {
		return nil, err
	}
	savesPerS := float64(saves) / saveWall.Seconds()
	appendsPerS := float64(appends) / appendWall.Seconds()
	fmt.Fprintf(w, "chat save, %d clients: %.0f saves/s over %d saves\n", chatClients, savesPerS, saves)
	report(w, "chat save, HTTP", saveLat)
	fmt.Fprintf(w, "chat append, %d clients: %.0f appends/s over %d appends\n", chatClients, appendsPerS, appends)
	report(w, "chat append, HTTP", appendLat)
	return Figures{
		"chat.save_per_s":     savesPerS,
		"chat.save_p50_ms":    saveLat.percentile(50),
		"chat.save_p99_ms":    saveLat.percentile(99),
		"chat.append_per_s":   appendsPerS,
		"chat.append_p99_ms":  appendLat.percentile(99),
		"chat.bench_contacts": float64(existing),
		"chat.bench_clients":  chatClients,
	}, nil
}

// concurrently runs fn(client, i) for i in 0..n-1 from chatClients goroutines (client is the
// goroutine's number), each taking the next index, and returns every call's duration and the
// wall time of the whole run.
func concurrently(n int, fn func(client, i int) error) (latencies, time.Duration, error) {
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	all := make(latencies, 0, n)
	var wg sync.WaitGroup
	start := time.Now()
	for client := range chatClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make(latencies, 0, n/chatClients+1)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					break
				}
				t := time.Now()
				if err := fn(client, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(n)) // stop everyone
					break
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, time.Since(start), firstErr
}
