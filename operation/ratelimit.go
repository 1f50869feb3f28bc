package operation

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// RateLimit holds each client address to a number of operations per second
// (FAULTLINE_RATE_LIMIT): a token bucket per address that holds one
// second's worth, so a client may send that many at once and then that many
// a second. The client is the one Scope names (package clientip): the
// connection's address, an IPv6 address by its /64.
type RateLimit struct {
	perSecond int
	mu        sync.Mutex
	clients   *lru.Cache[string, *rate.Limiter]
}

// rateLimitClients bounds the addresses remembered; the least recently seen
// is forgotten first (and starts again with a full bucket).
const rateLimitClients = 10_000

// NewRateLimit limits every client address to perSecond requests a second.
func NewRateLimit(perSecond int) *RateLimit {
	clients, err := lru.New[string, *rate.Limiter](rateLimitClients)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &RateLimit{perSecond: perSecond, clients: clients}
}

// PerSecond is the configured limit.
func (l *RateLimit) PerSecond() int { return l.perSecond }

// Admit takes a token for client (clientip's key) and reports whether its
// operation may go on; when it may not, wait is how long until it could.
func (l *RateLimit) Admit(client string) (ok bool, wait time.Duration) {
	limiter := l.limiter(client)
	now := time.Now()
	res := limiter.ReserveN(now, 1)
	if wait = res.DelayFrom(now); wait > 0 {
		res.CancelAt(now) // a refused request spends nothing
		return false, wait
	}
	return true, 0
}

func (l *RateLimit) limiter(client string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	limiter, ok := l.clients.Get(client)
	if !ok {
		limiter = rate.NewLimiter(rate.Limit(l.perSecond), l.perSecond)
		l.clients.Add(client, limiter)
	}
	return limiter
}
