package store_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPersistedQueriesStayWithinTheirBudget: documents are kept by hash, a
// second save of one changes nothing, and past the budget the oldest go
// first, so the bytes kept never pass it.
func TestPersistedQueriesStayWithinTheirBudget(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	doc := func(i int) (string, string) {
		return strings.Repeat(strconv.Itoa(i%10), 64), "{ __typename } # " + strconv.Itoa(i) + strings.Repeat(" ", 900)
	}
	const budget = 10_000
	for i := range 50 {
		h, q := doc(i)
		h = strconv.Itoa(i) + h[len(strconv.Itoa(i)):]
		require.NoError(t, db.SavePersistedQuery(ctx, h, q, budget))
		require.NoError(t, db.SavePersistedQuery(ctx, h, q, budget), "a second save is a no-op")
		var total, sum int64
		require.NoError(t, db.SQL().QueryRow(`SELECT bytes FROM persisted_query_bytes`).Scan(&total))
		require.NoError(t, db.SQL().QueryRow(`SELECT COALESCE(SUM(bytes), 0) FROM persisted_queries`).Scan(&sum))
		assert.Equal(t, sum, total, "the running total is the sum")
		assert.LessOrEqual(t, total, int64(budget))
		got, ok, err := db.PersistedQuery(ctx, h)
		require.NoError(t, err)
		require.True(t, ok, "the newest is kept")
		assert.Equal(t, q, got)
	}
	_, ok, err := db.PersistedQuery(ctx, "0"+strings.Repeat("0", 63))
	require.NoError(t, err)
	assert.False(t, ok, "the oldest went first")
}

// TestConcurrentSavesKeepTheTotal: instances registering at once keep the
// total of bytes true.
func TestConcurrentSavesKeepTheTotal(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			h := strconv.Itoa(1000+i) + strings.Repeat("a", 60)
			assert.NoError(t, db.SavePersistedQuery(ctx, h, "{ __typename } #"+h, 5_000))
		})
	}
	wg.Wait()
	var total, sum int64
	require.NoError(t, db.SQL().QueryRow(`SELECT bytes FROM persisted_query_bytes`).Scan(&total))
	require.NoError(t, db.SQL().QueryRow(`SELECT COALESCE(SUM(bytes), 0) FROM persisted_queries`).Scan(&sum))
	assert.Equal(t, sum, total)
	assert.LessOrEqual(t, total, int64(5_000))
}
