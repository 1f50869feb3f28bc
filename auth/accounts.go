package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/page"
)

// Accounts runs registration, login, token refresh and logout, and the
// reading and administration of users.
type Accounts struct {
	Store      Store
	Tokens     *Tokens
	Passwords  *Passwords
	RefreshTTL time.Duration
	// SessionMaxAge is a session's absolute lifetime, however often it
	// rotates (DefaultSessionMaxAge when zero).
	SessionMaxAge time.Duration
	// Throttles limit login and register; unset rates are DefaultThrottles'.
	Throttles Throttles
	Now       func() time.Time
	// Events learns of the changes that end a user's access (nil: nobody).
	Events Publisher
	// Observer hears refusals and reuse detections, for metrics; nil for none.
	Observer Observer
}

// Observer hears what Accounts refuse and detect, for metrics. Its methods
// run on the request's goroutine: they must be quick.
type Observer interface {
	// Throttled: a login or registration was refused by the bucket of kind
	// (BucketKind: "login_pair", "login_email", "login_client",
	// "register_client").
	Throttled(kind string)
	// RefreshReused: a spent refresh token came back, and its session was
	// revoked.
	RefreshReused()
}

// Publisher learns, once it is stored, of a change that ends a user's
// access or one of their sessions (a suspension, a deletion, a logout, a
// family revoked for reuse), so that the user's subscriptions check their
// caller again at once rather than at their next event.
type Publisher interface {
	UserChanged(userID string)
}

func (a *Accounts) changed(userID string) {
	if a.Events != nil {
		a.Events.UserChanged(userID)
	}
}

func (a *Accounts) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// NormalizeEmail is the form in which emails are stored and compared.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Register creates a USER account and signs it in. The input's ranges are
// checked first, then the client's registrations are counted, and only then
// is the password hashed.
func (a *Accounts) Register(ctx context.Context, email, password, name string) (*Session, error) {
	if err := checkRegistration(email, password, name); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	if err := a.throttleRegister(ctx, now); err != nil {
		return nil, err
	}
	hash, err := a.Passwords.Hash(ctx, password)
	if err != nil {
		return nil, apperr.From(err)
	}
	u := &User{
		ID:           uuid.Must(uuid.NewV7()).String(),
		Email:        NormalizeEmail(email),
		Name:         strings.TrimSpace(name),
		Role:         RoleUser,
		CreatedAt:    now.Truncate(time.Microsecond),
		PasswordHash: hash,
	}
	if err := a.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return a.startSession(ctx, u)
}

// Login checks a password. The lengths are checked before anything is
// stored or hashed; then the attempt is throttled (see Throttles). An
// unknown email and a wrong password answer the same INVALID_CREDENTIALS
// after the same work; a suspended account answers USER_SUSPENDED only to
// the right password.
func (a *Accounts) Login(ctx context.Context, email, password string) (*Session, error) {
	if err := checkLogin(email, password); err != nil {
		return nil, err
	}
	key := NormalizeEmail(email)
	hit, pair, err := a.throttleLogin(ctx, key, a.now().UTC())
	if err != nil {
		return nil, err
	}
	u, err := a.Store.UserByEmail(ctx, key)
	if err != nil {
		return nil, err
	}
	var hash string
	if u != nil {
		hash = u.PasswordHash
	}
	ok, rehash, err := a.Passwords.Verify(ctx, password, hash)
	if err != nil {
		// The password was not checked: not a failure.
		_ = a.Store.ForgetHit(context.WithoutCancel(ctx), hit.ID)
		return nil, apperr.From(err)
	}
	if u == nil || !ok {
		return nil, apperr.New(apperr.InvalidCredentials)
	}
	// A success is no failure, and ends the pair's lock only: the hits
	// other clients left for this email stay.
	if err := a.Store.ForgetHit(ctx, hit.ID, pair.Key); err != nil {
		return nil, err
	}
	if u.Suspended {
		return nil, apperr.New(apperr.UserSuspended)
	}
	if rehash {
		if newHash, err := a.Passwords.Hash(ctx, password); err == nil {
			if err := a.Store.SetPasswordHash(ctx, u.ID, newHash); err != nil {
				return nil, err
			}
		}
	}
	return a.startSession(ctx, u)
}

// Refresh rotates a refresh token: the presented one is spent and a new one
// of the same family is returned with a new access token. Presenting a spent
// token revokes its whole family. A family past its end (SessionMaxAge after
// it began) is TOKEN_EXPIRED, and nothing it issues outlives that end.
func (a *Accounts) Refresh(ctx context.Context, raw string) (*Session, error) {
	if !strings.HasPrefix(raw, RefreshPrefix) {
		if looksLikeJWT(raw) {
			return nil, apperr.New(apperr.TokenTypeMismatch).With("expected", "refresh").Variant("access_as_refresh")
		}
		return nil, malformed("not a refresh token")
	}
	hash := HashRefreshToken(raw)
	rt, err := a.Store.RefreshTokenByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	if rt == nil {
		return nil, malformed("unknown refresh token")
	}
	end := sessionEnd(rt.FamilyCreatedAt, a.SessionMaxAge)
	switch {
	case rt.RevokedAt != nil:
		return nil, apperr.New(apperr.TokenRevoked)
	case rt.UsedAt != nil:
		return nil, a.revokeFamily(ctx, rt.UserID, rt.FamilyID, now)
	case !now.Before(end):
		return nil, apperr.New(apperr.TokenExpired).Variant("session").With("expiredAt", expiredAt(end))
	case !now.Before(rt.ExpiresAt):
		if err := a.Store.DeleteRefreshToken(ctx, hash); err != nil {
			return nil, err
		}
		return nil, apperr.New(apperr.TokenExpired).With("expiredAt", rt.ExpiresAt.UTC().Format(time.RFC3339))
	}
	u, err := a.Store.UserByID(ctx, rt.UserID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, apperr.New(apperr.TokenRevoked)
	}
	if u.Suspended {
		return nil, apperr.New(apperr.UserSuspended)
	}
	next, nextRaw, err := a.newRefreshToken(u.ID, rt.FamilyID, now, end)
	if err != nil {
		return nil, err
	}
	rotated, err := a.Store.RotateRefreshToken(ctx, hash, next, now)
	if err != nil {
		return nil, err
	}
	if !rotated { // another refresh spent it first: this one is a reuse
		return nil, a.revokeFamily(ctx, rt.UserID, rt.FamilyID, now)
	}
	return a.session(u, rt.FamilyID, end, nextRaw)
}

