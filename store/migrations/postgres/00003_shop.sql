-- +goose Up
CREATE TABLE wallets (
    user_id       TEXT PRIMARY KEY REFERENCES users (id),
    balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0),
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE orders (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    status       TEXT NOT NULL CHECK (status IN ('PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED')),
    total_cents  BIGINT NOT NULL CHECK (total_cents > 0),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    cancelled_at TIMESTAMPTZ
);

CREATE INDEX orders_by_user ON orders (user_id, id);

-- Prices are copied into the order when it is placed.
CREATE TABLE order_items (
    order_id         TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    product_id       TEXT NOT NULL REFERENCES products (id),
    quantity         INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents > 0),
    PRIMARY KEY (order_id, position)
);

-- The ledger: every movement of money, written in the same transaction as
-- the balance it changes, so that the conservation of money can be checked.
CREATE TABLE wallet_entries (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('TOP_UP', 'PAYMENT', 'REFUND')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    order_id     TEXT REFERENCES orders (id),
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX wallet_entries_by_user ON wallet_entries (user_id);

-- +goose Down
DROP TABLE wallet_entries;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE wallets;
