package store

import (
	"sync"
	"sync/atomic"

	"github.com/faultline/faultline/auth"
)

// userCache keeps users by id for the per-request authentication, on an
// engine where this process is the only writer (SQLite: one process owns the
// file, see sqlitelock.go). Every write to a user goes through this store, which drops the
// entry after it commits, so a suspension or deletion still takes effect at
// the next request. A lookup that raced such a write does not put its stale
// answer back: the generation it started under has moved on. On PostgreSQL,
// where other instances write too, there is no cache.
type userCache struct {
	mu         sync.RWMutex
	users      map[string]auth.User
	generation atomic.Uint64
}

// maxCachedUsers bounds the cache; past it, it starts over.
const maxCachedUsers = 10_000

func newUserCache() *userCache { return &userCache{users: make(map[string]auth.User)} }

// get returns a copy of the cached user.
func (c *userCache) get(id string) (*auth.User, bool) {
	c.mu.RLock()
	u, ok := c.users[id]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return &u, true
}

// put caches u, read from the database while the generation was gen.
func (c *userCache) put(u *auth.User, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation.Load() != gen {
		return
	}
	if len(c.users) >= maxCachedUsers {
		clear(c.users)
	}
	c.users[u.ID] = *u
}

// drop forgets a user after a write to it.
func (c *userCache) drop(id string) {
	c.mu.Lock()
	c.generation.Add(1)
	delete(c.users, id)
	c.mu.Unlock()
}
