package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/apperr"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID string
	Role   Role // from the database, not from the token
	User   *User
	// Expires is when the access token expires (its exp), which ends a
	// subscription started with it.
	Expires time.Time
}

// TokenExpired is the error of p's token once Expires has passed.
func (p *Principal) TokenExpired() *apperr.Error {
	return apperr.New(apperr.TokenExpired).With("expiredAt", expiredAt(p.Expires))
}

// SessionLoader finds an access token's user and session in one lookup.
type SessionLoader interface {
	// SessionUser returns the user userID (nil for none or deleted) and
	// their refresh family familyID (nil when it does not exist or is
	// another user's).
	SessionUser(ctx context.Context, userID, familyID string) (*User, *Family, error)
}

// Authenticator authenticates the requests' bearer tokens for the @auth
// directive. The Authorization header is read by WithRequest; the token is
// verified and its user and session loaded at most once per request, and
// only when a protected field asks, so that public fields never fail on a
// bad token. The user's status and the session's are read from the
// database on every request, so that a suspension, a deletion or a logout
// takes effect from the next request on, on every instance.
type Authenticator struct {
	Tokens   *Tokens
	Sessions SessionLoader
	// SessionMaxAge is a session's absolute lifetime (DefaultSessionMaxAge
	// when zero); Accounts.SessionMaxAge must be the same.
	SessionMaxAge time.Duration
}

type requestAuth struct {
	token     string
	present   bool
	headerErr *apperr.Error
	initial   bool // the token came in a WebSocket's connection_init, not a header

	once      sync.Once
	principal *Principal
	err       error

	refused atomic.Bool // an UNAUTHENTICATED error from the bearer went to a field
}

type ctxKey struct{}

// WithRequest reads a request's Authorization header into its context; the
// token is verified only when a protected field asks (Authenticate).
func (a *Authenticator) WithRequest(ctx context.Context, r *http.Request) context.Context {
	st := &requestAuth{}
	st.token, st.present, st.headerErr = BearerToken(r.Header)
	return context.WithValue(ctx, ctxKey{}, st)
}

// WithToken reads the value of a WebSocket connection_init's authorization
// ("Bearer <token>", the scheme in any case) into ctx, for the operations of
// that connection, as WithRequest reads a header; "" is no token. Like the
// header, the token is verified only when a protected field asks.
func (a *Authenticator) WithToken(ctx context.Context, value string) context.Context {
	st := &requestAuth{present: value != "", initial: true}
	if st.present {
		st.token, st.headerErr = parseBearer(value)
	}
	return context.WithValue(ctx, ctxKey{}, st)
}

// Fresh returns ctx with the same token, to be verified, and its user and
// session read, again at the next Authenticate: for each operation of a
// WebSocket connection and each event of a subscription, so that a
// suspension, a deletion or a logout shows there too.
func (a *Authenticator) Fresh(ctx context.Context) context.Context {
	st, _ := ctx.Value(ctxKey{}).(*requestAuth)
	if st == nil {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, &requestAuth{token: st.token, present: st.present, headerErr: st.headerErr, initial: st.initial})
}

// Credential is the well-formed token ctx carries, if it carries one: two
// contexts with the same credential authenticate alike at the same moment.
func (a *Authenticator) Credential(ctx context.Context) (token string, ok bool) {
	st, _ := ctx.Value(ctxKey{}).(*requestAuth)
	if st == nil || !st.present || st.headerErr != nil {
		return "", false
	}
	return st.token, true
}

// resolve authenticates the request once.
func (a *Authenticator) resolve(ctx context.Context) (*requestAuth, *Principal, error) {
	st, _ := ctx.Value(ctxKey{}).(*requestAuth)
	if st == nil {
		return nil, nil, apperr.New(apperr.TokenMissing)
	}
	st.once.Do(func() { st.principal, st.err = a.authenticate(ctx, st) })
	return st, st.principal, st.err
}

