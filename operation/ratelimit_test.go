package operation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/operation"
)

// TestTheRateIsSharedAmongTheInstances: with four instances alive, each
// holds a client to a quarter of the limit (10 a second: 2.5, a burst of
// 3); the count never falls below one instance.
func TestTheRateIsSharedAmongTheInstances(t *testing.T) {
	l := operation.NewRateLimit(10)
	assert.Equal(t, 1, l.Instances())
	l.SetInstances(4)
	assert.Equal(t, 4, l.Instances())
	for i := range 3 {
		ok, _ := l.Admit("198.51.100.1")
		assert.True(t, ok, "request %d", i+1)
	}
	ok, wait := l.Admit("198.51.100.1")
	assert.False(t, ok, "a quarter of the burst")
	assert.InDelta(t, 400*time.Millisecond, wait, float64(20*time.Millisecond), "a token comes back every 400 ms at 2.5 a second")
	assert.Equal(t, 10, l.PerSecond(), "the deployment's limit is still the one reported")

	l.SetInstances(1)
	for i := range 10 {
		ok, _ := l.Admit("198.51.100.2")
		assert.True(t, ok, "alone again, a new client gets the whole burst: request %d", i+1)
	}
	ok, _ = l.Admit("198.51.100.2")
	assert.False(t, ok)

	ok, _ = l.Admit("198.51.100.3")
	assert.True(t, ok)
	l.SetInstances(5)
	for i := range 2 {
		ok, _ := l.Admit("198.51.100.3")
		assert.True(t, ok, "request %d after the count rose to five", i+1)
	}
	ok, _ = l.Admit("198.51.100.3")
	assert.False(t, ok, "a known client's bucket shrinks to its new share (2 a second, a burst of 2) at its next request")

	l.SetInstances(0)
	assert.Equal(t, 1, l.Instances(), "this instance at least")
}
