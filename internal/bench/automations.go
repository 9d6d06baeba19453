package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/automations"
	"github.com/guestlist/guestlist/internal/migrate"
	"github.com/guestlist/guestlist/jobs"
)

// noopArgs is the baseline job: River's own cost per job, with the automation's queue settings.
type noopArgs struct{}

func (noopArgs) Kind() string { return "bench_noop" }

func (noopArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueAutomations} }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// runAutomations measures the automate_contacts job: one job per new contact (as chat, forms,
// the API and members create them), 100,000 of them, worked by a worker client configured as
// the app's; round robin over three members, so every job takes the rules' lock and steps the
// rotation. Beside it, in the same run, the same number of no-op jobs on a client with the same
// queue settings: River's own ceiling on this machine.
func runAutomations(ctx context.Context, cfg Config, d Database, w io.Writer) (Figures, error) {
	n := int(100_000 * cfg.Scale)
	super, err := pgx.Connect(ctx, d.SuperURL)
	if err != nil {
		return nil, err
	}
	defer super.Close(ctx)

	appCfg := app.DefaultConfig()
	appCfg.DatabaseURL, appCfg.DatabaseOwnerURL = d.AppURL, d.OwnerURL
	appCfg.OutboxDir = tempDir("guestlist-bench-outbox")
	quiet := quietLog()
	a, err := app.Open(ctx, appCfg, quiet, true)
	if err != nil {
		return nil, err
	}
	defer a.Close()

	// A workspace with an owner and two more members, an agent, and round robin over the three.
	ws, agent, stage := uuid.New(), uuid.New(), uuid.New()
	people := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	load := &pgx.Batch{}
	for i, id := range people {
		role := map[bool]string{true: "owner", false: "admin"}[i == 0]
		load.Queue(`INSERT INTO users (id, email, email_normalized, name, password_hash) VALUES ($1, $2, $2, $3, 'none')`,
			id, id.String()+"@automations.bench", fmt.Sprintf("Member %d", i+1))
		if i == 0 {
			load.Queue(`INSERT INTO workspaces (id, name) VALUES ($1, 'Automations bench')`, ws)
		}
		load.Queue(`INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, $3)`, ws, id, role)
	}
	load.Queue(`INSERT INTO agents (workspace_id, id, name) VALUES ($1, $2, 'Agent')`, ws, agent)
	load.Queue(`INSERT INTO stages (workspace_id, agent_id, id, name, position) VALUES ($1, $2, $3, 'Lead', 1)`, ws, agent, stage)
	if err := super.SendBatch(ctx, load).Close(); err != nil {
		return nil, fmt.Errorf("loading the workspace: %w", err)
	}
	rr := automations.SlotInput{Strategy: automations.RoundRobin, Pool: people}
	if _, err := a.Automations.Save(ctx, ws, agent, "chat", automations.RuleInput{Primary: &rr, Secondary: &automations.SlotInput{Strategy: automations.None}}); err != nil {
		return nil, err
	}

	// The baseline first: the same number of no-op jobs, worked by a client with the same queues.
	noopWorkers := river.NewWorkers()
	river.AddWorker(noopWorkers, noopWorker{})
	pool, err := pgxpool.New(ctx, d.AppURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	noop, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Schema: migrate.RiverSchema, Logger: quiet,
		ReindexerSchedule: river.NeverSchedule(), Workers: noopWorkers, Queues: jobs.Queues()})
	if err != nil {
		return nil, err
	}
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{}}
	}
	if _, err := noop.InsertMany(ctx, params); err != nil {
		return nil, err
	}
	noopRate, err := drain(ctx, super, noop, "bench_noop", n)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "no-op jobs:                %8.0f jobs/s (%d jobs)\n", noopRate, n)

	// The contacts, created as the import's bulk load does (the path that writes rows without
	// contacts.CreateTx), and one automation job each, as every other path inserts them.
	start := time.Now()
	if _, err := super.Exec(ctx, insertContacts+contactRows(ws.String(), agent.String(), stage.String(), 0, n)); err != nil {
		return nil, err
	}
	rows, err := super.Query(ctx, `SELECT id FROM contacts WHERE workspace_id = $1 ORDER BY id`, ws)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, err
	}
	if _, err := super.Exec(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: jobs.AutomateContactsArgs{WorkspaceID: ws, AgentID: agent, ContactIDs: []uuid.UUID{id}}}
	}
	if _, err := a.River.InsertMany(ctx, params); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "%d contacts and jobs loaded in %s\n", n, time.Since(start).Round(time.Millisecond))
	rate, err := drain(ctx, super, appWorker{a}, "automate_contacts", n)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "automate_contacts jobs:    %8.0f jobs/s (%.2f× no-op; the bar is 0.8×)\n", rate, rate/noopRate)

	// Every contact automated, the rotation exactly even.
	var unowned int
	var turn int64
	if err := super.QueryRow(ctx, `SELECT count(*) FILTER (WHERE primary_owner_id IS NULL OR automated_at IS NULL) FROM contacts WHERE workspace_id = $1`, ws).Scan(&unowned); err != nil {
		return nil, err
	}
	if err := super.QueryRow(ctx, `SELECT primary_turn FROM automation_rules WHERE workspace_id = $1`, ws).Scan(&turn); err != nil {
		return nil, err
	}
	if unowned != 0 || turn != int64(n) {
		return nil, fmt.Errorf("automations: %d contacts without an owner, %d turns for %d contacts", unowned, turn, n)
	}
	return Figures{"automations.jobs_per_s": round(rate), "automations.noop_jobs_per_s": round(noopRate)}, nil
}

// worker is a River client (or the app) that can start and stop working jobs.
type worker interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// appWorker works the app's jobs, as `guestlist worker` does.
type appWorker struct{ a *app.App }

func (w appWorker) Start(ctx context.Context) error { return w.a.StartWorkers(ctx) }
func (w appWorker) Stop(context.Context) error      { return w.a.StopWorkers() }

// drain starts w, waits until the n jobs of kind are completed, stops w, and returns jobs per
// second from start to the last completion (River's own finalized_at, not the polling).
func drain(ctx context.Context, super *pgx.Conn, w worker, kind string, n int) (float64, error) {
	start := time.Now()
	if err := w.Start(ctx); err != nil {
		return 0, err
	}
	defer func() { _ = w.Stop(ctx) }()
	for {
		var done int
		var failed int
		var last time.Time
		if err := super.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE state NOT IN ('completed', 'available', 'running')),
			       COALESCE(max(finalized_at), now())
			FROM river.river_job WHERE kind = $1`, kind).Scan(&done, &failed, &last); err != nil {
			return 0, err
		}
		if failed > 0 {
			return 0, fmt.Errorf("%d %s jobs failed or are retrying", failed, kind)
		}
		if done >= n {
			return float64(n) / last.Sub(start).Seconds(), nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func round(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
