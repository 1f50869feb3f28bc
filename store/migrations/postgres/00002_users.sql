-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('USER', 'ADMIN')),
    password_hash TEXT NOT NULL,
    suspended     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    deleted_at    TIMESTAMPTZ
);

-- Emails are unique among live accounts; the database decides, so two
-- concurrent registrations of one email cannot both succeed. The index's
-- name is what store/postgres.go maps to the field "email".
CREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL;

ALTER TABLE products ADD COLUMN created_by TEXT REFERENCES users (id);

-- A family is one login's chain of refresh tokens; revoking it ends the session.
CREATE TABLE refresh_families (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX refresh_families_by_user ON refresh_families (user_id);

-- Only a hash of each refresh token is kept.
CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);

CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);

-- One row per login attempt still inside the throttling window (unix microseconds).
CREATE TABLE login_attempts (
    email        TEXT NOT NULL,
    attempted_at BIGINT NOT NULL
);

CREATE INDEX login_attempts_by_email ON login_attempts (email, attempted_at);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE refresh_tokens;
DROP TABLE refresh_families;
ALTER TABLE products DROP COLUMN created_by;
DROP TABLE users;
