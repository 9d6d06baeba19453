// Package app wires Guestlist together: configuration, database pools (the embedded default or
// DATABASE_URL), migrations, the River client and its workers, and the HTTP router. It is the
// only package that knows every capability.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/guestlist/guestlist/internal/files"
)

// Config is read from the environment. Every variable, with its default, is listed in the README.
type Config struct {
	// Addr is where the HTTP server listens.
	Addr string `env:"GUESTLIST_ADDR" envDefault:":8080"`
	// Env is "development" or "production". Production requires DATABASE_URL and SMTP_URL and
	// marks cookies Secure.
	Env string `env:"GUESTLIST_ENV" envDefault:"development"`
	// BaseURL is how people reach the app; links in emails start with it.
	BaseURL string `env:"GUESTLIST_BASE_URL" envDefault:"http://localhost:8080"`

	// DatabaseURL connects as the app role (no superuser, no BYPASSRLS, owns no table). When
	// empty, the embedded default cluster under DevDBDir is started and used.
	DatabaseURL string `env:"DATABASE_URL"`
	// DatabaseOwnerURL connects as the role that owns the schema; migrations run as it.
	DatabaseOwnerURL string `env:"DATABASE_OWNER_URL"`
	// DatabaseMaxConns bounds the app role's pool in each process.
	DatabaseMaxConns int32 `env:"GUESTLIST_DB_MAX_CONNS" envDefault:"20"`
	// DevDBDir is the embedded cluster's data directory.
	DevDBDir string `env:"GUESTLIST_DEVDB_DIR" envDefault:"var/pg"`
	// DevDBDatabase is the embedded cluster's database.
	DevDBDatabase string `env:"GUESTLIST_DEVDB_DATABASE" envDefault:"guestlist"`

	// SMTPURL sends mail (smtp://user:pass@host:587, smtps://host:465). When empty, mail goes to
	// the dev outbox in OutboxDir, shown at /dev/outbox.
	SMTPURL   string `env:"SMTP_URL"`
	MailFrom  string `env:"MAIL_FROM" envDefault:"Guestlist <no-reply@guestlist.localhost>"`
	OutboxDir string `env:"GUESTLIST_OUTBOX_DIR" envDefault:"var/outbox"`

	// BodyLimit caps request bodies, in bytes.
	BodyLimit int64 `env:"GUESTLIST_BODY_LIMIT" envDefault:"1048576"`
	// BlobURL is where contact files are stored: a folder (a path, made absolute, or
	// file:///abs/path) or S3-compatible storage (s3://bucket?region=...&endpoint=...).
	BlobURL string `env:"GUESTLIST_BLOB_URL" envDefault:"var/blobs"`
	// FileMaxBytes caps one uploaded file, in bytes (413 beyond).
	FileMaxBytes int64 `env:"GUESTLIST_FILE_MAX_BYTES" envDefault:"26214400"`
	// ImportMaxBytes and ImportMaxRows cap one CSV import: 512 MiB and 1,048,576 data rows.
	ImportMaxBytes int64 `env:"GUESTLIST_IMPORT_MAX_BYTES" envDefault:"536870912"`
	ImportMaxRows  int   `env:"GUESTLIST_IMPORT_MAX_ROWS" envDefault:"1048576"`
	// ImportChunkRows is how many rows each of an import's transactions writes.
	ImportChunkRows int `env:"GUESTLIST_IMPORT_CHUNK_ROWS" envDefault:"20000"`
	// ImportSlice is how long one run of an import job works before it stops at a committed
	// chunk and is run again at once: an attempt stays short, so the import of a worker that
	// died is rescued soon (after five slices).
	ImportSlice time.Duration `env:"GUESTLIST_IMPORT_SLICE" envDefault:"2m"`
	// ImportFileRetention is how long an import keeps its stored file after its run ended: the
	// file holds people's rows, and only the error report reads it (undo works from snapshots).
	// The tidy_imports job deletes older files every few minutes. 0 keeps files until an erase
	// deletes them (a deployment with its own retention, or none).
	ImportFileRetention time.Duration `env:"GUESTLIST_IMPORT_FILE_RETENTION" envDefault:"720h"`
	// JobRescueAfter is how long a job may run before River takes it for lost (its worker
	// died) and runs it again, or its own timeout when that is longer (River's rescuer waits
	// for both): a job past its timeout has been told to stop. At least River's one-minute
	// job timeout. Imports guard against a second run.
	JobRescueAfter time.Duration `env:"GUESTLIST_JOB_RESCUE_AFTER" envDefault:"2m"`
	// ChatKeyRate is how many requests per second one agent key may make (its burst too); 0
	// means no limit.
	ChatKeyRate int `env:"GUESTLIST_CHAT_KEY_RATE" envDefault:"1000"`
	// SessionCacheTTL is how long this process trusts a session it has checked without asking
	// the database again; changes made through this process apply at once, those made through
	// another process after at most this long. 0 checks every request.
	SessionCacheTTL time.Duration `env:"GUESTLIST_SESSION_CACHE_TTL" envDefault:"2s"`
	// RunWorkers makes `serve` work jobs too; run `worker` processes and set it false to split.
	RunWorkers bool `env:"GUESTLIST_RUN_WORKERS" envDefault:"true"`
	// ShutdownTimeout is how long SIGTERM waits for requests and jobs in flight.
	ShutdownTimeout time.Duration `env:"GUESTLIST_SHUTDOWN_TIMEOUT" envDefault:"30s"`
	LogLevel        slog.Level    `env:"GUESTLIST_LOG_LEVEL" envDefault:"info"`
}

