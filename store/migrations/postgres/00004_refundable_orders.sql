-- +goose Up
-- A top-up sums the user's paid and shipped orders (what refunds could bring
-- back into the wallet); this index holds only those, so the sum does not
-- grow with the user's delivered and cancelled history.
CREATE INDEX orders_refundable_by_user ON orders (user_id, total_cents) WHERE status IN ('PAID', 'SHIPPED');

-- +goose Down
DROP INDEX orders_refundable_by_user;
