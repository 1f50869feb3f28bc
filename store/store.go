// Package store keeps faultline's data in SQL databases: an embedded SQLite
// file by default. It implements the storage interfaces package shop
// declares, applies versioned migrations on start, and maps every driver
// error to an apperr error in one place (errors.go).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"
	"go.opentelemetry.io/otel/attribute"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DefaultSQLitePath is where the database lives when DATABASE_URL is unset.
const DefaultSQLitePath = "data/faultline.db"

//go:embed migrations
var migrations embed.FS

// DB is a faultline database, on SQLite or PostgreSQL: the same SQL runs on
// both (placeholders $1, $2, ...); what differs is in engine.
type DB struct {
	sql     *sql.DB
	engine  *engine
	closed  atomic.Bool
	q       counted // every statement outside a transaction goes through it
	queries atomic.Int64
	timeout time.Duration
	onClose func()        // releases what sql.DB does not own (the pgx pool, the SQLite lock)
	pool    *pgxpool.Pool // PostgreSQL's pgx pool, whose figures PoolStats reads; nil on SQLite
	users   *userCache
	pg      *pgx.ConnConfig // PostgreSQL's connection settings, for the feed's own connection (feed.go)

	// RetryAfter is the hint given with DATABASE_UNAVAILABLE.
	RetryAfter time.Duration
}

// Options tune a database.
type Options struct {
	// QueryTimeout bounds every call to the store, waiting for a connection
	// included: past it the database is DATABASE_UNAVAILABLE, so that a
	// saturated pool or a server that stopped answering fails fast instead of
	// holding the request to its own deadline. Zero means DefaultQueryTimeout.
	QueryTimeout time.Duration
}

// DefaultQueryTimeout is the default of Options.QueryTimeout.
const DefaultQueryTimeout = 5 * time.Second

// engine is what differs between SQLite and PostgreSQL.
type engine struct {
	name      string // also the folder of its migrations
	dialect   goose.Dialect
	forUpdate string // the row lock of a read that a write will follow
	forShare  string // the row lock of a read that must not change before commit
	// serialize, when set, makes concurrent transactions about key wait for
	// each other (PostgreSQL: an advisory lock; SQLite transactions are
	// serial anyway).
	serialize func(ctx context.Context, tx counted, key string) error
	// unavailable recognises errors that say the database cannot serve now.
	unavailable func(error) bool
	// uniqueColumn names the table.column of a unique violation.
	uniqueColumn func(error) (string, bool)
	// retryable recognises a serialization failure or a deadlock.
	retryable func(error) bool
	// sessionLocker serializes migrations run by several instances at once.
	sessionLocker func() (goose.ProviderOption, error)
	// soleWriter: this process is the only one writing the database, so it
	// may cache what only it changes (SQLite).
	soleWriter bool
	// system names the engine on store spans (db.system.name).
	system attribute.KeyValue
}

func newDB(sqlDB *sql.DB, e *engine, opts Options) *DB {
	db := &DB{sql: sqlDB, engine: e, timeout: opts.QueryTimeout, RetryAfter: 2 * time.Second}
	if db.timeout <= 0 {
		db.timeout = DefaultQueryTimeout
	}
	db.q = counted{h: sqlDB, n: &db.queries}
	if e.soleWriter {
		db.users = newUserCache()
	}
	return db
}

// Open connects to the database named by a DATABASE_URL value: "" for the
// default SQLite file, sqlite://PATH for another one, postgres://... for
// PostgreSQL. It does not migrate.
func Open(ctx context.Context, databaseURL string, opts Options) (*DB, error) {
	scheme, rest, _ := strings.Cut(databaseURL, "://")
	switch {
	case databaseURL == "":
		return openSQLite(ctx, DefaultSQLitePath, "", opts)
	case scheme == "sqlite" && rest != "":
		path, params, _ := strings.Cut(rest, "?")
		return openSQLite(ctx, path, params, opts)
	case scheme == "postgres" || scheme == "postgresql":
		return openPostgres(ctx, databaseURL, opts)
	default:
		return nil, errors.New("DATABASE_URL: want postgres://..., sqlite://PATH, or nothing for " + DefaultSQLitePath)
	}
}

// Engine names the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.engine.name }

// call gives one store call its deadline (see Options.QueryTimeout) and,
// when the request is traced, its span (tracing.go), which cancel ends.
func (db *DB) call(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, span := db.startSpan(ctx)
	ctx, cancel := context.WithTimeoutCause(ctx, db.timeout, errQueryTimeout)
	if span == nil {
		return ctx, cancel
	}
	return ctx, func() { cancel(); span.End() }
}

// Migrate applies every migration not yet applied, in version order; on
// PostgreSQL a session lock keeps instances starting together from
// migrating twice.
func (db *DB) Migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations/"+db.engine.name)
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	if db.engine.sessionLocker != nil {
		locker, err := db.engine.sessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, locker)
	}
	p, err := goose.NewProvider(db.engine.dialect, db.sql, dir, opts...)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	// goose's SQL parser reads each migration through a 4 MiB buffer kept in
	// a sync.Pool: 8 MiB or more that would stay in the heap, and in the
	// process's size, until two collections pass. Migrations run once, at
	// start, so hand the memory back now.
	debug.FreeOSMemory()
	return nil
}

// Ping checks that the database answers a query; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var one int
	return db.mapErr(ctx, db.q.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

// Close closes the database; later calls fail with DATABASE_UNAVAILABLE.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	err := db.sql.Close()
	if db.onClose != nil {
		db.onClose()
	}
	return err
}

// SQL exposes the underlying handle to tests of this package's users.
func (db *DB) SQL() *sql.DB { return db.sql }
