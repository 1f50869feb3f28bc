package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/faultline/faultline/apperr"
)

// mapErr is the one place where a database error becomes an apperr error:
// a context that ended is DEADLINE_EXCEEDED, a database that cannot serve
// now (busy, locked, closed, read-only, unreachable) is DATABASE_UNAVAILABLE
// with a retry hint, and anything else is INTERNAL. The driver's text stays
// in the cause, which is logged and never sent.
func (db *DB) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return apperr.Wrap(apperr.DeadlineExceeded, err)
	case db.closed.Load(), errors.Is(err, sql.ErrConnDone), isDBClosed(err), unavailable(err):
		return apperr.Unavailable(err, db.RetryAfter)
	}
	if field, ok := uniqueViolation(err); ok {
		return apperr.Wrap(apperr.AlreadyExists, err).With("field", field)
	}
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return err
	}
	return apperr.InternalError(err)
}

// uniqueFields names, for each unique column, the input field a client
// knows it by. A violation of any other unique constraint is a bug (INTERNAL).
var uniqueFields = map[string]string{
	"users.email": "email",
}

// uniqueViolation reports the field of a unique-constraint violation.
func uniqueViolation(err error) (string, bool) {
	e, ok := errors.AsType[*sqlite.Error](err)
	if !ok || e.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return "", false
	}
	// "UNIQUE constraint failed: users.email"
	_, column, _ := strings.Cut(e.Error(), "UNIQUE constraint failed: ")
	column, _, _ = strings.Cut(column, " ")
	field, ok := uniqueFields[column]
	return field, ok
}

// isDBClosed recognises database/sql's "database is closed", which the
// package does not export as a value.
func isDBClosed(err error) bool {
	return err.Error() == "sql: database is closed"
}

// unavailable reports SQLite result codes that say the database cannot serve
// right now, as opposed to a bad statement.
func unavailable(err error) bool {
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
}
