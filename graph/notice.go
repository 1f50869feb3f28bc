package graph

import (
	"errors"
	"sync"
	"time"
)

// noticeWork shares the work that one notice calls for between the
// subscriptions it wakes: a thousand followers of one wallet with one token
// authenticate and read once, not a thousand times. A key names the notice
// (events.Subscription.Take's number), the topic and the credential, so a
// result serves only subscriptions that took that notice, and any work begun
// after a notice's delivery sees its change. A success is kept for
// noticeKeep, for the subscriptions woken late; a failure is shared only
// with those waiting for it, so that a read tried again is tried for real.
//
// singleflight shares only the calls in flight; a subscription scheduled
// after the first read ended would read again, so this keeps results too.
type noticeWork struct {
	mu    sync.Mutex
	calls map[string]*noticeCall
	swept time.Time
}

type noticeCall struct {
	done chan struct{}
	v    any
	err  error
	at   time.Time // when it succeeded
}

// noticeKeep is how long a shared success serves the subscriptions of its
// notice that come late.
const noticeKeep = time.Second

// do returns fn's result for key, calling fn only if no call for key is
// running or kept.
func (w *noticeWork) do(key string, fn func() (any, error)) (any, error) {
	w.mu.Lock()
	if c, ok := w.calls[key]; ok {
		w.mu.Unlock()
		<-c.done
		return c.v, c.err
	}
	if w.calls == nil {
		w.calls = map[string]*noticeCall{}
	}
	c := &noticeCall{done: make(chan struct{})}
	w.calls[key] = c
	w.mu.Unlock()

	panicked := true
	defer func() {
		if panicked { // the waiters fail too; the panic goes on to this caller's recover
			c.err = errSharedPanic
			w.mu.Lock()
			delete(w.calls, key)
			w.mu.Unlock()
		}
		close(c.done)
	}()
	c.v, c.err = fn()
	panicked = false
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.err != nil {
		delete(w.calls, key)
	} else {
		c.at = now
	}
	if now.Sub(w.swept) > noticeKeep {
		w.swept = now
		for k, kept := range w.calls {
			if !kept.at.IsZero() && now.Sub(kept.at) > noticeKeep {
				delete(w.calls, k)
			}
		}
	}
	return c.v, c.err
}

var errSharedPanic = errors.New("the shared work of a notice panicked")

// size is how many calls are running or kept.
func (w *noticeWork) size() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.calls)
}
