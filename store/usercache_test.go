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

// TestSessionLookupsFollowEveryWrite: the per-request lookup of a user and
// their session is one query, answered from memory on SQLite until a write
// to that family or user; a revocation, the janitor and a deletion show at
// once.
func TestSessionLookupsFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	db, _ := migrated(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, id := range []string{"u1", "u2"} {
		require.NoError(t, db.CreateUser(ctx, &auth.User{ID: id, Email: id + "@example.com", Name: id, Role: auth.RoleUser,
			CreatedAt: now, PasswordHash: "x"}))
	}
	family := func(id, user string, expires time.Time) {
		require.NoError(t, db.CreateRefreshToken(ctx, auth.RefreshToken{Hash: "h-" + id, FamilyID: id, UserID: user,
			CreatedAt: now, ExpiresAt: expires}))
	}
	family("f1", "u1", now.Add(time.Hour))
	family("f2", "u2", now.Add(time.Hour))

	lookups := func(familyID string) int64 {
		before := db.Queries()
		for range 5 {
			u, f, err := db.SessionUser(ctx, "u1", familyID)
			require.NoError(t, err)
			require.NotNil(t, u)
			require.NotNil(t, f)
		}
		return db.Queries() - before
	}
	want := int64(1)
	if db.Engine() == "postgres" {
		want = 5
	}
	assert.Equal(t, want, lookups("f1"), "one query per lookup at most")

	u, f, err := db.SessionUser(ctx, "u1", "f1")
	require.NoError(t, err)
	assert.Equal(t, "u1@example.com", u.Email)
	assert.Equal(t, "f1", f.ID)
	assert.Equal(t, "u1", f.UserID)
	assert.True(t, f.CreatedAt.Equal(now), "created at %s, not %s", f.CreatedAt, now)
	assert.Nil(t, f.RevokedAt)

	u, f, err = db.SessionUser(ctx, "u1", "f2")
	require.NoError(t, err)
	assert.NotNil(t, u)
	assert.Nil(t, f, "another user's family is none of this token's")
	u, f, err = db.SessionUser(ctx, "u1", "nope")
	require.NoError(t, err)
	assert.NotNil(t, u)
	assert.Nil(t, f)

	require.NoError(t, db.RevokeRefreshFamily(ctx, "f1", now))
	_, f, err = db.SessionUser(ctx, "u1", "f1")
	require.NoError(t, err)
	require.NotNil(t, f)
	require.NotNil(t, f.RevokedAt, "the revocation dropped the cached family")
	assert.True(t, f.RevokedAt.Equal(now))

	// The janitor removes a family whose tokens are all long expired.
	family("f3", "u1", now.Add(-time.Hour))
	_, f, err = db.SessionUser(ctx, "u1", "f3")
	require.NoError(t, err)
	require.NotNil(t, f)
	require.NoError(t, db.DeleteExpired(ctx, now, now))
	_, f, err = db.SessionUser(ctx, "u1", "f3")
	require.NoError(t, err)
	assert.Nil(t, f, "a family the janitor removed is gone at once")

	family("f4", "u1", now.Add(time.Hour))
	assert.Equal(t, want, lookups("f4"))
	ok, err := db.DeleteUser(ctx, "u1", now)
	require.NoError(t, err)
	require.True(t, ok)
	u, f, err = db.SessionUser(ctx, "u1", "f4")
	require.NoError(t, err)
	assert.Nil(t, u, "a deleted user is gone at once")
	assert.Nil(t, f)
}
