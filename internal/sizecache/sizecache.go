// Package sizecache is a least-recently-used cache bounded by the bytes its
// entries hold rather than by their number, for caches whose entries an
// attacker chooses: a thousand parsed 1 MiB documents would hold a gibibyte
// in a cache of a thousand entries, and none of the LRU caches at hand
// (hashicorp/golang-lru, gqlgen's lru) weighs its entries.
package sizecache

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Cache holds at most MaxBytes of entries, evicting the least recently used.
// It is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[K, entry[V]]
	bytes    int64
	maxBytes int64
	maxEntry int64
}

type entry[V any] struct {
	value V
	bytes int64
}

// New returns a cache of at most maxBytes, which takes no entry larger than
// maxEntry bytes (such an entry would evict many others for one use).
func New[K comparable, V any](maxBytes, maxEntry int64) *Cache[K, V] {
	c := &Cache[K, V]{maxBytes: maxBytes, maxEntry: min(maxEntry, maxBytes)}
	// The count bound is only a backstop: the byte bound evicts first.
	lru, err := simplelru.NewLRU[K, entry[V]](1<<30, func(_ K, e entry[V]) { c.bytes -= e.bytes })
	if err != nil {
		panic(err) // only for a size below 1
	}
	c.lru = lru
	return c
}

// Get returns the value of key and marks it recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(key)
	return e.value, ok
}

// Add stores value under key as weighing bytes, evicting the least recently
// used entries until the cache is within its bound; a value over the
// largest entry is not stored.
func (c *Cache[K, V]) Add(key K, value V, bytes int64) {
	if bytes > c.maxEntry {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(key)
	c.lru.Add(key, entry[V]{value: value, bytes: bytes})
	c.bytes += bytes
	for c.bytes > c.maxBytes {
		c.lru.RemoveOldest()
	}
}

// Bytes is the weight the cache holds now.
func (c *Cache[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len is the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
