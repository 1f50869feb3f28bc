package store

import (
	"context"
	"time"
)

// Heartbeat records that instance id is alive at at, forgets the instances
// not seen since at-stale, and returns how many are alive, this one
// included, in one transaction (see operation.RateLimit).
func (db *DB) Heartbeat(ctx context.Context, id string, at time.Time, stale time.Duration) (int, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var live int
	err := db.inTx(ctx, func(tx counted) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO instances (id, seen_at) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, id, at.UnixMicro()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE seen_at < $1`, at.Add(-stale).UnixMicro()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM instances`).Scan(&live)
	})
	return live, err
}

// Leave forgets instance id, which is stopping, so that the others count
// it out at their next heartbeat.
func (db *DB) Leave(ctx context.Context, id string) error {
	return db.exec(ctx, `DELETE FROM instances WHERE id = $1`, id)
}
