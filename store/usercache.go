package store

import (
	"sync"
	"sync/atomic"

	"github.com/faultline/faultline/auth"
)

// userCache keeps users by id, and the refresh families (sessions) their
// access tokens name, for the per-request authentication, on an engine
// where this process is the only writer (SQLite: one process owns the
// file, see sqlitelock.go). Every write to a user or a family goes through
// this store, which drops the entries after it commits (a user's families
// with the user), so a suspension, deletion or logout still takes effect at
// the next request. A lookup that raced such a write does not put its stale
// answer back: the generation it started under has moved on. On
// PostgreSQL, where other instances write too, there is no cache.
type userCache struct {
	mu         sync.RWMutex
	users      map[string]auth.User
	families   map[string]auth.Family
	generation atomic.Uint64
}

// maxCachedUsers bounds the cache, users and families each; past it, that
// map starts over.
const maxCachedUsers = 10_000

func newUserCache() *userCache {
	return &userCache{users: make(map[string]auth.User), families: make(map[string]auth.Family)}
}

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

// session returns copies of the cached user userID and of their family
// familyID, when both are cached.
func (c *userCache) session(userID, familyID string) (*auth.User, *auth.Family, bool) {
	c.mu.RLock()
	u, uok := c.users[userID]
	f, fok := c.families[familyID]
	c.mu.RUnlock()
	if !uok || !fok || f.UserID != userID {
		return nil, nil, false
	}
	// One allocation for both copies: every authenticated request comes here.
	s := &struct {
		u auth.User
		f auth.Family
	}{u, own(f)}
	return &s.u, &s.f, true
}

// put caches u, read from the database while the generation was gen.
func (c *userCache) put(u *auth.User, gen uint64) { c.putSession(u, nil, gen) }

// putSession caches u and, unless nil, f, read from the database while the
// generation was gen.
func (c *userCache) putSession(u *auth.User, f *auth.Family, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation.Load() != gen {
		return
	}
	if len(c.users) >= maxCachedUsers {
		clear(c.users)
	}
	c.users[u.ID] = *u
	if f == nil {
		return
	}
	if len(c.families) >= maxCachedUsers {
		clear(c.families)
	}
	c.families[f.ID] = own(*f)
}

// own copies f deeply, so that the cache and its callers share nothing.
func own(f auth.Family) auth.Family {
	if f.RevokedAt != nil {
		at := *f.RevokedAt
		f.RevokedAt = &at
	}
	return f
}

// drop forgets a user, and the user's families, after a write to the user.
func (c *userCache) drop(id string) {
	c.mu.Lock()
	c.generation.Add(1)
	delete(c.users, id)
	for fid, f := range c.families { // user writes are rare; sessions are looked up at every request
		if f.UserID == id {
			delete(c.families, fid)
		}
	}
	c.mu.Unlock()
}

// dropFamily forgets a family after a write to it.
func (c *userCache) dropFamily(id string) {
	c.mu.Lock()
	c.generation.Add(1)
	delete(c.families, id)
	c.mu.Unlock()
}

// dropFamilies forgets every family.
func (c *userCache) dropFamilies() {
	c.mu.Lock()
	c.generation.Add(1)
	clear(c.families)
	c.mu.Unlock()
}
