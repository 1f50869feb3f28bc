package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/events"
	"github.com/faultline/faultline/operation"
)

// Streams is what subscriptions need beside the domain: the notices of
// changes, the limit per user, how long to wait for the database, and the
// drain.
type Streams struct {
	Hub *events.Hub
	// PerUser bounds one user's subscriptions on this instance, over
	// WebSocket and SSE together (0: no bound).
	PerUser int
	// DBGrace is how long a subscription waits for the database, or for
	// the feed of the other instances' changes, before it ends with
	// DATABASE_UNAVAILABLE.
	DBGrace time.Duration
	// Draining is closed when the drain starts (operation.Gate.Done):
	// every subscription then ends with SHUTTING_DOWN.
	Draining <-chan struct{}
	// Active, when set, counts the subscriptions open on this instance
	// (the faultline_subscriptions_active gauge).
	Active interface {
		Inc()
		Dec()
	}

	mu    sync.Mutex
	users map[string]int
	work  noticeWork
}

// DefaultDBGrace is Streams.DBGrace's default (FAULTLINE_SUBSCRIPTION_DB_GRACE).
const DefaultDBGrace = 30 * time.Second

// The retry hints of the errors that end a stream, and how often a read
// that met an unavailable database is tried again.
const (
	drainRetryAfter = time.Second
	dbRetryAfter    = 2 * time.Second
	rereadMin       = 250 * time.Millisecond
	rereadMax       = 5 * time.Second
)

// errFeedLost is the cause of DATABASE_UNAVAILABLE when the database never
// answered an error but the feed of the other instances' changes stayed away.
var errFeedLost = errors.New("the feed of the other instances' changes stayed interrupted")

// admit counts one more subscription of p's user, or refuses it past
// PerUser; release uncounts it.
func (s *Streams) admit(p *auth.Principal) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users == nil {
		s.users = map[string]int{}
	}
	if s.PerUser > 0 && s.users[p.UserID] >= s.PerUser {
		return nil, apperr.New(apperr.TooManySubscriptions).Variant("user").
			With("limit", s.PerUser).With("scope", "user").WithRetryAfter(time.Second)
	}
	s.users[p.UserID]++
	if s.Active != nil {
		s.Active.Inc()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.users[p.UserID]--; s.users[p.UserID] <= 0 {
				delete(s.users, p.UserID)
			}
			if s.Active != nil {
				s.Active.Dec()
			}
		})
	}, nil
}

