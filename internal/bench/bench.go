// Package bench measures Guestlist at production-like scale and records the figures in
// docs/benchmarks.json (metric name → number) and docs/BENCHMARKS.md. `guestlist bench` runs it
// on a database of its own in the embedded cluster; `make bench` calls that.
//
// Each measurement runs beside its baseline in the same process — the same SQL run bare (no
// HTTP, no row-level security, as a superuser) — because these machines are noisy and only the
// ratio is stable.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// Config says how big a run is and where its figures go.
type Config struct {
	// Scale multiplies every row count; 1 is the committed scale (1,000,000 contacts in one agent
	// among 1,000 workspaces). Smaller scales are for quick runs.
	Scale float64
	// Samples is how many requests each latency figure is taken over.
	Samples int
	// Out is the JSON file the figures are merged into.
	Out string
	Log *slog.Logger
	// Only names the sections to run (see Sections); empty runs them all.
	Only []string
}

// Figures are metric name → number.
type Figures map[string]float64

// Merge writes figures into the JSON file at path, keeping the keys other benchmarks wrote.
func Merge(path string, f Figures) error {
	all := Figures{}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &all); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	maps.Copy(all, f)
	out, err := json.MarshalIndent(all, "", "  ") // map keys come out sorted
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}

// latencies collects request durations.
type latencies []time.Duration

// percentile returns the p-th percentile (0-100) in milliseconds, nearest rank.
func (l latencies) percentile(p float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(p/100*float64(len(s)) + 0.5)
	rank = min(max(rank, 1), len(s))
	return float64(s[rank-1].Microseconds()) / 1000
}

func measure(n int, fn func(i int) error) (latencies, error) {
	out := make(latencies, 0, n)
	for i := range n {
		start := time.Now()
		if err := fn(i); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

func report(w io.Writer, name string, l latencies) {
	fmt.Fprintf(w, "%-28s p50 %7.2f ms   p95 %7.2f ms   p99 %7.2f ms   (%d samples)\n", name, l.percentile(50), l.percentile(95), l.percentile(99), len(l))
}

// A section is one capability's benchmarks. Each starts from the database the previous ones
// left (migrated, possibly holding their rows) and returns its figures.
type section struct {
	name string
	run  func(ctx context.Context, cfg Config, d Database, w io.Writer) (Figures, error)
}

// Sections are the benchmarks in the order `bench` runs them.
var sections = []section{
	{"contacts", runContacts},
	{"chat", runChat},
	{"automations", runAutomations},
	{"import", runImport},
}

// Sections names the benchmarks, for -only.
func Sections() []string {
	var out []string
	for _, s := range sections {
		out = append(out, s.name)
	}
	return out
}

// Run runs the chosen benchmarks on d and returns their figures.
func Run(ctx context.Context, cfg Config, d Database, w io.Writer) (Figures, error) {
	all := Figures{}
	for _, s := range sections {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, s.name) {
			continue
		}
		if err := discardLeftoverJobs(ctx, d); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		f, err := s.run(ctx, cfg, d, w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		maps.Copy(all, f)
	}
	return all, nil
}

// discardLeftoverJobs deletes the jobs earlier sections queued and never worked: their servers
// run no workers (a chat save queues its contacts' automation), and a later section's workers
// would otherwise work them during its measurement, or, on a River client that does not know
// their kind (the automations section's no-op baseline), fail them.
func discardLeftoverJobs(ctx context.Context, d Database) error {
	conn, err := pgx.Connect(ctx, d.SuperURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var migrated bool // the first section's server migrates the database
	if err := conn.QueryRow(ctx, `SELECT to_regclass('river.river_job') IS NOT NULL`).Scan(&migrated); err != nil || !migrated {
		return err
	}
	_, err = conn.Exec(ctx, `DELETE FROM river.river_job WHERE state IN ('available', 'scheduled', 'retryable')`)
	return err
}

func tempDir(name string) string { return filepath.Join(os.TempDir(), name) }