func (a *Accounts) revokeFamily(ctx context.Context, userID, familyID string, now time.Time) error {
	if err := a.Store.RevokeRefreshFamily(ctx, familyID, now); err != nil {
		return err
	}
	if a.Observer != nil {
		a.Observer.RefreshReused()
	}
	a.changed(userID)
	return apperr.New(apperr.TokenRevoked).Variant("reused")
}

// Logout revokes the family of a refresh token, which ends the access
// tokens issued from it too (see Authenticator). Any token, known or not,
// answers the same, so logout is no oracle.
func (a *Accounts) Logout(ctx context.Context, raw string) error {
	if !strings.HasPrefix(raw, RefreshPrefix) {
		return nil
	}
	rt, err := a.Store.RefreshTokenByHash(ctx, HashRefreshToken(raw))
	if err != nil || rt == nil {
		return err
	}
	if err := a.Store.RevokeRefreshFamily(ctx, rt.FamilyID, a.now().UTC()); err != nil {
		return err
	}
	a.changed(rt.UserID)
	return nil
}

// User returns a user the viewer may see: themselves, or anyone for an
// admin. Anyone else's record is NOT_FOUND, as if it did not exist.
func (a *Accounts) User(ctx context.Context, viewer *Principal, id string) (*User, error) {
	if !viewer.MayAccess(id) {
		return nil, apperr.NotFound("User", id)
	}
	u, err := a.Store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, apperr.NotFound("User", id)
	}
	return u, nil
}

const userCursor = "user"

// UserCursor is the cursor of u in user lists.
func UserCursor(u User) string { return page.EncodeCursor(userCursor, u.ID) }

// Users returns a page of all users (the caller has checked the ADMIN role).
func (a *Accounts) Users(ctx context.Context, args page.Args) (page.Page[User], error) {
	if err := args.Valid(); err != nil {
		return page.Page[User]{}, err
	}
	var afterID string
	if args.After != nil {
		id, err := page.DecodeCursor(userCursor, *args.After)
		if err != nil {
			return page.Page[User]{}, err
		}
		afterID = id
	}
	users, err := a.Store.ListUsers(ctx, afterID, args.First+1)
	if err != nil {
		return page.Page[User]{}, err
	}
	return page.Cut(users, args), nil
}

// Suspend suspends a user: their tokens fail with USER_SUSPENDED from the
// next request on, and so do their login and refresh.
func (a *Accounts) Suspend(ctx context.Context, id string) (*User, error) {
	u, err := a.Store.SetSuspended(ctx, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, apperr.NotFound("User", id)
	}
	a.changed(u.ID)
	return u, nil
}

// Delete deletes a user: their tokens fail with TOKEN_REVOKED from the next
// request on.
func (a *Accounts) Delete(ctx context.Context, id string) error {
	ok, err := a.Store.DeleteUser(ctx, id, a.now().UTC())
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("User", id)
	}
	a.changed(id)
	return nil
}

// startSession issues an access token and the first refresh token of a new family.
func (a *Accounts) startSession(ctx context.Context, u *User) (*Session, error) {
	now := a.now().UTC().Truncate(time.Microsecond) // as the database keeps it, so that every reading agrees on the end
	familyID := uuid.Must(uuid.NewV7()).String()
	end := sessionEnd(now, a.SessionMaxAge)
	rt, raw, err := a.newRefreshToken(u.ID, familyID, now, end)
	if err != nil {
		return nil, err
	}
	if err := a.Store.CreateRefreshToken(ctx, rt); err != nil {
		return nil, err
	}
	return a.session(u, familyID, end, raw)
}

// session hands out a refresh token with an access token of the same
// family, which expires at the family's end at the latest.
func (a *Accounts) session(u *User, familyID string, end time.Time, refreshRaw string) (*Session, error) {
	access, life, err := a.Tokens.Issue(u, familyID, end)
	if err != nil {
		return nil, apperr.InternalError(err)
	}
	return &Session{
		AccessToken:  access,
		RefreshToken: refreshRaw,
		TokenType:    "Bearer",
		ExpiresIn:    int(life / time.Second),
		User:         u,
	}, nil
}

// newRefreshToken makes a token of familyID that expires after RefreshTTL,
// or at end, the family's end, if that comes first.
func (a *Accounts) newRefreshToken(userID, familyID string, now, end time.Time) (RefreshToken, string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return RefreshToken{}, "", apperr.InternalError(err)
	}
	raw := RefreshPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return RefreshToken{
		Hash:      HashRefreshToken(raw),
		FamilyID:  familyID,
		UserID:    userID,
		CreatedAt: now,
		ExpiresAt: earlier(now.Add(a.RefreshTTL), end),
	}, raw, nil
}

// HashRefreshToken is how a refresh token is stored: SHA-256, hex. The token
// has 256 random bits, so a fast hash is enough.
func HashRefreshToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// looksLikeJWT recognises three base64url segments (an access token given
// where a refresh token belongs).
func looksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2
}
