-- +goose Up
-- The throttles' sliding-window logs: one row per hit still inside its
-- bucket's window (unix microseconds). One login attempt is one hit, with
-- one hit_id, in each of its buckets (email and client address, email,
-- client address); a registration is one hit in its client's bucket.
CREATE TABLE throttle_hits (
    bucket TEXT NOT NULL,
    hit_id TEXT NOT NULL,
    at     BIGINT NOT NULL
);

CREATE INDEX throttle_hits_by_bucket ON throttle_hits (bucket, at);
CREATE INDEX throttle_hits_by_hit ON throttle_hits (hit_id);
CREATE INDEX throttle_hits_by_time ON throttle_hits (at);

-- The attempts of the old per-email throttle carry over to the per-email
-- bucket, so that a deployment does not forget an attack under way.
INSERT INTO throttle_hits (bucket, hit_id, at)
SELECT 'login:email:' || email, gen_random_uuid()::text, attempted_at FROM login_attempts;

DROP TABLE login_attempts;

-- +goose Down
CREATE TABLE login_attempts (
    email        TEXT NOT NULL,
    attempted_at BIGINT NOT NULL
);

CREATE INDEX login_attempts_by_email ON login_attempts (email, attempted_at);

INSERT INTO login_attempts (email, attempted_at)
SELECT substr(bucket, 13), at FROM throttle_hits WHERE substr(bucket, 1, 12) = 'login:email:';

DROP TABLE throttle_hits;
