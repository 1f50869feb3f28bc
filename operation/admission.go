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
	closing atomic.Bool
	once    sync.Once
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
}

// Close starts the drain.
func (g *Gate) Close() {
	g.closing.Store(true)
	g.init()
	g.cancel()
}

// Closing reports whether the drain has started; a nil Gate never closes.
func (g *Gate) Closing() bool { return g != nil && g.closing.Load() }

// Done is closed when the drain starts; a nil Gate's never is.
func (g *Gate) Done() <-chan struct{} {
	if g == nil {
		return nil
	}
	return g.Context().Done()
}

// Context is cancelled when the drain starts, so that what waits for it may
// register a callback (context.AfterFunc) instead of a goroutine; a nil
// Gate's never is.
func (g *Gate) Context() context.Context {
	if g == nil {
		return context.Background()
	}
	g.init()
	return g.ctx
}

func (g *Gate) init() {
	g.once.Do(func() { g.ctx, g.cancel = context.WithCancel(context.Background()) })
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
