package operation

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// RateLimit holds each client address to a number of operations per second
// (FAULTLINE_RATE_LIMIT): a token bucket per address that holds one
// second's worth, so a client may send that many at once and then that many
// a second. The client is the one Scope names (package clientip): the
// connection's address or, behind a trusted proxy, the forwarded one; an
// IPv6 address by its /64.
//
// The limit is the deployment's, not the process's: with n instances alive
// on one database (SetInstances, from their heartbeats), each holds its
// clients to 1/n of it, so that n instances behind a load balancer that
// spreads a client's requests evenly admit the configured rate in all.
// This costs no database round trip per request; its known errors (traffic
// skewed between instances, instances joining or leaving) are in
// docs/operations.md.
type RateLimit struct {
	perSecond int
	instances atomic.Int32
	mu        sync.Mutex
	clients   *lru.Cache[string, *bucket]
}

// bucket is a client's limiter, sized for a number of instances.
type bucket struct {
	limiter   *rate.Limiter
	instances int32
}

// rateLimitClients bounds the addresses remembered; the least recently seen
// is forgotten first (and starts again with a full bucket).
const rateLimitClients = 10_000

// NewRateLimit limits every client address to perSecond requests a second,
// over one instance until SetInstances says otherwise.
func NewRateLimit(perSecond int) *RateLimit {
	clients, err := lru.New[string, *bucket](rateLimitClients)
	if err != nil {
		panic(err) // only for a size below 1
	}
	l := &RateLimit{perSecond: perSecond, clients: clients}
	l.instances.Store(1)
	return l
}

// PerSecond is the configured limit, the deployment's.
func (l *RateLimit) PerSecond() int { return l.perSecond }

// SetInstances shares the limit among n live instances (at least 1); every
// client's bucket takes its new size at its next request.
func (l *RateLimit) SetInstances(n int) {
	l.instances.Store(int32(max(1, min(n, math.MaxInt32))))
}

// Instances is the number of instances the limit is shared among.
func (l *RateLimit) Instances() int { return int(l.instances.Load()) }

// share is this instance's rate and burst when n share the limit: at
// least one operation, so that a client is never locked out.
func (l *RateLimit) share(n int32) (rate.Limit, int) {
	perInstance := float64(l.perSecond) / float64(n)
	return rate.Limit(perInstance), max(1, int(math.Ceil(perInstance)))
}

// Admit takes a token for client (clientip's key) and reports whether its
// operation may go on; when it may not, wait is how long until it could.
func (l *RateLimit) Admit(client string) (ok bool, wait time.Duration) {
	now := time.Now()
	limiter := l.limiter(client, now)
	// AllowN spends nothing when it refuses; a reservation cancelled at
	// once would give back less than a token whenever others reserved
	// meanwhile, and a flooding client would get a few percent less than
	// its rate.
	if limiter.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - limiter.TokensAt(now)
	return false, max(time.Duration(missing/float64(limiter.Limit())*float64(time.Second)), time.Millisecond)
}

func (l *RateLimit) limiter(client string, now time.Time) *rate.Limiter {
	n := l.instances.Load()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.clients.Get(client)
	switch {
	case !ok:
		limit, burst := l.share(n)
		b = &bucket{limiter: rate.NewLimiter(limit, burst), instances: n}
		l.clients.Add(client, b)
	case b.instances != n:
		limit, burst := l.share(n)
		b.limiter.SetLimitAt(now, limit)
		b.limiter.SetBurstAt(now, burst)
		b.instances = n
	}
	return b.limiter
}
