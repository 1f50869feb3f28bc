package operation

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/clientip"
)

// Gate is closed when a graceful shutdown begins: /readyz fails so load
// balancers stop sending traffic, and operations that still arrive get
// SERVICE_UNAVAILABLE / SHUTTING_DOWN while those in flight finish;
// subscriptions, which would not finish, end with SHUTTING_DOWN (Done).
type Gate struct {
	closing         atomic.Bool
	once, closeOnce sync.Once
	done            chan struct{}
}

// Close starts the drain.
func (g *Gate) Close() {
	g.closing.Store(true)
	g.closeOnce.Do(func() { close(g.ch()) })
}

// Closing reports whether the drain has started; a nil Gate never closes.
func (g *Gate) Closing() bool { return g != nil && g.closing.Load() }

// Done is closed when the drain starts; a nil Gate's never is.
func (g *Gate) Done() <-chan struct{} {
	if g == nil {
		return nil
	}
	return g.ch()
}

func (g *Gate) ch() chan struct{} {
	g.once.Do(func() { g.done = make(chan struct{}) })
	return g.done
}

// Admission decides whether an operation may start: not while draining,
// and not past its client's rate. Every transport asks it for every
// operation, before reading more of it than it must.
type Admission struct {
	Gate      *Gate
	RateLimit *RateLimit // nil for no limit
}

// Admit returns nil when the operation of ctx (whose client Scope named) may
// start, and SHUTTING_DOWN or TOO_MANY_REQUESTS otherwise.
func (a *Admission) Admit(ctx context.Context) *apperr.Error {
	if a == nil {
		return nil
	}
	if a.Gate.Closing() {
		return apperr.New(apperr.ShuttingDown).WithRetryAfter(time.Second)
	}
	if a.RateLimit != nil {
		if ok, wait := a.RateLimit.Admit(clientip.From(ctx)); !ok {
			return apperr.New(apperr.TooManyRequests).With("limit", a.RateLimit.PerSecond()).WithRetryAfter(wait)
		}
	}
	return nil
}
