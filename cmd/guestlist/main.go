// Command guestlist is the one binary of Guestlist.
//
//	guestlist serve                       the API and web app (and the job workers, by default)
//	guestlist worker                      the job workers only
//	guestlist migrate                     every migration, ours and River's, as the owner role
//	guestlist seed                        the demo workspace (development)
//	guestlist devdb start|stop|status|url the embedded development database
//
// Configuration comes from the environment: see the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/guestlist/guestlist/internal/app"
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
