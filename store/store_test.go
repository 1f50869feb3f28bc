package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/shop"
	"github.com/faultline/faultline/store"
)

func open(t testing.TB, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// migrated opens a fresh, migrated database of the run's engine and
// returns its DATABASE_URL too.
func migrated(t testing.TB) (*store.DB, string) {
	t.Helper()
	url := testdb.DatabaseURL(t)
	db := open(t, url)
	require.NoError(t, db.Migrate(context.Background()))
	return db, url
}

// sqliteOnly skips a test of SQLite's own locks and files on the
// PostgreSQL run.
func sqliteOnly(t *testing.T) {
	if testdb.Engine() != "sqlite" {
		t.Skip("a SQLite fault; PostgreSQL's are in postgres_test.go")
	}
}

func product(name string, categories ...string) shop.Product {
	return shop.Product{ID: name + "-id", Name: name, PriceCents: 100, Categories: categories, CreatedAt: time.Now().UTC()}
}

func TestOpenRejectsWhatItCannotServe(t *testing.T) {
	for _, url := range []string{"mysql://x", "sqlite://", "nonsense", "postgres://%zz"} {
		_, err := store.Open(context.Background(), url, store.Options{})
		assert.ErrorContains(t, err, "DATABASE_URL", url)
	}
}

func TestMigrationsAreVersionedAndIdempotent(t *testing.T) {
	db, url := migrated(t)
	require.NoError(t, db.Migrate(context.Background()), "a second start applies nothing")
	require.NoError(t, db.Close())

	again := open(t, url)
	require.NoError(t, again.Migrate(context.Background()))
	var versions int
	require.NoError(t, again.SQL().QueryRow(`SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0`).Scan(&versions))
	files, err := filepath.Glob("migrations/" + again.Engine() + "/*.sql")
	require.NoError(t, err)
	assert.Equal(t, len(files), versions, "every migration applied once")
}

func TestSeedDemoOnlyFillsAnEmptyCatalog(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	seeded, err := db.SeedDemoProducts(ctx, "")
	require.NoError(t, err)
	assert.True(t, seeded)
	seeded, err = db.SeedDemoProducts(ctx, "")
	require.NoError(t, err)
	assert.False(t, seeded)
	all, err := db.ListProducts(ctx, shop.ProductFilter{IncludeBanned: true}, "", 1000)
	require.NoError(t, err)
	assert.Len(t, all, 15)
}

func TestAFailedWriteLeavesNoPartialRow(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	// The product row is written first; the empty category then breaks a CHECK.
	err := db.InsertProduct(ctx, product("half", "ok", ""))
	require.Error(t, err)
	assert.True(t, errors.Is(err, apperr.Internal), "a constraint the domain should have checked is a bug: %v", err)
	p, err := db.ProductByID(ctx, "half-id")
	require.NoError(t, err)
	assert.Nil(t, p, "the transaction rolled back the product row")
}

func TestBusyDatabaseIsUnavailable(t *testing.T) {
	sqliteOnly(t)
	migratedDB, url := migrated(t)
	require.NoError(t, migratedDB.Close()) // one owner at a time
	path := strings.TrimPrefix(url, "sqlite://")
	db := open(t, url+"?_pragma=busy_timeout(50)")
	ctx := context.Background()

	// Another process's writer holds the write lock.
	other, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer other.Close()
	conn, err := other.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)
	defer conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck

	err = db.InsertProduct(ctx, product("blocked", "x"))
	ae, ok := errors.AsType[*apperr.Error](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, apperr.DatabaseUnavailable, ae.Type)
	assert.Equal(t, 2, ae.RetryAfterSeconds())
	assert.ErrorContains(t, ae.Cause, "SQLITE_BUSY", "the driver's text stays in the cause")
	assert.NotContains(t, ae.Message(), "SQLITE")

	// Readers are not blocked by a writer in WAL mode.
	_, err = db.ListProducts(ctx, shop.ProductFilter{}, "", 10)
	assert.NoError(t, err)
}

func TestReadOnlyDatabaseIsUnavailable(t *testing.T) {
	sqliteOnly(t)
	db, url := migrated(t)
	require.NoError(t, db.Close()) // one owner at a time
	ro := open(t, url+"?mode=ro")
	err := ro.InsertProduct(context.Background(), product("nope", "x"))
	assert.True(t, errors.Is(err, apperr.DatabaseUnavailable), "%v", err)
	_, err = ro.ListProducts(context.Background(), shop.ProductFilter{}, "", 10)
	assert.NoError(t, err, "reads still work")
}

func TestClosedDatabaseIsUnavailable(t *testing.T) {
	db, _ := migrated(t)
	require.NoError(t, db.Close())
	ctx := context.Background()
	_, err := db.ProductByID(ctx, "x")
	assert.True(t, errors.Is(err, apperr.DatabaseUnavailable), "%v", err)
	_, err = db.ListProducts(ctx, shop.ProductFilter{}, "", 10)
	assert.True(t, errors.Is(err, apperr.DatabaseUnavailable), "%v", err)
	assert.True(t, errors.Is(db.Ping(ctx), apperr.CodeServiceUnavailable))
}

func TestEndedContextIsDeadlineExceeded(t *testing.T) {
	db, _ := migrated(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := db.ListProducts(ctx, shop.ProductFilter{}, "", 10)
	assert.True(t, errors.Is(err, apperr.DeadlineExceeded), "%v", err)

	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = db.ProductByID(ctx, "x")
	assert.True(t, errors.Is(err, apperr.DeadlineExceeded), "%v", err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "the cause is kept")
}

func TestCategoryFilterAndKeyset(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	for _, p := range []shop.Product{product("a", "x", "y"), product("b", "y"), product("c", "x")} {
		require.NoError(t, db.InsertProduct(ctx, p))
	}
	xs, err := db.ListProducts(ctx, shop.ProductFilter{Category: "x"}, "", 10)
	require.NoError(t, err)
	require.Len(t, xs, 2)
	assert.Equal(t, []string{"x", "y"}, xs[0].Categories, "categories keep their order")
	after, err := db.ListProducts(ctx, shop.ProductFilter{}, "a-id", 10)
	require.NoError(t, err)
	require.Len(t, after, 2)
	assert.Equal(t, "b-id", after[0].ID)
}
