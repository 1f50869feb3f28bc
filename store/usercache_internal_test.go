package store

import (
	"testing"

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
