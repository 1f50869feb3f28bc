package sizecache_test

import (
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/internal/sizecache"
)

func TestTheCacheStaysWithinItsBytes(t *testing.T) {
	c := sizecache.New[string, int](1000, 400)
	for i := range 100 {
		c.Add(strconv.Itoa(i), i, 100)
		assert.LessOrEqual(t, c.Bytes(), int64(1000))
	}
	assert.Equal(t, 10, c.Len())
	_, ok := c.Get("89")
	assert.False(t, ok, "the oldest were evicted")
	v, ok := c.Get("99")
	assert.True(t, ok)
	assert.Equal(t, 99, v)
}

func TestAnEntryOverTheLargestIsNotStored(t *testing.T) {
	c := sizecache.New[string, int](1000, 400)
	c.Add("small", 1, 100)
	c.Add("big", 2, 401)
	_, ok := c.Get("big")
	assert.False(t, ok)
	_, ok = c.Get("small")
	assert.True(t, ok, "and it evicted nothing")
}

func TestGetKeepsAnEntryAndReplacingReweighs(t *testing.T) {
	c := sizecache.New[string, int](300, 300)
	c.Add("a", 1, 100)
	c.Add("b", 2, 100)
	c.Add("c", 3, 100)
	c.Get("a")
	c.Add("d", 4, 100)
	_, ok := c.Get("a")
	assert.True(t, ok, "recently used")
	_, ok = c.Get("b")
	assert.False(t, ok, "least recently used")
	c.Add("a", 5, 200)
	assert.LessOrEqual(t, c.Bytes(), int64(300))
	v, _ := c.Get("a")
	assert.Equal(t, 5, v)
}

func TestConcurrentUse(t *testing.T) {
	c := sizecache.New[int, int](10_000, 1000)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				c.Add(g*1000+i, i, int64(i%50+1))
				c.Get(i)
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Bytes(), int64(10_000))
}
