package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testdb"
)

// TestDeadlocksAreRetried makes PostgreSQL detect a real deadlock between
// two transactions that lock two rows in opposite orders: the one it aborts
// is run again by inTx and succeeds, so both callers succeed.
func TestDeadlocksAreRetried(t *testing.T) {
	base := testdb.PostgresOnly(t)
	ctx := context.Background()
	db, err := Open(ctx, testdb.PostgresSchema(t, base), Options{QueryTimeout: 10 * time.Second})
	require.NoError(t, err)
	defer db.Close()
	_, err = db.sql.ExecContext(ctx, `CREATE TABLE pair (id INT PRIMARY KEY, n INT NOT NULL);
		INSERT INTO pair VALUES (1, 0), (2, 0); SET deadlock_timeout = '50ms'`)
	require.NoError(t, err)

	var attempts atomic.Int32
	var bothLocked sync.WaitGroup
	bothLocked.Add(2)
	lockInOrder := func(first, second int) error {
		var once sync.Once
		return db.inTx(ctx, func(tx counted) error {
			attempts.Add(1)
			if _, err := tx.ExecContext(ctx, `SET LOCAL deadlock_timeout = '50ms'`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE pair SET n = n + 1 WHERE id = $1`, first); err != nil {
				return err
			}
			once.Do(func() { bothLocked.Done(); bothLocked.Wait() }) // the first attempts meet here
			_, err := tx.ExecContext(ctx, `UPDATE pair SET n = n + 1 WHERE id = $1`, second)
			return err
		})
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = lockInOrder(1, 2) })
	wg.Go(func() { errs[1] = lockInOrder(2, 1) })
	wg.Wait()
	assert.NoError(t, errs[0])
	assert.NoError(t, errs[1])
	assert.Equal(t, int32(3), attempts.Load(), "one of the two ran twice")
	var total int
	require.NoError(t, db.sql.QueryRowContext(ctx, `SELECT SUM(n) FROM pair`).Scan(&total))
	assert.Equal(t, 4, total, "each transaction applied once")
}
