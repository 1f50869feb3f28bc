package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// openPostgres connects a pgx v5 pool (pool_max_conns and the other pgxpool
// parameters of the URL apply) and serves database/sql from it, so that
// both engines run the same store code.
func openPostgres(ctx context.Context, databaseURL string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 3 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	db := newDB(stdlib.OpenDBFromPool(pool), postgresEngine, opts)
	db.onClose, db.pool = pool.Close, pool
	db.pg = cfg.ConnConfig.Copy()
	if err := pool.Ping(ctx); err != nil { // the driver's own error: this message is for the operator
		db.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	return db, nil
}

// postgresEngine is PostgreSQL's dialect and error classification.
// Transactions run at READ COMMITTED; the rows a decision reads are locked
// (FOR UPDATE, in the order order → wallet everywhere, so two transactions
// cannot deadlock), and conditional updates guard the rest.
var postgresEngine = &engine{
	name:      "postgres",
	system:    semconv.DBSystemNamePostgreSQL,
	dialect:   goose.DialectPostgres,
	forUpdate: " FOR UPDATE",
	forShare:  " FOR SHARE",
	serialize: func(ctx context.Context, tx counted, key string) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key)
		return err
	},
	unavailable: func(err error) bool {
		if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
			switch pgErr.Code[:2] {
			case "08", // connection exception
				"53", // insufficient resources (too many connections, disk full, ...)
				"57": // operator intervention (admin shutdown, cannot connect now, ...)
				return true
			}
			return false
		}
		var netErr net.Error
		_, connect := errors.AsType[*pgconn.ConnectError](err)
		return connect || errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
			pgconn.SafeToRetry(err) || isConnClosed(err)
	},
	uniqueColumn: func(err error) (string, bool) {
		pgErr, ok := errors.AsType[*pgconn.PgError](err)
		if !ok || pgErr.Code != "23505" {
			return "", false
		}
		return postgresUniqueColumns[pgErr.ConstraintName], true
	},
	retryable: func(err error) bool {
		pgErr, ok := errors.AsType[*pgconn.PgError](err)
		return ok && (pgErr.Code == "40001" || pgErr.Code == "40P01") // serialization failure, deadlock
	},
	sessionLocker: func() (goose.ProviderOption, error) {
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		return goose.WithSessionLocker(l), nil
	},
}

// postgresUniqueColumns names the table.column of each unique index.
var postgresUniqueColumns = map[string]string{
	"users_email": "users.email",
}

// isConnClosed recognises pgx's "conn closed" (a connection the server dropped).
func isConnClosed(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "conn closed" {
			return true
		}
	}
	return false
}
