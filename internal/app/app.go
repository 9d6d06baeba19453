package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/guestlist/guestlist/internal/auth"
	"github.com/guestlist/guestlist/internal/automations"
	"github.com/guestlist/guestlist/internal/devdb"
	"github.com/guestlist/guestlist/internal/files"
	"github.com/guestlist/guestlist/internal/imports"
	"github.com/guestlist/guestlist/internal/mail"
	"github.com/guestlist/guestlist/internal/migrate"
	"github.com/guestlist/guestlist/internal/tenant"
	"github.com/guestlist/guestlist/jobs"
)

// App is a running Guestlist: pools, the River client and the HTTP handler.
type App struct {
	Config  Config
	Log     *slog.Logger
	Tenants *tenant.DB
	// River inserts jobs (InsertTx); it never works them.
	River   *river.Client[pgx.Tx]
	Auth    *auth.Service
	Handler http.Handler
	Mail    mail.Sender
	Files   *files.Service
	Imports *imports.Service
	// Automations runs the contact-created automation (the automate_contacts job calls it).
	Automations *automations.Service

	appPool, ownerPool *pgxpool.Pool
	worker             *river.Client[pgx.Tx] // nil when this process works no jobs
}

// Open connects to the database (starting and migrating the embedded cluster when DATABASE_URL
// is unset) and builds the app. withWorkers registers River's workers and queues.
func Open(ctx context.Context, cfg Config, log *slog.Logger, withWorkers bool) (*App, error) {
	appURL, ownerURL, err := databaseURLs(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	if cfg.Embedded() {
		// The embedded cluster is ours: bring its schema up to date on every start.
		if a.ownerPool, err = pgxpool.New(ctx, ownerURL); err != nil {
			return nil, fmt.Errorf("owner database: %w", err)
		}
		if err := migrate.Up(ctx, a.ownerPool, devdb.AppRole); err != nil {
			return nil, err
		}
	}
	poolCfg, err := pgxpool.ParseConfig(appURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	poolCfg.MaxConns = cfg.DatabaseMaxConns
	poolCfg.AfterConnect = tenant.PrepareConn
	if a.appPool, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
		return nil, fmt.Errorf("app database: %w", err)
	}
	if a.Tenants, err = tenant.New(ctx, a.appPool); err != nil {
		return nil, err
	}
	// Serving an older schema than the code expects fails in odd places: refuse plainly.
	if pending, err := migrate.Pending(ctx, a.appPool); err != nil {
		return nil, err
	} else if pending {
		return nil, errors.New("the database schema is not up to date: run `guestlist migrate` (it connects with DATABASE_OWNER_URL)")
	}
	if a.Mail, err = mail.New(cfg.SMTPURL, cfg.MailFrom, cfg.OutboxDir); err != nil {
		return nil, err
	}
	riverCfg := river.Config{
		Schema: migrate.RiverSchema,
		Logger: log.With("component", "river"),
		// River's reindexer needs to own the tables before PostgreSQL 17; the app role owns none.
		ReindexerSchedule: river.NeverSchedule(),
	}
	// Two clients on one pool: the services insert jobs through an insert-only client, and the
	// working client (when this process works jobs) calls those services. Any client works any
	// job inserted by any other.
	inserts := riverCfg
	if a.River, err = river.NewClient(riverpgxv5.New(a.appPool), &inserts); err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	if a.Auth, err = auth.NewService(a.Tenants, a.River, cfg.BaseURL, cfg.Env == Production, cfg.SessionCacheTTL); err != nil {
		return nil, err
	}
	if a.Files, err = files.NewService(ctx, a.Tenants, a.River, cfg.BlobURL, cfg.FileMaxBytes); err != nil {
		return nil, err
	}
	a.Automations = automations.NewService(a.Tenants, a.River, cfg.BaseURL)
	if a.Imports, err = imports.NewService(ctx, a.Tenants, a.River, imports.Config{BlobURL: cfg.BlobURL,
		Limits: imports.Limits{MaxBytes: cfg.ImportMaxBytes, MaxRows: cfg.ImportMaxRows}, ChunkRows: cfg.ImportChunkRows, Slice: cfg.ImportSlice,
		FileRetention: cfg.ImportFileRetention}); err != nil {
		return nil, err
	}
	if withWorkers {
		workers, err := jobs.Workers(jobs.Deps{Mail: mail.JobSender{Sender: a.Mail}, Sessions: a.Auth, Files: a.Files, Blobs: a.Files,
			Automator: a.Automations, Imports: a.Imports, Tidier: a.Imports})
		if err != nil {
			return nil, err
		}
		riverCfg.Workers, riverCfg.Queues, riverCfg.PeriodicJobs = workers, jobs.Queues(), jobs.Periodic()
		riverCfg.RescueStuckJobsAfter = cfg.JobRescueAfter
		if a.worker, err = river.NewClient(riverpgxv5.New(a.appPool), &riverCfg); err != nil {
			return nil, fmt.Errorf("river: %w", err)
		}
	}
	if a.Handler, err = newHandler(a); err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

// Close releases the pools and the blob storage.
func (a *App) Close() {
	if a.Files != nil {
		_ = a.Files.Close()
	}
	if a.Imports != nil {
		_ = a.Imports.Close()
	}
	if a.appPool != nil {
		a.appPool.Close()
	}
	if a.ownerPool != nil {
		a.ownerPool.Close()
	}
}

// Serve answers HTTP on cfg.Addr (and works jobs when the client has workers) until ctx ends,
// then drains: in-flight requests finish, running jobs finish, within ShutdownTimeout.
func (a *App) Serve(ctx context.Context) error {
	srv := &http.Server{
		Addr:              a.Config.Addr,
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if err := a.StartWorkers(ctx); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.Log.Info("serving", "addr", a.Config.Addr, "url", a.Config.BaseURL, "workers", a.Config.RunWorkers)
	select {
	case err := <-errc:
		_ = a.StopWorkers()
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: draining requests and jobs", "timeout", a.Config.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	httpErr := srv.Shutdown(shutdownCtx)
	return errors.Join(httpErr, a.StopWorkers())
}

// Work runs the job workers only, until ctx ends, then lets running jobs finish.
func (a *App) Work(ctx context.Context) error {
	if err := a.StartWorkers(ctx); err != nil {
		return err
	}
	a.Log.Info("working jobs", "queues", jobs.Queues())
	<-ctx.Done()
	a.Log.Info("shutting down: finishing running jobs", "timeout", a.Config.ShutdownTimeout)
	return a.StopWorkers()
}

// StartWorkers starts working jobs (when the app was opened with workers).
func (a *App) StartWorkers(ctx context.Context) error {
	if a.worker == nil {
		return nil
	}
	// River's own context must outlive ctx: Stop, not cancellation, ends its jobs gracefully.
	if err := a.worker.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("river: %w", err)
	}
	return nil
}

// StopWorkers lets running jobs finish (up to ShutdownTimeout, then cancels them).
func (a *App) StopWorkers() error {
	if a.worker == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := a.worker.Stop(ctx); err != nil {
		a.Log.Warn("jobs did not finish in time; cancelling them (River retries them later)", "err", err)
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		return a.worker.StopAndCancel(cctx)
	}
	return nil
}

// databaseURLs returns the app and owner URLs: the configured ones, or the embedded cluster's
// after starting it and creating the database.
func databaseURLs(ctx context.Context, cfg Config) (appURL, ownerURL string, err error) {
	if !cfg.Embedded() {
		return cfg.DatabaseURL, cfg.DatabaseOwnerURL, nil
	}
	cluster, err := StartDevDB(ctx, cfg)
	if err != nil {
		return "", "", err
	}
	return cluster.URL(devdb.App, cfg.DevDBDatabase), cluster.URL(devdb.Owner, cfg.DevDBDatabase), nil
}

// StartDevDB starts (or reuses) the embedded cluster and makes sure its database exists.
func StartDevDB(ctx context.Context, cfg Config) (*devdb.Cluster, error) {
	cluster, err := devdb.Open(cfg.DevDBDir)
	if err != nil {
		return nil, err
	}
	if err := cluster.Start(ctx); err != nil {
		return nil, err
	}
	if err := cluster.EnsureDatabase(ctx, cfg.DevDBDatabase); err != nil {
		return nil, err
	}
	return cluster, nil
}

// AppRoleOf is the user name in a database URL: the role migrations grant to.
func AppRoleOf(databaseURL string) (string, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.User == "" {
		return "", errors.New("DATABASE_URL names no user: it must connect as the app role")
	}
	return cfg.User, nil
}
