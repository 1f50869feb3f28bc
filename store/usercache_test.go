package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/auth"
)

// TestUserLookupsAreCachedOnlyWhereThisProcessIsTheSoleWriter: on SQLite
// the per-request user lookup is answered from memory until a write to the
// user; on PostgreSQL, where other instances write too, it always queries.
func TestUserLookupsAreCachedOnlyWhereThisProcessIsTheSoleWriter(t *testing.T) {
	ctx := context.Background()
	db, _ := migrated(t)
	require.NoError(t, db.CreateUser(ctx, &auth.User{ID: "u1", Email: "a@example.com", Name: "A", Role: auth.RoleUser,
		CreatedAt: time.Now().UTC(), PasswordHash: "x"}))

	lookups := func() int64 {
		before := db.Queries()
		for range 5 {
			u, err := db.UserByID(ctx, "u1")
			require.NoError(t, err)
			require.NotNil(t, u)
		}
		return db.Queries() - before
	}
	want := int64(1)
	if db.Engine() == "postgres" {
		want = 5
	}
	assert.Equal(t, want, lookups())

	_, err := db.SetSuspended(ctx, "u1")
	require.NoError(t, err)
	u, err := db.UserByID(ctx, "u1")
	require.NoError(t, err)
	assert.True(t, u.Suspended, "the write dropped the cached user")

	ok, err := db.DeleteUser(ctx, "u1", time.Now())
	require.NoError(t, err)
	require.True(t, ok)
	u, err = db.UserByID(ctx, "u1")
	require.NoError(t, err)
	assert.Nil(t, u, "a deleted user is gone at once")
}
