package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/auth"
)

// TestAStaleReadCannotRefillTheCache: a lookup that read the database
// before a suspension committed must not cache the unsuspended user after
// the suspension dropped it.
func TestAStaleReadCannotRefillTheCache(t *testing.T) {
	c := newUserCache()
	gen := c.generation.Load() // the lookup starts
	c.drop("u1")               // the suspension commits meanwhile
	c.put(&auth.User{ID: "u1", Suspended: false}, gen)
	_, ok := c.get("u1")
	assert.False(t, ok, "the stale answer was not cached")

	c.put(&auth.User{ID: "u1", Suspended: true}, c.generation.Load())
	u, ok := c.get("u1")
	assert.True(t, ok)
	assert.True(t, u.Suspended)
	u.Suspended = false
	again, _ := c.get("u1")
	assert.True(t, again.Suspended, "callers get copies")
}

// TestAStaleSessionReadCannotRefillTheCache: a lookup that read a family
// before its revocation committed must not cache it live afterwards; a
// write to the user drops the user's families too.
func TestAStaleSessionReadCannotRefillTheCache(t *testing.T) {
	c := newUserCache()
	u := &auth.User{ID: "u1"}
	gen := c.generation.Load()
	c.dropFamily("f1")
	c.putSession(u, &auth.Family{ID: "f1", UserID: "u1"}, gen)
	_, _, ok := c.session("u1", "f1")
	assert.False(t, ok, "the stale answer was not cached")

	at := time.Now()
	c.putSession(u, &auth.Family{ID: "f1", UserID: "u1", RevokedAt: &at}, c.generation.Load())
	_, f, ok := c.session("u1", "f1")
	assert.True(t, ok)
	*f.RevokedAt = time.Time{}
	_, again, _ := c.session("u1", "f1")
	assert.Equal(t, at, *again.RevokedAt, "callers get copies")
	_, _, ok = c.session("u2", "f1")
	assert.False(t, ok, "a family answers only for its own user")

	c.drop("u1")
	c.putSession(&auth.User{ID: "u1"}, nil, c.generation.Load())
	_, _, ok = c.session("u1", "f1")
	assert.False(t, ok, "the user's write dropped their families")
}
