package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/faultline/faultline/auth"
)

var _ auth.SessionLoader = (*DB)(nil)

// SessionUser implements auth.SessionLoader: the user and the refresh
// family that an access token names, in one query. Every authenticated
// request asks it; where the engine allows (see userCache), it answers from
// memory.
func (db *DB) SessionUser(ctx context.Context, userID, familyID string) (*auth.User, *auth.Family, error) {
	if db.users != nil {
		if u, f, ok := db.users.session(userID, familyID); ok {
			return u, f, nil
		}
	}
	ctx, cancel := db.call(ctx)
	defer cancel()
	var gen uint64
	if db.users != nil {
		gen = db.users.generation.Load()
	}
	var (
		u                  auth.User
		fid                sql.Null[string]
		fCreated, fRevoked sql.Null[time.Time]
	)
	// The user's columns are userColumns, of u.
	err := db.q.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.password_hash, u.suspended, u.created_at,
		f.id, f.created_at, f.revoked_at
		FROM users u LEFT JOIN refresh_families f ON f.id = $2 AND f.user_id = u.id
		WHERE u.id = $1 AND u.deleted_at IS NULL`, userID, familyID).
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Suspended, &u.CreatedAt, &fid, &fCreated, &fRevoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, db.mapErr(ctx, err)
	}
	var f *auth.Family
	if fid.Valid {
		f = &auth.Family{ID: fid.V, UserID: u.ID, CreatedAt: fCreated.V}
		if fRevoked.Valid {
			f.RevokedAt = &fRevoked.V
		}
	}
	if db.users != nil {
		db.users.putSession(&u, f, gen)
	}
	return &u, f, nil
}

// forgetFamily drops a family from the cache after a write to it.
func (db *DB) forgetFamily(id string) {
	if db.users != nil {
		db.users.dropFamily(id)
	}
}

// forgetFamilies drops every family from the cache.
func (db *DB) forgetFamilies() {
	if db.users != nil {
		db.users.dropFamilies()
	}
}
