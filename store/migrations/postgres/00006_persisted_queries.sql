-- +goose Up
-- Automatic persisted queries, shared by every instance: each document by
-- the SHA-256 of its text. Their bytes are bounded: persisted_query_bytes
-- holds their total, and a save past the budget deletes the oldest first.
CREATE TABLE persisted_queries (
    hash       TEXT PRIMARY KEY,
    query      TEXT NOT NULL,
    bytes      BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX persisted_queries_by_age ON persisted_queries (created_at, hash);

CREATE TABLE persisted_query_bytes (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    bytes BIGINT NOT NULL
);

INSERT INTO persisted_query_bytes (id, bytes) VALUES (1, 0);

-- +goose Down
DROP TABLE persisted_query_bytes;
DROP TABLE persisted_queries;
