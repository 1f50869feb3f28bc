package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/shop"
)

var _ shop.OrderStore = (*DB)(nil)

const orderColumns = `id, user_id, status, total_cents, created_at, updated_at, cancelled_at`

func scanOrder(row interface{ Scan(...any) error }, o *shop.Order) error {
	var cancelled sql.Null[time.Time]
	if err := row.Scan(&o.ID, &o.UserID, &o.Status, &o.TotalCents, &o.CreatedAt, &o.UpdatedAt, &cancelled); err != nil {
		return err
	}
	if cancelled.Valid {
		o.CancelledAt = &cancelled.V
	}
	return nil
}

// PlaceOrder implements shop.OrderStore.
func (db *DB) PlaceOrder(ctx context.Context, productIDs []string, decide func(map[string]shop.Product) (*shop.Order, error)) (*shop.Order, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var out *shop.Order
	err := db.inTx(ctx, func(tx counted) error {
		products, err := db.productsByIDs(ctx, tx, productIDs, db.engine.forShare)
		if err != nil {
			return err
		}
		byID := make(map[string]shop.Product, len(products))
		for _, p := range products {
			byID[p.ID] = p
		}
		o, err := decide(byID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (`+orderColumns+`) VALUES ($1, $2, $3, $4, $5, $6, NULL)`,
			o.ID, o.UserID, o.Status, o.TotalCents, o.CreatedAt.UTC(), o.UpdatedAt.UTC()); err != nil {
			return err
		}
		for i, it := range o.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_items (order_id, position, product_id, quantity, unit_price_cents)
				VALUES ($1, $2, $3, $4, $5)`, o.ID, i, it.ProductID, it.Quantity, it.UnitPriceCents); err != nil {
				return err
			}
		}
		out = o
		return nil
	})
	return out, err
}