func (a *Authenticator) authenticate(ctx context.Context, st *requestAuth) (*Principal, error) {
	switch {
	case st.headerErr != nil:
		return nil, st.headerErr
	case !st.present && st.initial:
		return nil, apperr.New(apperr.TokenMissing).Variant("connection_init")
	case !st.present:
		return nil, apperr.New(apperr.TokenMissing)
	}
	claims, bad := a.Tokens.Verify(st.token)
	if bad != nil {
		return nil, bad
	}
	u, f, err := a.Sessions.SessionUser(ctx, claims.Subject, claims.SessionID)
	if err != nil {
		return nil, err
	}
	switch {
	case u == nil:
		return nil, apperr.New(apperr.TokenRevoked).Variant("no_user")
	case u.Suspended:
		return nil, apperr.New(apperr.UserSuspended)
	case f == nil, f.RevokedAt != nil, !time.Now().Before(sessionEnd(f.CreatedAt, a.SessionMaxAge)):
		return nil, apperr.New(apperr.TokenRevoked).Variant("session")
	}
	return &Principal{UserID: u.ID, Role: u.Role, User: u, Expires: claims.ExpiresAt.Time}, nil
}

// Authenticate returns the request's principal, or the precise reason there
// is none (TOKEN_MISSING, a TOKEN_* type, USER_SUSPENDED, ...).
func (a *Authenticator) Authenticate(ctx context.Context) (*Principal, error) {
	st, p, err := a.resolve(ctx)
	if err != nil && st != nil && errors.Is(err, apperr.CodeUnauthenticated) {
		st.refused.Store(true)
	}
	return p, err
}

// Require authenticates the request and checks its role: too low a role is
// FORBIDDEN / INSUFFICIENT_ROLE naming the role required.
func (a *Authenticator) Require(ctx context.Context, role Role) (*Principal, error) {
	p, err := a.Authenticate(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Role.Satisfies(role) {
		return nil, apperr.New(apperr.InsufficientRole).With("requiredRole", string(role))
	}
	return p, nil
}

// RequireOwner authenticates the request and lets through the user ownerID
// and admins; anyone else is INSUFFICIENT_ROLE with requiredRole ADMIN.
func (a *Authenticator) RequireOwner(ctx context.Context, ownerID string) (*Principal, error) {
	p, err := a.Authenticate(ctx)
	if err != nil {
		return nil, err
	}
	if !p.MayAccess(ownerID) {
		return nil, apperr.New(apperr.InsufficientRole).With("requiredRole", string(RoleAdmin))
	}
	return p, nil
}

// Viewer is the request's principal when its token is valid, and nil
// otherwise; public fields use it to adapt (admins see banned products) and
// never fail because of it, and directives use it for the common case
// without marking the request refused.
func (a *Authenticator) Viewer(ctx context.Context) *Principal {
	_, p, _ := a.resolve(ctx)
	return p
}

// Realm is the realm of faultline's WWW-Authenticate challenges.
const Realm = "faultline"

// bareChallenge is the challenge of a request that sent no token.
var bareChallenge = []string{`Bearer realm="` + Realm + `"`}

// Challenge sets WWW-Authenticate (RFC 6750) when a protected field of the
// request failed for want of a valid bearer token: the bare challenge when
// none was sent, error="invalid_token" when one was (an empty one included).
func Challenge(ctx context.Context, h http.Header) {
	st, _ := ctx.Value(ctxKey{}).(*requestAuth)
	if st == nil || !st.refused.Load() {
		return
	}
	if !st.present {
		h["Www-Authenticate"] = bareChallenge
		return
	}
	desc := "The access token is invalid"
	if ae, ok := errors.AsType[*apperr.Error](st.err); ok {
		desc = ae.Message()
	}
	desc = quoteSafe.Replace(desc)
	h["Www-Authenticate"] = []string{`Bearer realm="` + Realm + `", error="invalid_token", error_description="` + desc + `"`}
}

// quoteSafe keeps an error description inside its quoted-string.
var quoteSafe = strings.NewReplacer(`"`, "'", `\`, "/")
