// Package auth is faultline's identity: users and roles, access tokens
// (signed JWTs), refresh tokens (opaque, rotated, stored as hashes),
// argon2id passwords, login throttling, and the per-request authentication
// that the GraphQL @auth directive asks. It returns apperr errors and knows
// nothing of GraphQL; storage is behind the Store interface.
package auth

import "time"

// Role is what a user may do. ADMIN passes every USER check.
type Role string

// The roles, lowest first.
const (
	RoleUser  Role = "USER"
	RoleAdmin Role = "ADMIN"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleUser || r == RoleAdmin }

// Satisfies reports whether a user of role r passes a check for required.
func (r Role) Satisfies(required Role) bool {
	return r == RoleAdmin || r == required
}

// User is an account.
type User struct {
	ID           string
	Email        string // normalized: trimmed and lower-cased
	Name         string
	Role         Role
	Suspended    bool
	CreatedAt    time.Time
	PasswordHash string // PHC string; never leaves the server
}

// Session is what register, login and refreshToken hand out.
type Session struct {
	AccessToken  string
	RefreshToken string
	TokenType    string // always "Bearer"
	ExpiresIn    int    // the access token's lifetime in seconds
	User         *User
}