// follow streams what read returns for the caller p: now, and again after
// every notice of topic, until the stream must end; then it ends the
// stream with the reason (operation.EndStream). It is subscribed before the
// first read, so that no change slips between the two.
func follow[T any](ctx context.Context, r *Resolver, p *auth.Principal, topic string,
	read func(context.Context, *auth.Principal) (*T, error)) (<-chan *T, error) {
	s := r.Streams
	if s == nil || s.Hub == nil {
		return nil, apperr.InternalError(errNoStreams)
	}
	if !time.Now().Before(p.Expires) { // within the clock skew a request gets, which a stream does not
		return nil, p.TokenExpired()
	}
	release, err := s.admit(p)
	if err != nil {
		return nil, err
	}
	sub := s.Hub.Subscribe([]string{topic}, events.User(p.UserID))
	first, err := read(ctx, p)
	if err != nil {
		sub.Close()
		release()
		return nil, err
	}
	ch := make(chan *T, 1)
	ch <- first
	go func() {
		defer close(ch)
		defer release()
		defer sub.Close()
		defer func() { // this goroutine is not gqlgen's, which recovers its own
			if v := recover(); v != nil {
				operation.EndStream(ctx, apperr.InternalError(fmt.Errorf("panic: %v", v)).WithStack(debug.Stack()))
			}
		}()
		cred, shared := r.Auth.Credential(ctx)
		err := s.watch(ctx, p, sub, func(ctx context.Context, reread bool, notice uint64) error {
			again := func(ctx context.Context) (any, error) {
				now, err := r.Auth.Authenticate(r.Auth.Fresh(ctx))
				if err != nil || !reread {
					return nil, err
				}
				return read(ctx, now)
			}
			var v any
			var err error
			if shared {
				// Shared by the subscriptions woken by the same notice with
				// the same token; one of them leaving must not fail the rest.
				key := fmt.Sprintf("%t\x00%d\x00%s\x00%s", reread, notice, topic, cred)
				v, err = s.work.do(key, func() (any, error) { return again(context.WithoutCancel(ctx)) })
			} else {
				v, err = again(ctx)
			}
			if err != nil || !reread {
				return err
			}
			select {
			case ch <- v.(*T):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		operation.EndStream(ctx, err)
	}()
	return ch, nil
}

// watch waits for what ends or moves a stream and returns why it ended
// (nil when its client left):
//   - a notice of a change, or a gap (the feed of the other instances was
//     back after an interruption): refresh authenticates the caller again,
//     from their token to their user's and session's current state, then
//     reads and sends the current state;
//   - a notice about the caller's user (suspended, deleted, session ended):
//     refresh authenticates the caller again, and reads nothing;
//   - the token's exp: TOKEN_EXPIRED;
//   - the drain: SHUTTING_DOWN;
//   - the database (or the feed) away for DBGrace: DATABASE_UNAVAILABLE;
//     until then a read that failed for it is tried again with backoff.
//
// Any other error of authentication or of the read (NOT_FOUND, say, once the
// caller may no longer see the order) ends the stream with that error.
//
// refresh is told the number of the notice it answers (events.Subscription.Take).
func (s *Streams) watch(ctx context.Context, p *auth.Principal, sub *events.Subscription,
	refresh func(ctx context.Context, reread bool, notice uint64) error) error {
	expiry := time.NewTimer(time.Until(p.Expires))
	defer expiry.Stop()
	var (
		grace, reread   *time.Timer
		graceC, rereadC <-chan time.Time
		stale           bool // the last read met an unavailable database: read again
		unavailable     error
		backoff         = rereadMin
	)
	defer func() {
		for _, t := range []*time.Timer{grace, reread} {
			if t != nil {
				t.Stop()
			}
		}
	}()
	var notice uint64
	for {
		var kinds uint32
		select {
		case <-ctx.Done():
			return nil
		case <-s.Draining:
			return apperr.New(apperr.ShuttingDown).WithRetryAfter(drainRetryAfter)
		case <-expiry.C:
			return p.TokenExpired()
		case <-graceC:
			if unavailable == nil {
				unavailable = apperr.Unavailable(errFeedLost, dbRetryAfter)
			}
			return unavailable
		case <-rereadC:
			rereadC = nil
		case <-sub.C:
			kinds, notice = sub.Take()
		}
		if stale {
			kinds |= events.Changed
		}
		var err error
		if kinds&(events.Changed|events.Gap|events.Access) != 0 {
			err = refresh(ctx, kinds&(events.Changed|events.Gap) != 0, notice)
		}
		switch {
		case err == nil:
			if stale {
				stale, unavailable, backoff = false, nil, rereadMin
			}
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, apperr.DatabaseUnavailable):
			stale, unavailable = true, err
			reread = resetTimer(reread, backoff)
			rereadC = reread.C
			backoff = min(2*backoff, rereadMax)
		default:
			return err
		}
		switch trouble := stale || sub.Interrupted(); {
		case trouble && graceC == nil:
			grace = resetTimer(grace, s.grace())
			graceC = grace.C
		case !trouble && graceC != nil:
			grace.Stop()
			graceC = nil
		}
	}
}

func (s *Streams) grace() time.Duration {
	if s.DBGrace > 0 {
		return s.DBGrace
	}
	return DefaultDBGrace
}

// resetTimer returns t (or a new timer) firing after d.
func resetTimer(t *time.Timer, d time.Duration) *time.Timer {
	if t == nil {
		return time.NewTimer(d)
	}
	t.Reset(d)
	return t
}

type noStreamsError struct{}

func (noStreamsError) Error() string { return "subscriptions are not wired: Resolver.Streams is nil" }

var errNoStreams = noStreamsError{}
