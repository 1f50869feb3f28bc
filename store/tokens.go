package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/faultline/faultline/auth"
)

// CreateRefreshToken implements auth.Store.
func (db *DB) CreateRefreshToken(ctx context.Context, t auth.RefreshToken) error {
	ctx, cancel := db.call(ctx)
	defer cancel()
	return db.inTx(ctx, func(tx counted) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_families (id, user_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO NOTHING`, t.FamilyID, t.UserID, t.CreatedAt.UTC()); err != nil {
			return err
		}
		return insertRefreshToken(ctx, tx, t)
	})
}

func insertRefreshToken(ctx context.Context, tx counted, t auth.RefreshToken) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, family_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		t.Hash, t.FamilyID, t.CreatedAt.UTC(), t.ExpiresAt.UTC())
	return err
}

// RefreshTokenByHash implements auth.Store.
func (db *DB) RefreshTokenByHash(ctx context.Context, hash string) (*auth.RefreshToken, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var (
		t             auth.RefreshToken
		used, revoked sql.Null[time.Time]
	)
	err := db.q.QueryRowContext(ctx, `SELECT t.hash, t.family_id, f.user_id, t.created_at, t.expires_at, f.created_at, t.used_at, f.revoked_at
		FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = $1`, hash).
		Scan(&t.Hash, &t.FamilyID, &t.UserID, &t.CreatedAt, &t.ExpiresAt, &t.FamilyCreatedAt, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	if used.Valid {
		t.UsedAt = &used.V
	}
	if revoked.Valid {
		t.RevokedAt = &revoked.V
	}
	return &t, nil
}

// RotateRefreshToken implements auth.Store: the conditional update decides
// which of several concurrent refreshes of one token wins.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash string, next auth.RefreshToken, at time.Time) (bool, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var rotated bool
	err := db.inTx(ctx, func(tx counted) error {
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1
			WHERE hash = $2 AND used_at IS NULL
			AND EXISTS (SELECT 1 FROM refresh_families f WHERE f.id = refresh_tokens.family_id AND f.revoked_at IS NULL)`,
			at.UTC(), oldHash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n != 1 {
			return err
		}
		rotated = true
		return insertRefreshToken(ctx, tx, next)
	})
	return rotated, err
}

// RevokeRefreshFamily implements auth.Store.
func (db *DB) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	err := db.exec(ctx, `UPDATE refresh_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.UTC(), familyID)
	db.forgetFamily(familyID) // after the commit: the next request sees the revocation
	return err
}

// DeleteRefreshToken implements auth.Store.
func (db *DB) DeleteRefreshToken(ctx context.Context, hash string) error {
	return db.exec(ctx, `DELETE FROM refresh_tokens WHERE hash = $1`, hash)
}

// DeleteExpired implements auth.Store.
func (db *DB) DeleteExpired(ctx context.Context, tokensBefore, hitsBefore time.Time) error {
	ctx, cancel := db.call(ctx)
	defer cancel()
	defer db.forgetFamilies() // some families may be gone, and which is not known here
	return db.inTx(ctx, func(tx counted) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE expires_at < $1`, tokensBefore.UTC()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_families
			WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = refresh_families.id)`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM throttle_hits WHERE at < $1`, hitsBefore.UnixMicro())
		return err
	})
}
