// Command guestlist is the one binary of Guestlist.
//
//	guestlist serve                       the API and web app (and the job workers, by default)
//	guestlist worker                      the job workers only
//	guestlist migrate                     every migration, ours and River's, as the owner role
//	guestlist seed                        the demo workspace (development)
//	guestlist devdb start|stop|status|url the embedded development database
//	guestlist bench                       the scale benchmarks (docs/BENCHMARKS.md)
//
// Configuration comes from the environment: see the README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/guestlist/guestlist/internal/app"
	"github.com/guestlist/guestlist/internal/bench"
	"github.com/guestlist/guestlist/internal/devdb"
	"github.com/guestlist/guestlist/internal/migrate"
)

const usage = `usage: guestlist <command>

commands:
  serve                        serve the API and web app (and work jobs unless GUESTLIST_RUN_WORKERS=false)
  worker                       work jobs only
  migrate                      apply every migration (needs DATABASE_OWNER_URL, or the embedded database)
  seed                         create the demo workspace and print its sign-in
  devdb start|stop|status|url  manage the embedded development database
  bench [-scale S] [-samples N] [-out FILE]
                               load a benchmark database in the embedded cluster and measure
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "guestlist:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	// SIGTERM and Ctrl-C end ctx; serve and worker then drain and return nil (exit 0).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	switch args[0] {
	case "serve":
		a, err := app.Open(ctx, cfg, log, cfg.RunWorkers)
		if err != nil {
			return err
		}
		defer a.Close()
		return a.Serve(ctx)
	case "worker":
		a, err := app.Open(ctx, cfg, log, true)
		if err != nil {
			return err
		}
		defer a.Close()
		return a.Work(ctx)
	case "migrate":
		return migrateCmd(ctx, cfg)
	case "seed":
		a, err := app.Open(ctx, cfg, log, false)
		if err != nil {
			return err
		}
		defer a.Close()
		return app.Seed(ctx, a, os.Stdout)
	case "devdb":
		return devdbCmd(ctx, cfg, args[1:])
	case "bench":
		return benchCmd(ctx, cfg, log, args[1:])
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func migrateCmd(ctx context.Context, cfg app.Config) error {
	ownerURL, appRole := cfg.DatabaseOwnerURL, devdb.AppRole
	if cfg.Embedded() {
		cluster, err := app.StartDevDB(ctx, cfg)
		if err != nil {
			return err
		}
		ownerURL = cluster.URL(devdb.Owner, cfg.DevDBDatabase)
	} else {
		if ownerURL == "" {
			return errors.New("migrate needs DATABASE_OWNER_URL (the role that owns the schema)")
		}
		var err error
		if appRole, err = app.AppRoleOf(cfg.DatabaseURL); err != nil {
			return err
		}
	}
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := migrate.Up(ctx, pool, appRole); err != nil {
		return err
	}
	fmt.Println("migrations applied; privileges granted to", appRole)
	return nil
}

func devdbCmd(ctx context.Context, cfg app.Config, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: guestlist devdb start|stop|status|url")
	}
	cluster, err := devdb.Open(cfg.DevDBDir)
	if err != nil {
		return err
	}
	switch args[0] {
	case "start":
		if _, err := app.StartDevDB(ctx, cfg); err != nil {
			return err
		}
		info := cluster.Info()
		fmt.Printf("embedded PostgreSQL %d running in %s\n", info.Version, info.Dir)
		if info.Relocated != "" {
			fmt.Println("(moved from", info.Requested+":", info.Relocated+")")
		}
	case "stop":
		return cluster.Stop(ctx)
	case "status":
		running, err := cluster.Running(ctx)
		if err != nil {
			return err
		}
		if !running {
			fmt.Println("stopped:", cluster.Dir())
			return nil
		}
		fmt.Println("running:", cluster.Dir())
	case "url":
		fmt.Println("DATABASE_URL=" + cluster.URL(devdb.App, cfg.DevDBDatabase))
		fmt.Println("DATABASE_OWNER_URL=" + cluster.URL(devdb.Owner, cfg.DevDBDatabase))
	default:
		return fmt.Errorf("unknown devdb command %q (start, stop, status, url)", args[0])
	}
	return nil
}

// benchDatabase is the embedded cluster's database for `bench`, made anew on every run; a run of
// some sections (-only) gets its own, so two such runs can share the cluster.
func benchDatabase(sections []string) string {
	if len(sections) == 0 {
		return "guestlist_bench"
	}
	return "guestlist_bench_" + strings.Join(sections, "_")
}

func benchCmd(ctx context.Context, cfg app.Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	scale := fs.Float64("scale", envFloat("BENCH_SCALE", 1), "row counts × this (1: 1,000,000 contacts among 1,000 workspaces; env BENCH_SCALE)")
	samples := fs.Int("samples", 300, "requests per latency figure")
	out := fs.String("out", "docs/benchmarks.json", "the JSON file the figures are merged into")
	only := fs.String("only", "", "comma-separated sections to run (default all: "+strings.Join(bench.Sections(), ", ")+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var sections []string
	if *only != "" {
		sections = strings.Split(*only, ",")
		for _, s := range sections {
			if !slices.Contains(bench.Sections(), s) {
				return fmt.Errorf("bench: no section %q (%s)", s, strings.Join(bench.Sections(), ", "))
			}
		}
	}
	benchDatabase := benchDatabase(sections)
	cluster, err := devdb.Open(cfg.DevDBDir)
	if err != nil {
		return err
	}
	if err := cluster.Start(ctx); err != nil {
		return err
	}
	if err := cluster.DropDatabase(ctx, benchDatabase); err != nil {
		return err
	}
	if err := cluster.EnsureDatabase(ctx, benchDatabase); err != nil {
		return err
	}
	owner, err := pgxpool.New(ctx, cluster.URL(devdb.Owner, benchDatabase))
	if err != nil {
		return err
	}
	err = migrate.Up(ctx, owner, devdb.AppRole)
	owner.Close()
	if err != nil {
		return err
	}
	figures, err := bench.Run(ctx, bench.Config{Scale: *scale, Samples: *samples, Log: log, Only: sections}, bench.Database{
		SuperURL: cluster.URL(devdb.Superuser, benchDatabase),
		AppURL:   cluster.URL(devdb.App, benchDatabase),
		OwnerURL: cluster.URL(devdb.Owner, benchDatabase),
	}, os.Stdout)
	if err != nil {
		return err
	}
	if *scale != 1 {
		fmt.Printf("scale %g: figures not written to %s (the committed figures are at scale 1)\n", *scale, *out)
		return nil
	}
	if err := bench.Merge(*out, figures); err != nil {
		return err
	}
	fmt.Println("figures merged into", *out)
	return cluster.DropDatabase(ctx, benchDatabase)
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}
