-- +goose Up
-- The instances serving from this database, each with its last heartbeat
-- (unix microseconds), so that each can size its share of the
-- deployment-wide rate limit (FAULTLINE_RATE_LIMIT) by the live ones.
CREATE TABLE instances (
    id      TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);

CREATE INDEX instances_by_seen ON instances (seen_at);

-- +goose Down
DROP TABLE instances;
