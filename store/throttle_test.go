package store_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/store"
)

func bucketHits(t *testing.T, db *store.DB, bucket string) int {
	t.Helper()
	var n int
	require.NoError(t, db.SQL().QueryRow(`SELECT COUNT(*) FROM throttle_hits WHERE bucket = $1`, bucket).Scan(&n))
	return n
}

func hit(id string, at time.Time, buckets ...auth.Bucket) auth.Hit {
	return auth.Hit{ID: id, At: at, Buckets: buckets}
}

// TestThrottleCountsEachBucketInItsWindow: a hit is refused by the bucket
// that frees up last, leaves no row when refused, and old hits fall out of
// the window.
func TestThrottleCountsEachBucketInItsWindow(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Microsecond)
	short := auth.Bucket{Key: "short", Rate: auth.Rate{Limit: 2, Window: time.Minute}}
	long := auth.Bucket{Key: "long", Rate: auth.Rate{Limit: 2, Window: time.Hour}}

	for i, id := range []string{"h1", "h2"} {
		refused, err := db.Throttle(ctx, hit(id, t0.Add(time.Duration(i)*time.Second), short, long))
		require.NoError(t, err)
		assert.Nil(t, refused, id)
	}
	refused, err := db.Throttle(ctx, hit("h3", t0.Add(2*time.Second), short, long))
	require.NoError(t, err)
	require.NotNil(t, refused)
	assert.Equal(t, "long", refused.Bucket, "both are full; the hour frees up last")
	assert.True(t, t0.Add(time.Hour).Equal(refused.Until), "when the oldest hit leaves: %v", refused.Until)
	assert.Equal(t, 2, bucketHits(t, db, "short"), "the refused hit left no row")
	assert.Equal(t, 2, bucketHits(t, db, "long"))

	// Two minutes on, the short window is empty again, the long one not.
	later := t0.Add(2 * time.Minute)
	refused, err = db.Throttle(ctx, hit("h4", later, short))
	require.NoError(t, err)
	assert.Nil(t, refused)
	refused, err = db.Throttle(ctx, hit("h5", later, long))
	require.NoError(t, err)
	require.NotNil(t, refused)
	assert.Equal(t, "long", refused.Bucket)
}

// TestForgetHitRemovesOneHitAmongSimultaneousOnes: two hits of the same
// instant are told apart by their ids; clearing a bucket removes all of it
// and nothing else.
func TestForgetHitRemovesOneHitAmongSimultaneousOnes(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	at := time.Now().UTC()
	pair := auth.Bucket{Key: "pair", Rate: auth.Rate{Limit: 10, Window: time.Minute}}
	email := auth.Bucket{Key: "email", Rate: auth.Rate{Limit: 10, Window: time.Minute}}
	for _, id := range []string{"a", "b", "c"} {
		_, err := db.Throttle(ctx, hit(id, at, pair, email))
		require.NoError(t, err)
	}
	require.NoError(t, db.ForgetHit(ctx, "a"))
	assert.Equal(t, 2, bucketHits(t, db, "pair"))
	assert.Equal(t, 2, bucketHits(t, db, "email"), "b and c, of the same instant, stay")

	require.NoError(t, db.ForgetHit(ctx, "b", "pair"))
	assert.Equal(t, 0, bucketHits(t, db, "pair"))
	assert.Equal(t, 1, bucketHits(t, db, "email"), "c stays in the bucket not cleared")
}

// TestConcurrentHitsAreCountedOneByOne: 20 hits at once on buckets of
// limit 5, each hit in both (listed in either order): exactly 5 pass.
func TestConcurrentHitsAreCountedOneByOne(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	x := auth.Bucket{Key: "x", Rate: auth.Rate{Limit: 5, Window: time.Minute}}
	y := auth.Bucket{Key: "y", Rate: auth.Rate{Limit: 50, Window: time.Minute}}
	var passed atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 20 {
		wg.Go(func() {
			buckets := []auth.Bucket{x, y}
			if i%2 == 1 {
				buckets = []auth.Bucket{y, x}
			}
			<-start
			refused, err := db.Throttle(ctx, hit("c"+strconv.Itoa(i), time.Now().UTC(), buckets...))
			if assert.NoError(t, err) && refused == nil {
				passed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(5), passed.Load())
	assert.Equal(t, 5, bucketHits(t, db, "x"))
	assert.Equal(t, 5, bucketHits(t, db, "y"), "a refused hit leaves no row in any bucket")
}

func TestDeleteExpiredDropsOnlyOldHits(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	now := time.Now().UTC()
	b := auth.Bucket{Key: "b", Rate: auth.Rate{Limit: 10, Window: time.Hour}}
	for i, id := range []string{"old", "new"} {
		_, err := db.Throttle(ctx, hit(id, now.Add(time.Duration(i-1)*time.Hour), b))
		require.NoError(t, err)
	}
	require.NoError(t, db.DeleteExpired(ctx, now, now.Add(-30*time.Minute)))
	var id string
	require.NoError(t, db.SQL().QueryRow(`SELECT hit_id FROM throttle_hits`).Scan(&id))
	assert.Equal(t, "new", id)
}

// TestThrottleHitsMigrationKeepsTheLoginAttempts: migration 5 carries the
// old per-email attempts into the per-email bucket, and its Down back.
func TestThrottleHitsMigrationKeepsTheLoginAttempts(t *testing.T) {
	db := open(t, testdb.DatabaseURL(t))
	ctx := context.Background()
	dialect := map[string]goose.Dialect{"sqlite": goose.DialectSQLite3, "postgres": goose.DialectPostgres}[db.Engine()]
	p, err := goose.NewProvider(dialect, db.SQL(), os.DirFS("migrations/"+db.Engine()))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 4)
	require.NoError(t, err)
	at := time.Now().UnixMicro()
	_, err = db.SQL().Exec(`INSERT INTO login_attempts (email, attempted_at) VALUES ('a@example.com', $1), ('a@example.com', $2)`, at, at)
	require.NoError(t, err)

	_, err = p.UpTo(ctx, 5)
	require.NoError(t, err)
	assert.Equal(t, 2, bucketHits(t, db, "login:email:a@example.com"))
	var ids int
	require.NoError(t, db.SQL().QueryRow(`SELECT COUNT(DISTINCT hit_id) FROM throttle_hits`).Scan(&ids))
	assert.Equal(t, 2, ids, "each carried attempt has an id of its own")

	_, err = p.Down(ctx)
	require.NoError(t, err)
	var n int
	require.NoError(t, db.SQL().QueryRow(`SELECT COUNT(*) FROM login_attempts WHERE email = 'a@example.com' AND attempted_at = $1`, at).Scan(&n))
	assert.Equal(t, 2, n)
	require.NoError(t, db.Migrate(ctx), "and up again")
}
