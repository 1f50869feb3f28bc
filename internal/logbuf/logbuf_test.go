package logbuf_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/internal/logbuf"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestLinesArriveWithinAnIntervalAndAtClose(t *testing.T) {
	out := &syncBuffer{}
	w := logbuf.New(out)
	_, _ = w.Write([]byte("one\n"))
	assert.Empty(t, out.String(), "buffered")
	assert.Eventually(t, func() bool { return out.String() == "one\n" }, 2*time.Second, 10*time.Millisecond)
	_, _ = w.Write([]byte("two\n"))
	assert.NoError(t, w.Close())
	assert.Equal(t, "one\ntwo\n", out.String(), "Close flushes")
}
