-- +goose Up
CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents > 0),
    banned      BOOLEAN NOT NULL DEFAULT FALSE,
    ban_reason  TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

-- A product's categories, in the order they were given.
CREATE TABLE product_categories (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    category   TEXT NOT NULL CHECK (length(category) BETWEEN 1 AND 30),
    PRIMARY KEY (product_id, position)
);

CREATE INDEX product_categories_by_category ON product_categories (category, product_id);

-- +goose Down
DROP TABLE product_categories;
DROP TABLE products;
