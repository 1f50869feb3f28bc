package auth

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/clientip"
)

// Rate is a throttle's limit: at most Limit hits within Window.
type Rate struct {
	Limit  int
	Window time.Duration
}

// Throttles are the limits of login and register (README, Authentication).
// Each is a bucket of hits kept in the database as a sliding window log, so
// every instance on one database counts the same hits. A client is
// clientip.From: the connection's address, an IPv6 address by its /64.
type Throttles struct {
	// LoginPair counts failed logins for one email from one client: the
	// contract's 5 in 15 minutes. An attacker elsewhere fills a pair of
	// their own, not the owner's.
	LoginPair Rate
	// LoginEmail counts failed logins for one email from every client: 50
	// in 15 minutes, ten clients' worth of pairs, stops guessing spread over
	// many addresses while a few typing users behind other addresses do not
	// reach it.
	LoginEmail Rate
	// LoginClient counts failed logins from one client for every email: 30
	// in 15 minutes, six accounts' worth of pairs, stops password spraying
	// and leaves room for an office behind one address.
	LoginClient Rate
	// Register counts register calls from one client, refused ones
	// included: 10 in an hour; each costs an argon2id hash and a row.
	Register Rate
}

// DefaultThrottles are the documented limits.
var DefaultThrottles = Throttles{
	LoginPair:   Rate{Limit: 5, Window: 15 * time.Minute},
	LoginEmail:  Rate{Limit: 50, Window: 15 * time.Minute},
	LoginClient: Rate{Limit: 30, Window: 15 * time.Minute},
	Register:    Rate{Limit: 10, Window: time.Hour},
}

// orDefault is t with every unset rate at its default.
func (t Throttles) orDefault() Throttles {
	pick := func(r, d Rate) Rate {
		if r.Limit <= 0 || r.Window <= 0 {
			return d
		}
		return r
	}
	d := DefaultThrottles
	return Throttles{
		LoginPair:   pick(t.LoginPair, d.LoginPair),
		LoginEmail:  pick(t.LoginEmail, d.LoginEmail),
		LoginClient: pick(t.LoginClient, d.LoginClient),
		Register:    pick(t.Register, d.Register),
	}
}

// LongestWindow is how long a hit can matter: older ones may be deleted.
func (t Throttles) LongestWindow() time.Duration {
	t = t.orDefault()
	return max(t.LoginPair.Window, t.LoginEmail.Window, t.LoginClient.Window, t.Register.Window)
}

// Bucket is one counter of a throttle.
type Bucket struct {
	Key string
	Rate
}

// Hit is one throttled attempt: one row in each of its buckets, all with
// the same random ID, so that removing it never removes another attempt
// of the same instant.
type Hit struct {
	ID      string
	At      time.Time
	Buckets []Bucket
}

// Refusal says which bucket refused a hit and when it has room again: when
// its oldest hit leaves the window.
type Refusal struct {
	Bucket string
	Until  time.Time
}

func newHit(at time.Time, buckets ...Bucket) Hit {
	return Hit{ID: rand.Text(), At: at, Buckets: buckets}
}

// BucketKinds are the kinds of buckets (BucketKind), for metrics.
var BucketKinds = []string{"login_pair", "login_email", "login_client", "register_client"}

// BucketKind names the kind of a bucket by its key, without the email or
// client in it: "login:pair:EMAIL|CLIENT" is "login_pair".
func BucketKind(key string) string {
	scope, rest, _ := strings.Cut(key, ":")
	kind, _, _ := strings.Cut(rest, ":")
	return scope + "_" + kind
}

// loginBuckets are the buckets of a login for email (normalized) from client.
func (t Throttles) loginBuckets(email, client string) (pair Bucket, all []Bucket) {
	pair = Bucket{Key: "login:pair:" + email + "|" + client, Rate: t.LoginPair}
	return pair, []Bucket{
		pair,
		{Key: "login:email:" + email, Rate: t.LoginEmail},
		{Key: "login:client:" + client, Rate: t.LoginClient},
	}
}

// throttle records hit; a refusal is an error of type typ with retryAfter
// (at least a second).
func (a *Accounts) throttle(ctx context.Context, hit Hit, typ apperr.Type) error {
	refused, err := a.Store.Throttle(ctx, hit)
	if err != nil || refused == nil {
		return err
	}
	if a.Observer != nil {
		a.Observer.Throttled(BucketKind(refused.Bucket))
	}
	return apperr.New(typ).WithRetryAfter(max(refused.Until.Sub(hit.At), time.Second))
}

// throttleLogin counts a login attempt for email (normalized) in its
// buckets before the password is checked. It returns the hit and the pair
// bucket, which a success forgets.
func (a *Accounts) throttleLogin(ctx context.Context, email string, now time.Time) (Hit, Bucket, error) {
	pair, buckets := a.Throttles.orDefault().loginBuckets(email, clientip.From(ctx))
	hit := newHit(now, buckets...)
	return hit, pair, a.throttle(ctx, hit, apperr.TooManyLoginAttempts)
}

// throttleRegister counts a registration from the request's client before
// its password is hashed; taken emails count too.
func (a *Accounts) throttleRegister(ctx context.Context, now time.Time) error {
	hit := newHit(now, Bucket{Key: "register:client:" + clientip.From(ctx), Rate: a.Throttles.orDefault().Register})
	return a.throttle(ctx, hit, apperr.TooManyRegistrations)
}
