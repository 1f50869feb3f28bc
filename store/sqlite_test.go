package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