// DefaultConfig is the configuration of an empty environment.
func DefaultConfig() Config {
	cfg, err := env.ParseAsWithOptions[Config](env.Options{Environment: map[string]string{}})
	if err != nil {
		panic(err) // the defaults above are constants: a failure is a programming error
	}
	return cfg
}

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// LoadConfig reads and validates the configuration.
func LoadConfig() (Config, error) {
	cfg, err := env.ParseAs[Config]()
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	var errs []error
	if c.Env != Development && c.Env != Production {
		errs = append(errs, fmt.Errorf("GUESTLIST_ENV must be %q or %q, not %q", Development, Production, c.Env))
	}
	if c.Env == Production && c.DatabaseURL == "" {
		errs = append(errs, errors.New("GUESTLIST_ENV=production needs DATABASE_URL: the embedded database is for development"))
	}
	if c.Env == Production && c.SMTPURL == "" {
		errs = append(errs, errors.New("GUESTLIST_ENV=production needs SMTP_URL: the dev outbox is for development"))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, fmt.Errorf("GUESTLIST_BODY_LIMIT must be at least 1024 bytes, not %d", c.BodyLimit))
	}
	if _, err := files.BucketURL(c.BlobURL); err != nil {
		errs = append(errs, err)
	}
	if c.FileMaxBytes < 1 || c.FileMaxBytes > 5<<30 {
		errs = append(errs, fmt.Errorf("GUESTLIST_FILE_MAX_BYTES must be between 1 and 5 GiB, not %d", c.FileMaxBytes))
	}
	if c.ImportMaxBytes < 1 || c.ImportMaxBytes > 5<<30 {
		errs = append(errs, fmt.Errorf("GUESTLIST_IMPORT_MAX_BYTES must be between 1 and 5 GiB, not %d", c.ImportMaxBytes))
	}
	if c.ImportMaxRows < 1 || c.ImportMaxRows > 10_000_000 {
		errs = append(errs, fmt.Errorf("GUESTLIST_IMPORT_MAX_ROWS must be between 1 and 10,000,000, not %d", c.ImportMaxRows))
	}
	if c.ImportChunkRows < 1 || c.ImportChunkRows > 100_000 {
		errs = append(errs, fmt.Errorf("GUESTLIST_IMPORT_CHUNK_ROWS must be between 1 and 100,000, not %d", c.ImportChunkRows))
	}
	if c.ImportSlice <= 0 || c.ImportSlice > time.Hour {
		errs = append(errs, fmt.Errorf("GUESTLIST_IMPORT_SLICE must be more than 0 and at most 1h, not %s", c.ImportSlice))
	}
	// A member needs time to fetch the error report after a run; ten years is a typo's length.
	if c.ImportFileRetention != 0 && (c.ImportFileRetention < time.Hour || c.ImportFileRetention > 10*365*24*time.Hour) {
		errs = append(errs, fmt.Errorf("GUESTLIST_IMPORT_FILE_RETENTION must be 0 (keep files) or between 1h and 87600h (10 years), not %s", c.ImportFileRetention))
	}
	if c.JobRescueAfter < time.Minute {
		errs = append(errs, fmt.Errorf("GUESTLIST_JOB_RESCUE_AFTER must be at least 1m (River's job timeout), not %s", c.JobRescueAfter))
	}
	if c.SessionCacheTTL < 0 || c.SessionCacheTTL > time.Minute {
		errs = append(errs, fmt.Errorf("GUESTLIST_SESSION_CACHE_TTL must be between 0 and 1m, not %s", c.SessionCacheTTL))
	}
	if c.DatabaseMaxConns < 2 {
		errs = append(errs, fmt.Errorf("GUESTLIST_DB_MAX_CONNS must be at least 2, not %d", c.DatabaseMaxConns))
	}
	return errors.Join(errs...)
}

// Embedded reports whether the app runs on the embedded default cluster.
func (c Config) Embedded() bool { return c.DatabaseURL == "" }
