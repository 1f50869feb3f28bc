package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"modernc.org/sqlite" // the pure-Go "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDefaults are applied to every connection: WAL lets readers run
// beside the writer, synchronous=FULL syncs the WAL at every commit (at
// NORMAL a committed payment could vanish on power loss), busy_timeout
// waits for a lock before SQLITE_BUSY, and _txlock=immediate takes the write lock at BEGIN so that two writers
// serialize instead of failing on a lock upgrade. DATABASE_URL parameters
// override them by name (sqlite://x.db?_pragma=busy_timeout(50)).
var sqliteDefaults = []string{
	"_pragma=busy_timeout(5000)",
	"_pragma=journal_mode(WAL)",
	"_pragma=synchronous(FULL)",
	"_pragma=foreign_keys(1)",
	"_txlock=immediate",
}

// sqlitePool is how many connections a SQLite database keeps: WAL readers
// run beside the one writer, and the pure-Go driver's work is CPU-bound, so
// more than a few per core only queue at the file.
const sqlitePool = 16

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

func openSQLite(ctx context.Context, path, params string, opts Options) (*DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("creating the database folder: %w", err)
		}
	}
	query, err := sqliteQuery(params)
	if err != nil {
		return nil, err
	}
	lock, err := lockSQLite(path)
	if err != nil {
		return nil, err
	}
	sqlDB, err := sql.Open("sqlite", "file:"+path+"?"+query)
	if err != nil {
		lock.Close()
		return nil, err
	}
	// A bounded pool kept open: database/sql's default (any number open, two
	// kept idle) opens and closes a connection, schema parse and all, for
	// each reader past the second in a burst, such as the reads of a change
	// that many subscribers follow.
	sqlDB.SetMaxOpenConns(sqlitePool)
	sqlDB.SetMaxIdleConns(sqlitePool)
	db := newDB(sqlDB, sqliteEngine, opts)
	// Released after the connections close: then the next owner may open it.
	db.onClose = func() { lock.Close() }
	if err := sqlDB.PingContext(ctx); err != nil { // the driver's own error: this message is for the operator
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return db, nil
}

// sqliteEngine is SQLite's dialect and error classification. A SQLite write
// transaction (BEGIN IMMEDIATE) holds the whole database, so rows need no
// locks of their own.
var sqliteEngine = &engine{
	name:       "sqlite",
	soleWriter: true, // one faultline process owns a SQLite file (sqlitelock.go); several instances share PostgreSQL instead
	system:     semconv.DBSystemNameSQLite,
	dialect:    goose.DialectSQLite3,
	forUpdate:  "",
	forShare:   "",
	unavailable: func(err error) bool {
		e, ok := errors.AsType[*sqlite.Error](err)
		if !ok {
			return false
		}
		switch e.Code() & 0xff { // the primary code; extended codes add high bits
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_READONLY,
			sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	},
	uniqueColumn: func(err error) (string, bool) {
		e, ok := errors.AsType[*sqlite.Error](err)
		if !ok || e.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			return "", false
		}
		// "UNIQUE constraint failed: users.email"
		_, column, _ := strings.Cut(e.Error(), "UNIQUE constraint failed: ")
		column, _, _ = strings.Cut(column, " ")
		return column, true
	},
	retryable: func(error) bool { return false },
}
