package graph

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNoticeWorkIsDoneOncePerKey(t *testing.T) {
	var w noticeWork
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			v, err := w.do("n1", func() (any, error) {
				calls.Add(1)
				<-release
				return "state", nil
			})
			assert.NoError(t, err)
			assert.Equal(t, "state", v)
		})
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load(), "those waiting share the call")

	v, err := w.do("n1", func() (any, error) { calls.Add(1); return "again", nil })
	require.NoError(t, err)
	assert.Equal(t, "state", v, "a late subscriber of the same notice gets the kept result")
	v, _ = w.do("n2", func() (any, error) { calls.Add(1); return "next", nil })
	assert.Equal(t, "next", v, "another notice is another call")
	assert.Equal(t, int32(2), calls.Load())
}

func TestNoticeWorkKeepsNoFailure(t *testing.T) {
	var w noticeWork
	boom := errors.New("database away")
	_, err := w.do("n1", func() (any, error) { return nil, boom })
	assert.ErrorIs(t, err, boom)
	v, err := w.do("n1", func() (any, error) { return "read", nil })
	require.NoError(t, err, "a read tried again is tried for real")
	assert.Equal(t, "read", v)

	assert.Panics(t, func() { _, _ = w.do("p", func() (any, error) { panic("bug") }) })
	v, err = w.do("p", func() (any, error) { return "fine", nil })
	require.NoError(t, err, "a panic is not kept either")
	assert.Equal(t, "fine", v)
}

func TestNoticeWorkForgetsOldResults(t *testing.T) {
	var w noticeWork
	_, _ = w.do("old", func() (any, error) { return 1, nil })
	w.mu.Lock()
	w.calls["old"].at = time.Now().Add(-2 * noticeKeep)
	w.swept = time.Time{}
	w.mu.Unlock()
	_, _ = w.do("new", func() (any, error) { return 2, nil })
	assert.Equal(t, 1, w.size(), "results older than noticeKeep go at the next sweep")
}
