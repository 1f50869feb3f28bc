package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/auth"
)

// Throttle implements auth.Store. On PostgreSQL each bucket is locked
// (engine.serialize) in key order, so that two hits sharing buckets wait
// for each other instead of deadlocking; a SQLite write transaction is
// serial anyway. Insert, count and, for a refusal, removal are one
// transaction: no other hit ever counts a refused one.
func (db *DB) Throttle(ctx context.Context, hit auth.Hit) (*auth.Refusal, error) {
	if len(hit.Buckets) == 0 {
		return nil, nil
	}
	ctx, cancel := db.call(ctx)
	defer cancel()
	buckets := slices.SortedFunc(slices.Values(hit.Buckets), func(a, b auth.Bucket) int { return cmp.Compare(a.Key, b.Key) })
	var refused *auth.Refusal
	err := db.inTx(ctx, func(tx counted) error {
		if db.engine.serialize != nil {
			for _, b := range buckets {
				if err := db.engine.serialize(ctx, tx, "throttle:"+b.Key); err != nil {
					return err
				}
			}
		}
		values := make([]string, len(buckets))
		args := []any{hit.ID, hit.At.UnixMicro()}
		for i, b := range buckets {
			values[i] = "($" + itoa(i+3) + ", $1, $2)"
			args = append(args, b.Key)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO throttle_hits (bucket, hit_id, at) VALUES `+strings.Join(values, ", "), args...); err != nil {
			return err
		}
		var err error
		if refused, err = over(ctx, tx, buckets, hit.At); err != nil || refused == nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM throttle_hits WHERE hit_id = $1`, hit.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return refused, nil
}

// over counts each bucket's hits within its window before at, in one
// statement, and returns the refusal of the bucket over its limit that
// frees up last, or nil.
func over(ctx context.Context, tx counted, buckets []auth.Bucket, at time.Time) (*auth.Refusal, error) {
	selects := make([]string, len(buckets))
	args := make([]any, 0, 2*len(buckets))
	for i, b := range buckets {
		selects[i] = "SELECT " + itoa(i) + ", COUNT(*), COALESCE(MIN(at), 0) FROM throttle_hits WHERE bucket = $" +
			itoa(2*i+1) + " AND at > $" + itoa(2*i+2)
		args = append(args, b.Key, at.Add(-b.Window).UnixMicro())
	}
	rows, err := tx.QueryContext(ctx, strings.Join(selects, " UNION ALL "), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var refused *auth.Refusal
	for rows.Next() {
		var (
			i, n   int
			oldest int64
		)
		if err := rows.Scan(&i, &n, &oldest); err != nil {
			return nil, err
		}
		b := buckets[i]
		if n <= b.Limit {
			continue
		}
		if until := time.UnixMicro(oldest).Add(b.Window).UTC(); refused == nil || until.After(refused.Until) {
			refused = &auth.Refusal{Bucket: b.Key, Until: until}
		}
	}
	return refused, rows.Err()
}

// ForgetHit implements auth.Store.
func (db *DB) ForgetHit(ctx context.Context, id string, clear ...string) error {
	if len(clear) == 0 {
		return db.exec(ctx, `DELETE FROM throttle_hits WHERE hit_id = $1`, id)
	}
	return db.exec(ctx, `DELETE FROM throttle_hits WHERE hit_id = $1 OR bucket `+in(2, len(clear)), append([]any{id}, anys(clear)...)...)
}
