package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/faultline/faultline/auth"
)

var _ auth.Store = (*DB)(nil)

const userColumns = `id, email, name, role, password_hash, suspended, created_at`

func scanUser(row interface{ Scan(...any) error }, u *auth.User) error {
	return row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Suspended, &u.CreatedAt)
}

// CreateUser implements auth.Store.
func (db *DB) CreateUser(ctx context.Context, u *auth.User) error {
	return db.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Email, u.Name, u.Role, u.PasswordHash, u.Suspended, u.CreatedAt.UTC())
}

func (db *DB) oneUser(ctx context.Context, where string, arg any) (*auth.User, error) {
	var u auth.User
	err := scanUser(db.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where+` AND deleted_at IS NULL`, arg), &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	return &u, nil
}

// UserByID implements auth.Store. Every authenticated request asks it;
// where the engine allows (see userCache), it answers from memory.
func (db *DB) UserByID(ctx context.Context, id string) (*auth.User, error) {
	if db.users != nil {
		if u, ok := db.users.get(id); ok {
			return u, nil
		}
	}
	ctx, cancel := db.call(ctx)
	defer cancel()
	var gen uint64
	if db.users != nil {
		gen = db.users.generation.Load()
	}
	u, err := db.oneUser(ctx, "id = $1", id)
	if u != nil && db.users != nil {
		db.users.put(u, gen)
	}
	return u, err
}

// forget drops a user from the cache after a write to it.
func (db *DB) forget(id string) {
	if db.users != nil {
		db.users.drop(id)
	}
}

// UserByEmail implements auth.Store.
func (db *DB) UserByEmail(ctx context.Context, email string) (*auth.User, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	return db.oneUser(ctx, "email = $1", email)
}

// UsersByIDs implements auth.Store.
func (db *DB) UsersByIDs(ctx context.Context, ids []string) ([]*auth.User, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := db.q.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id `+in(1, len(ids))+` AND deleted_at IS NULL`, anys(ids)...)
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	defer rows.Close()
	var users []*auth.User
	for rows.Next() {
		u := new(auth.User)
		if err := scanUser(rows, u); err != nil {
			return nil, db.mapErr(ctx, err)
		}
		users = append(users, u)
	}
	return users, db.mapErr(ctx, rows.Err())
}

// ListUsers implements auth.Store.
func (db *DB) ListUsers(ctx context.Context, afterID string, limit int) ([]auth.User, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	rows, err := db.q.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE deleted_at IS NULL AND id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	defer rows.Close()
	var users []auth.User
	for rows.Next() {
		var u auth.User
		if err := scanUser(rows, &u); err != nil {
			return nil, db.mapErr(ctx, err)
		}
		users = append(users, u)
	}
	return users, db.mapErr(ctx, rows.Err())
}

// SetPasswordHash implements auth.Store.
func (db *DB) SetPasswordHash(ctx context.Context, id, hash string) error {
	err := db.exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id)
	db.forget(id)
	return err
}

// SetSuspended implements auth.Store.
func (db *DB) SetSuspended(ctx context.Context, id string) (*auth.User, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var u auth.User
	err := scanUser(db.q.QueryRowContext(ctx, `UPDATE users SET suspended = TRUE
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+userColumns, id), &u)
	db.forget(id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	return &u, nil
}

// DeleteUser implements auth.Store: the row stays (orders and products keep
// their references) but is gone for every query, its email is free again,
// and every refresh family of the user is revoked.
func (db *DB) DeleteUser(ctx context.Context, id string, at time.Time) (bool, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var deleted bool
	err := db.inTx(ctx, func(tx counted) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL`, at.UTC(), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		deleted = true
		_, err = tx.ExecContext(ctx, `UPDATE refresh_families SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, at.UTC(), id)
		return err
	})
	db.forget(id) // after the commit (or the rollback): the next read sees the database
	return deleted, err
}
