package auth

import (
	"context"
	"time"
)

// Store is where accounts, refresh tokens and throttle hits live. Errors
// are apperr errors (CONFLICT / ALREADY_EXISTS with the field for a taken
// email, DATABASE_UNAVAILABLE, ...).
type Store interface {
	// CreateUser stores a new user; a taken email is ALREADY_EXISTS (field
	// "email"), decided by the database's unique index, not by a lookup.
	CreateUser(ctx context.Context, u *User) error
	// UserByID and UserByEmail return nil and no error for no (or a deleted) user.
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UsersByIDs returns the users that exist among ids, in any order.
	UsersByIDs(ctx context.Context, ids []string) ([]*User, error)
	// ListUsers returns up to limit users after afterID ("" for the start) in id order.
	ListUsers(ctx context.Context, afterID string, limit int) ([]User, error)
	SetPasswordHash(ctx context.Context, id, hash string) error
	// SetSuspended marks a user suspended; nil when no user has id.
	SetSuspended(ctx context.Context, id string) (*User, error)
	// DeleteUser deletes a user and revokes all their refresh tokens; false
	// when no user has id.
	DeleteUser(ctx context.Context, id string, at time.Time) (bool, error)

	// CreateRefreshToken stores a token, starting its family when new.
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// RefreshTokenByHash returns nil and no error for an unknown hash.
	RefreshTokenByHash(ctx context.Context, hash string) (*RefreshToken, error)
	// RotateRefreshToken marks old used and stores next in one transaction,
	// only if old was unused and its family not revoked; false otherwise.
	RotateRefreshToken(ctx context.Context, oldHash string, next RefreshToken, at time.Time) (bool, error)
	RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error
	DeleteRefreshToken(ctx context.Context, hash string) error
	// DeleteExpired removes refresh tokens expired before tokensBefore and
	// throttle hits older than hitsBefore.
	DeleteExpired(ctx context.Context, tokensBefore, hitsBefore time.Time) error

	// Throttle records hit in each of its buckets and counts, in the same
	// transaction, each bucket's hits within its window; concurrent hits on
	// one bucket are counted one after the other. When a bucket then holds
	// more than its limit, the hit is removed again and the refusal names
	// the bucket that frees up last; otherwise the refusal is nil.
	Throttle(ctx context.Context, hit Hit) (*Refusal, error)
	// ForgetHit removes the hit id from every bucket, and every hit of the
	// buckets clear.
	ForgetHit(ctx context.Context, id string, clear ...string) error
}

// RefreshToken is the server's record of a refresh token: only its hash.
type RefreshToken struct {
	Hash            string
	FamilyID        string
	UserID          string
	CreatedAt       time.Time
	ExpiresAt       time.Time
	FamilyCreatedAt time.Time  // when its family (the session) began; read, not written
	UsedAt          *time.Time // set when it was rotated
	RevokedAt       *time.Time // set when its family was revoked
}

// Family is a refresh family: one sign-in's chain of refresh tokens, and
// the session that its access tokens name in their sid claim.
type Family struct {
	ID        string
	UserID    string
	CreatedAt time.Time
	RevokedAt *time.Time // set by logout, reuse detection or the user's deletion
}

// DefaultSessionMaxAge is a session's absolute lifetime when none is set.
const DefaultSessionMaxAge = 720 * time.Hour

// sessionEnd is when a family begun at created ends, however often it
// rotates: maxAge later (DefaultSessionMaxAge when zero).
func sessionEnd(created time.Time, maxAge time.Duration) time.Time {
	if maxAge <= 0 {
		maxAge = DefaultSessionMaxAge
	}
	return created.Add(maxAge)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
