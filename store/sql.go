package store

import (
	"context"
	"database/sql"
	"strconv"
)

func itoa(i int) string { return strconv.Itoa(i) }

// inTx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise, so a failed write leaves nothing behind.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return db.mapErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return db.mapErr(err)
	}
	return db.mapErr(tx.Commit())
}
