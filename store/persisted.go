package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// PersistedQuery returns the document stored under hash; ok is false for none.
func (db *DB) PersistedQuery(ctx context.Context, hash string) (query string, ok bool, err error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	err = db.q.QueryRowContext(ctx, `SELECT query FROM persisted_queries WHERE hash = $1`, hash).Scan(&query)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, db.mapErr(ctx, err)
	}
	return query, true, nil
}

// persistedEvictBatch is how many of the oldest documents one step of
// eviction deletes.
const persistedEvictBatch = 64

// SavePersistedQuery stores query under hash (a second save of one hash
// changes nothing) and, when the documents then weigh more than budget
// bytes, deletes the oldest until they do not, in the same transaction.
func (db *DB) SavePersistedQuery(ctx context.Context, hash, query string, budget int64) error {
	ctx, cancel := db.call(ctx)
	defer cancel()
	n := int64(len(hash) + len(query))
	return db.inTx(ctx, func(tx counted) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO persisted_queries (hash, query, bytes, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (hash) DO NOTHING`, hash, query, n, time.Now().UnixMicro())
		if err != nil {
			return err
		}
		if added, err := res.RowsAffected(); err != nil || added == 0 {
			return err
		}
		var total int64
		if err := tx.QueryRowContext(ctx, `UPDATE persisted_query_bytes SET bytes = bytes + $1 WHERE id = 1 RETURNING bytes`, n).Scan(&total); err != nil {
			return err
		}
		for total > budget {
			freed, err := evictOldestPersisted(ctx, tx)
			if err != nil || freed == 0 {
				return err
			}
			if err := tx.QueryRowContext(ctx, `UPDATE persisted_query_bytes SET bytes = bytes - $1 WHERE id = 1 RETURNING bytes`, freed).Scan(&total); err != nil {
				return err
			}
		}
		return nil
	})
}

// evictOldestPersisted deletes the oldest documents (persistedEvictBatch of
// them) and returns the bytes they held. SQLite has no DELETE in a WITH, so
// they are read first.
func evictOldestPersisted(ctx context.Context, tx counted) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT hash, bytes FROM persisted_queries ORDER BY created_at, hash LIMIT $1`, persistedEvictBatch)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var (
		hashes []string
		freed  int64
	)
	for rows.Next() {
		var (
			h string
			n int64
		)
		if err := rows.Scan(&h, &n); err != nil {
			return 0, err
		}
		hashes, freed = append(hashes, h), freed+n
	}
	if err := rows.Err(); err != nil || len(hashes) == 0 {
		return 0, err
	}
	rows.Close() // a transaction's connection runs one statement at a time
	_, err = tx.ExecContext(ctx, `DELETE FROM persisted_queries WHERE hash `+in(1, len(hashes)), anys(hashes)...)
	return freed, err
}
