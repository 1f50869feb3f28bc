package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"go.opentelemetry.io/otel/trace"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/spans"
)

// errQueryTimeout is the cause of a store call's own deadline (Options.QueryTimeout).
var errQueryTimeout = errors.New("the database did not answer within the query timeout")

// uniqueFields names, for each unique column, the input field a client
// knows it by. A violation of any other unique constraint is a bug (INTERNAL).
var uniqueFields = map[string]string{
	"users.email": "email",
}

// mapErr is the one place where a database error becomes an apperr error,
// for both engines:
//   - an apperr error (a domain decision inside a transaction) passes through;
//   - the store call's own deadline, a closed database, and what the engine
//     says means "cannot serve now" (busy, read-only, refused, gone away) are
//     DATABASE_UNAVAILABLE with a retry hint;
//   - the request's deadline (or the client leaving) is DEADLINE_EXCEEDED;
//   - a unique violation is ALREADY_EXISTS naming the field;
//   - a serialization failure left after the retries is CONCURRENT_MODIFICATION;
//   - anything else is INTERNAL.
//
// The driver's text stays in the cause, which is logged and never sent. The
// store call's span, when the request is traced, gets the mapped error.
func (db *DB) mapErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	mapped := db.classify(ctx, err)
	spans.Fail(trace.SpanFromContext(ctx), mapped, 1) // the store call's span, when it is traced
	return mapped
}

// classify is mapErr's decision.
func (db *DB) classify(ctx context.Context, err error) error {
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		if errors.Is(context.Cause(ctx), errQueryTimeout) {
			return apperr.Unavailable(errors.Join(errQueryTimeout, err), db.RetryAfter)
		}
		return apperr.Wrap(apperr.DeadlineExceeded, err)
	case db.closed.Load(), errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn),
		isDBClosed(err), db.engine.unavailable(err):
		return apperr.Unavailable(err, db.RetryAfter)
	case db.engine.retryable(err):
		return apperr.Wrap(apperr.ConcurrentModification, err)
	}
	if column, ok := db.engine.uniqueColumn(err); ok {
		if field, ok := uniqueFields[column]; ok {
			return apperr.Wrap(apperr.AlreadyExists, err).With("field", field)
		}
	}
	return apperr.InternalError(err)
}

// isDBClosed recognises database/sql's "database is closed", which the
// package does not export as a value.
func isDBClosed(err error) bool {
	return err.Error() == "sql: database is closed"
}
