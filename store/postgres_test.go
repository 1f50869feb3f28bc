package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/pgtest"
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/shop"
	"github.com/faultline/faultline/store"
)

// TestStoppedPostgresIsUnavailableAndRecovers stops the server under an
// open store: every call is DATABASE_UNAVAILABLE (not INTERNAL, not a hang),
// and the same store serves again once the server is back.
func TestStoppedPostgresIsUnavailableAndRecovers(t *testing.T) {
	cluster := pgtest.Start(t)
	ctx := context.Background()
	db, err := store.Open(ctx, cluster.URL(), store.Options{QueryTimeout: 2 * time.Second})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Migrate(ctx))
	_, err = db.SeedDemoProducts(ctx, "")
	require.NoError(t, err)

	cluster.Stop()
	for _, call := range []func() error{
		func() error { return db.Ping(ctx) },
		func() error { _, err := db.ListProducts(ctx, shop.ProductFilter{}, "", 5); return err },
		func() error { return db.InsertProduct(ctx, product("down", "x")) },
	} {
		start := time.Now()
		err := call()
		ae, ok := errors.AsType[*apperr.Error](err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, apperr.DatabaseUnavailable, ae.Type, "%v", ae.Cause)
		assert.Positive(t, ae.RetryAfterSeconds())
		assert.Less(t, time.Since(start), 5*time.Second, "no hang")
	}

	cluster.Restart()
	require.Eventually(t, func() bool { return db.Ping(ctx) == nil }, 10*time.Second, 50*time.Millisecond, "recovers without a restart")
	products, err := db.ListProducts(ctx, shop.ProductFilter{}, "", 100)
	require.NoError(t, err)
	assert.Len(t, products, 14, "nothing was lost")
}

func TestUnreachablePostgresAtStart(t *testing.T) {
	testdb.PostgresOnly(t)
	_, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=1", store.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connecting to PostgreSQL")
}

// TestSaturatedPoolIsUnavailable: with the only connection of the pool held
// by a transaction, a call waits its QueryTimeout and answers
// DATABASE_UNAVAILABLE instead of holding the request to its own deadline.
func TestSaturatedPoolIsUnavailable(t *testing.T) {
	base := testdb.PostgresOnly(t)
	url := testdb.PostgresSchema(t, base)
	ctx := context.Background()
	db, err := store.Open(ctx, url+"&pool_max_conns=1", store.Options{QueryTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Migrate(ctx))

	held, err := db.SQL().BeginTx(ctx, nil)
	require.NoError(t, err)
	defer held.Rollback() //nolint:errcheck

	_, err = db.ListProducts(ctx, shop.ProductFilter{}, "", 5)
	assert.True(t, errors.Is(err, apperr.DatabaseUnavailable), "%v", err)
	ae, _ := errors.AsType[*apperr.Error](err)
	require.NotNil(t, ae)
	assert.True(t, strings.Contains(ae.Cause.Error(), "query timeout"), "%v", ae.Cause)

	// The request's own deadline, shorter than the query timeout, stays a timeout.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = db.ListProducts(short, shop.ProductFilter{}, "", 5)
	assert.True(t, errors.Is(err, apperr.DeadlineExceeded), "%v", err)
}
