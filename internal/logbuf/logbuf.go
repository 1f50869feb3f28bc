// Package logbuf is a buffered log writer: log lines are collected in memory
// and written out in batches, every Interval or when the buffer fills, so
// that a busy server does not make a system call per log line.
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer buffers writes to an underlying writer.
type Writer struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// Interval is how long a log line may wait in the buffer.
const Interval = 100 * time.Millisecond

// New returns a Writer that flushes to w every Interval and when 64 KiB are
// waiting. Close flushes what is left.
func New(w io.Writer) *Writer {
	b := &Writer{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(Interval)
	return b
}

// Write implements io.Writer; slog handlers call it once per line.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Flush writes out what is buffered.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Flush()
}

// Close stops the periodic flush and flushes.
func (b *Writer) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}

func (b *Writer) flushEvery(d time.Duration) {
	defer close(b.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			_ = b.Flush()
		}
	}
}