// MoveOrder implements shop.OrderStore. Within one transaction it reads the
// order and the owner's balance, asks decide, then updates the status only
// if it is still the one read, moves the money only if the balance still
// covers it, and writes the ledger; anything that fails rolls it all back.
func (db *DB) MoveOrder(ctx context.Context, id string, decide func(*shop.Order, int) (shop.Move, error)) (*shop.Order, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var out *shop.Order
	err := db.inTx(ctx, func(tx counted) error {
		o, err := orderByID(ctx, tx, id, db.engine.forUpdate)
		if err != nil {
			return err
		}
		var balance int
		if o != nil {
			if balance, err = walletBalance(ctx, tx, o.UserID, db.engine.forUpdate); err != nil {
				return err
			}
		}
		m, err := decide(o, balance)
		if err != nil {
			return err
		}
		now := m.At.UTC()
		cancelledAt := sql.Null[time.Time]{V: now, Valid: m.To == shop.Cancelled}
		res, err := tx.ExecContext(ctx, `UPDATE orders SET status = $1, updated_at = $2, cancelled_at = COALESCE($3, cancelled_at)
			WHERE id = $4 AND status = $5`, m.To, now, cancelledAt, id, o.Status)
		if err := exactlyOne(res, err); err != nil {
			return err
		}
		if m.DebitCents > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE wallets SET balance_cents = balance_cents - $1, updated_at = $2
				WHERE user_id = $3 AND balance_cents >= $1`, m.DebitCents, now, o.UserID)
			if err := exactlyOne(res, err); err != nil {
				return err
			}
			if err := addEntry(ctx, tx, o.UserID, "PAYMENT", m.DebitCents, o.ID, now); err != nil {
				return err
			}
		}
		if m.CreditCents > 0 {
			if _, err := credit(ctx, tx, o.UserID, m.CreditCents, now); err != nil {
				return err
			}
			if err := addEntry(ctx, tx, o.UserID, "REFUND", m.CreditCents, o.ID, now); err != nil {
				return err
			}
		}
		o.Status, o.UpdatedAt = m.To, now
		if cancelledAt.Valid {
			o.CancelledAt = &now
		}
		out = o
		// Read in the transaction: once it commits, the move is reported done.
		return loadItems(ctx, tx, []*shop.Order{o})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// exactlyOne turns a conditional update that matched no row into
// CONCURRENT_MODIFICATION: the row changed after it was read. (A SQLite
// write transaction holds the database, so this only fires on engines with
// row locks.)
func exactlyOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return apperr.New(apperr.ConcurrentModification)
	}
	return nil
}

func orderByID(ctx context.Context, h counted, id, lock string) (*shop.Order, error) {
	var o shop.Order
	err := scanOrder(h.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`+lock, id), &o)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func walletBalance(ctx context.Context, h counted, userID, lock string) (int, error) {
	var balance int
	err := h.QueryRowContext(ctx, `SELECT balance_cents FROM wallets WHERE user_id = $1`+lock, userID).Scan(&balance)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return balance, err
}

// credit adds to a wallet, creating it on first use, and returns the balance.
func credit(ctx context.Context, h counted, userID string, cents int, at time.Time) (int, error) {
	var balance int
	err := h.QueryRowContext(ctx, `INSERT INTO wallets (user_id, balance_cents, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET balance_cents = wallets.balance_cents + excluded.balance_cents, updated_at = excluded.updated_at
		RETURNING balance_cents`, userID, cents, at.UTC()).Scan(&balance)
	return balance, err
}

func addEntry(ctx context.Context, h counted, userID, kind string, cents int, orderID string, at time.Time) error {
	_, err := h.ExecContext(ctx, `INSERT INTO wallet_entries (id, user_id, kind, amount_cents, order_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, uuid.Must(uuid.NewV7()).String(), userID, kind, cents,
		sql.Null[string]{V: orderID, Valid: orderID != ""}, at.UTC())
	return err
}

// OrderByID implements shop.OrderStore.
func (db *DB) OrderByID(ctx context.Context, id string) (*shop.Order, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	o, err := orderByID(ctx, db.q, id, "")
	if err != nil || o == nil {
		return nil, db.mapErr(ctx, err)
	}
	return o, db.mapErr(ctx, loadItems(ctx, db.q, []*shop.Order{o}))
}

// ListOrders implements shop.OrderStore: newest first, with their items, in
// two queries whatever the page size.
func (db *DB) ListOrders(ctx context.Context, userID, afterID string, limit int) ([]shop.Order, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	q := `SELECT ` + orderColumns + ` FROM orders WHERE user_id = $1`
	args := []any{userID}
	if afterID != "" {
		q += ` AND id < $2`
		args = append(args, afterID)
	}
	q += ` ORDER BY id DESC LIMIT $` + itoa(len(args)+1)
	rows, err := db.q.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	defer rows.Close()
	var orders []shop.Order
	for rows.Next() {
		var o shop.Order
		if err := scanOrder(rows, &o); err != nil {
			return nil, db.mapErr(ctx, err)
		}
		orders = append(orders, o)
	}
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(ctx, err)
	}
	ptrs := make([]*shop.Order, len(orders))
	for i := range orders {
		ptrs[i] = &orders[i]
	}
	return orders, db.mapErr(ctx, loadItems(ctx, db.q, ptrs))
}

// loadItems fills the items of orders with one query on h.
func loadItems(ctx context.Context, h counted, orders []*shop.Order) error {
	if len(orders) == 0 {
		return nil
	}
	byID := make(map[string]*shop.Order, len(orders))
	ids := make([]string, len(orders))
	for i, o := range orders {
		byID[o.ID], ids[i] = o, o.ID
	}
	rows, err := h.QueryContext(ctx, `SELECT order_id, product_id, quantity, unit_price_cents FROM order_items
		WHERE order_id `+in(1, len(ids))+` ORDER BY order_id, position`, anys(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			orderID string
			it      shop.OrderItem
		)
		if err := rows.Scan(&orderID, &it.ProductID, &it.Quantity, &it.UnitPriceCents); err != nil {
			return err
		}
		byID[orderID].Items = append(byID[orderID].Items, it)
	}
	return rows.Err()
}

// TopUp implements shop.OrderStore.
// The credit comes first so that the wallet's row is locked (created if need
// be) before the balance and the orders are judged.
func (db *DB) TopUp(ctx context.Context, userID string, cents int, decide func(balance, refundable int) error) (*shop.Wallet, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var balance int
	err := db.inTx(ctx, func(tx counted) error {
		now := time.Now().UTC()
		var err error
		if balance, err = credit(ctx, tx, userID, cents, now); err != nil {
			return err
		}
		var refundable int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(total_cents), 0) FROM orders
			WHERE user_id = $1 AND status IN ('PAID', 'SHIPPED')`, userID).Scan(&refundable); err != nil {
			return err
		}
		if err := decide(balance-cents, refundable); err != nil {
			return err
		}
		return addEntry(ctx, tx, userID, "TOP_UP", cents, "", now)
	})
	if err != nil {
		return nil, err
	}
	return &shop.Wallet{UserID: userID, BalanceCents: balance, Currency: shop.Currency}, nil
}

// WalletOf implements shop.OrderStore.
func (db *DB) WalletOf(ctx context.Context, userID string) (*shop.Wallet, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	balance, err := walletBalance(ctx, db.q, userID, "")
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	return &shop.Wallet{UserID: userID, BalanceCents: balance, Currency: shop.Currency}, nil
}
