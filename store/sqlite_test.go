package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/store"
)

// TestSQLiteSyncsEveryCommit: synchronous=FULL, so a committed payment
// survives a power loss; DATABASE_URL can still choose another level.
func TestSQLiteSyncsEveryCommit(t *testing.T) {
	sqliteOnly(t)
	db, url := migrated(t)
	var level int
	require.NoError(t, db.SQL().QueryRowContext(context.Background(), `PRAGMA synchronous`).Scan(&level))
	assert.Equal(t, 2, level, "FULL")
	require.NoError(t, db.Close())

	normal := open(t, url+"?_pragma=synchronous(NORMAL)")
	require.NoError(t, normal.SQL().QueryRowContext(context.Background(), `PRAGMA synchronous`).Scan(&level))
	assert.Equal(t, 1, level, "NORMAL, as asked")
}

// TestASQLiteFileHasOneOwner: a second open of the same file, here in the
// same process (flock locks belong to the open file), fails at once with a
// message that names the file and the way out; Close hands the file on.
func TestASQLiteFileHasOneOwner(t *testing.T) {
	sqliteOnly(t)
	first, url := migrated(t)
	path := strings.TrimPrefix(url, "sqlite://")

	start := time.Now()
	_, err := store.Open(context.Background(), url, store.Options{})
	require.Error(t, err)
	assert.Less(t, time.Since(start), time.Second, "no waiting for the lock")
	assert.ErrorContains(t, err, path)
	assert.ErrorContains(t, err, "one faultline process owns a SQLite file")
	assert.ErrorContains(t, err, "several instances need PostgreSQL")
	_, err = store.Open(context.Background(), "sqlite://"+filepath.Join(filepath.Dir(path), ".", filepath.Base(path)), store.Options{})
	assert.ErrorContains(t, err, "one faultline process owns a SQLite file", "another spelling of the same path")

	require.NoError(t, first.Close())
	second := open(t, url)
	require.NoError(t, second.Migrate(context.Background()), "the next owner serves")
}
