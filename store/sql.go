package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

// handle is what *sql.DB and *sql.Tx have in common.
type handle interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// counted runs statements on a database or transaction and counts them, so
// that a benchmark can show how many queries a request costs.
type counted struct {
	h handle
	n *atomic.Int64
}

func (c counted) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.h.ExecContext(ctx, q, args...)
}

func (c counted) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.h.QueryContext(ctx, q, args...)
}

func (c counted) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.h.QueryRowContext(ctx, q, args...)
}

// Queries is how many statements the database has run since it was opened.
func (db *DB) Queries() int64 { return db.queries.Load() }

// txAttempts bounds how often a transaction that lost a serialization race
// (or a deadlock) is run again before CONCURRENT_MODIFICATION.
const txAttempts = 3

// exec runs one statement on its own, within the store's deadline, with its
// error mapped.
func (db *DB) exec(ctx context.Context, q string, args ...any) error {
	ctx, cancel := db.call(ctx)
	defer cancel()
	_, err := db.q.ExecContext(ctx, q, args...)
	return db.mapErr(ctx, err)
}

// inTx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise, so a failed write leaves nothing behind. A serialization
// failure or deadlock runs fn again, up to txAttempts times.
func (db *DB) inTx(ctx context.Context, fn func(tx counted) error) error {
	for attempt := 1; ; attempt++ {
		err := db.tx(ctx, fn)
		if err == nil || attempt == txAttempts || !db.engine.retryable(err) {
			return db.mapErr(ctx, err)
		}
		select {
		case <-time.After(time.Duration(attempt) * 5 * time.Millisecond):
		case <-ctx.Done():
			return db.mapErr(ctx, ctx.Err())
		}
	}
}

func (db *DB) tx(ctx context.Context, fn func(tx counted) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(counted{h: tx, n: &db.queries}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// in is "IN ($k, $k+1, ...)" for n values, numbered from k.
func in(k, n int) string {
	var b strings.Builder
	b.WriteString("IN (")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + itoa(k+i))
	}
	b.WriteString(")")
	return b.String()
}

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
