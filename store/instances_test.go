package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHeartbeatsCountTheLiveInstances: each heartbeat records its instance
// and counts those seen within the stale window; a silent one drops out,
// and one that leaves is gone at once.
func TestHeartbeatsCountTheLiveInstances(t *testing.T) {
	db, _ := migrated(t)
	ctx := context.Background()
	start := time.Now()
	const stale = 5 * time.Second

	n, err := db.Heartbeat(ctx, "a", start, stale)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = db.Heartbeat(ctx, "b", start.Add(time.Second), stale)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = db.Heartbeat(ctx, "a", start.Add(2*time.Second), stale)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "a beat again: still two")

	n, err = db.Heartbeat(ctx, "a", start.Add(7*time.Second), stale)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "b has been silent for 6 s: counted out")

	_, err = db.Heartbeat(ctx, "c", start.Add(8*time.Second), stale)
	require.NoError(t, err)
	require.NoError(t, db.Leave(ctx, "c"))
	n, err = db.Heartbeat(ctx, "a", start.Add(8*time.Second), stale)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "c left")
}
