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
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DefaultSQLitePath is where the database lives when DATABASE_URL is unset.
const DefaultSQLitePath = "data/faultline.db"

//go:embed migrations
var migrations embed.FS

// DB is a faultline database.
type DB struct {
	sql     *sql.DB
	dialect goose.Dialect
	engine  string // the folder of its migrations: "sqlite"
	closed  atomic.Bool
	q       counted // every statement outside a transaction goes through it
	queries atomic.Int64
	// RetryAfter is the hint given with DATABASE_UNAVAILABLE.
	RetryAfter time.Duration
}

// Open connects to the database named by a DATABASE_URL value ("" for the
// default SQLite file, sqlite://PATH for another one). It does not migrate.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	scheme, rest, _ := strings.Cut(databaseURL, "://")
	switch {
	case databaseURL == "":
		return openSQLite(ctx, DefaultSQLitePath, "")
	case scheme == "sqlite" && rest != "":
		path, params, _ := strings.Cut(rest, "?")
		return openSQLite(ctx, path, params)
	case scheme == "postgres" || scheme == "postgresql":
		return nil, errors.New("DATABASE_URL: PostgreSQL is not supported yet; use sqlite://PATH or leave it unset")
	default:
		return nil, errors.New("DATABASE_URL: want sqlite://PATH (or unset for " + DefaultSQLitePath + ")")
	}
}

// sqliteDefaults are applied to every connection: WAL lets readers run
// beside the writer, busy_timeout waits for a lock before SQLITE_BUSY, and
// _txlock=immediate takes the write lock at BEGIN so that two writers
// serialize instead of failing on a lock upgrade. DATABASE_URL parameters
// override them by name (sqlite://x.db?_pragma=busy_timeout(50)).
var sqliteDefaults = []string{
	"_pragma=busy_timeout(5000)",
	"_pragma=journal_mode(WAL)",
	"_pragma=synchronous(NORMAL)",
	"_pragma=foreign_keys(1)",
	"_txlock=immediate",
}

// sqliteQuery merges the caller's DSN parameters over sqliteDefaults.
func sqliteQuery(params string) (string, error) {
	given, err := url.ParseQuery(params)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL parameters: %w", err)
	}
	overridden := map[string]bool{}
	for key, values := range given {
		if key != "_pragma" {
			overridden[key] = true
			continue
		}
		for _, v := range values {
			overridden["_pragma="+pragmaName(v)] = true
		}
	}
	parts := make([]string, 0, len(sqliteDefaults)+1)
	for _, d := range sqliteDefaults {
		key, value, _ := strings.Cut(d, "=")
		if key == "_pragma" {
			key += "=" + pragmaName(value)
		}
		if !overridden[key] {
			parts = append(parts, d)
		}
	}
	if params != "" {
		parts = append(parts, params)
	}
	return strings.Join(parts, "&"), nil
}

// pragmaName is "busy_timeout" for "busy_timeout(50)" or "busy_timeout=50".
func pragmaName(p string) string {
	if i := strings.IndexAny(p, "(="); i >= 0 {
		p = p[:i]
	}
	return strings.ToLower(strings.TrimSpace(p))
}

func openSQLite(ctx context.Context, path, params string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("creating the database folder: %w", err)
		}
	}
	query, err := sqliteQuery(params)
	if err != nil {
		return nil, err
	}
	sqlDB, err := sql.Open("sqlite", "file:"+path+"?"+query)
	if err != nil {
		return nil, err
	}
	db := &DB{sql: sqlDB, dialect: goose.DialectSQLite3, engine: "sqlite", RetryAfter: 2 * time.Second}
	db.q = counted{h: sqlDB, n: &db.queries}
	if err := db.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return db, nil
}

// Migrate applies every migration not yet applied, in version order.
func (db *DB) Migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations/"+db.engine)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(db.dialect, db.sql, dir)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	return nil
}

// Ping checks that the database answers a query; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.mapErr(db.q.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

// Close closes the database; later calls fail with DATABASE_UNAVAILABLE.
func (db *DB) Close() error {
	db.closed.Store(true)
	return db.sql.Close()
}

// SQL exposes the underlying handle to tests of this package's users.
func (db *DB) SQL() *sql.DB { return db.sql }
