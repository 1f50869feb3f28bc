package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/faultline/faultline/shop"
)

var _ shop.ProductStore = (*DB)(nil)

const productColumns = `p.id, p.name, p.price_cents, p.banned, p.created_at, p.created_by`

func scanProduct(row interface{ Scan(...any) error }, p *shop.Product) error {
	var createdBy sql.Null[string]
	err := row.Scan(&p.ID, &p.Name, &p.PriceCents, &p.Banned, &p.CreatedAt, &createdBy)
	p.CreatedByID = createdBy.V
	return err
}

// ProductByID implements shop.ProductStore.
func (db *DB) ProductByID(ctx context.Context, id string) (*shop.Product, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	return db.oneProduct(ctx, db.q.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products p WHERE p.id = $1`, id))
}

// oneProduct scans the product of row with its categories; nil when row
// is empty.
func (db *DB) oneProduct(ctx context.Context, row *sql.Row) (*shop.Product, error) {
	var p shop.Product
	err := scanProduct(row, &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	products := []shop.Product{p}
	if err := db.loadCategories(ctx, db.q, products); err != nil {
		return nil, err
	}
	return &products[0], nil
}

// ListProducts implements shop.ProductStore.
func (db *DB) ListProducts(ctx context.Context, f shop.ProductFilter, afterID string, limit int) ([]shop.Product, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if afterID != "" {
		where = append(where, "p.id > "+arg(afterID))
	}
	if !f.IncludeBanned {
		where = append(where, "NOT p.banned")
	}
	if f.Category != "" {
		where = append(where, "EXISTS (SELECT 1 FROM product_categories c WHERE c.product_id = p.id AND c.category = "+arg(f.Category)+")")
	}
	q := `SELECT ` + productColumns + ` FROM products p`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY p.id LIMIT " + arg(limit)

	rows, err := db.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	defer rows.Close()
	var products []shop.Product
	for rows.Next() {
		var p shop.Product
		if err := scanProduct(rows, &p); err != nil {
			return nil, db.mapErr(ctx, err)
		}
		products = append(products, p)
	}
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(ctx, err)
	}
	if err := db.loadCategories(ctx, db.q, products); err != nil {
		return nil, err
	}
	return products, nil
}

// loadCategories fills the categories of products with one query.
func (db *DB) loadCategories(ctx context.Context, h counted, products []shop.Product) error {
	if len(products) == 0 {
		return nil
	}
	index := make(map[string]*shop.Product, len(products))
	ids := make([]string, len(products))
	for i := range products {
		index[products[i].ID] = &products[i]
		ids[i] = products[i].ID
	}
	rows, err := h.QueryContext(ctx, `SELECT product_id, category FROM product_categories
		WHERE product_id `+in(1, len(ids))+` ORDER BY product_id, position`, anys(ids)...)
	if err != nil {
		return db.mapErr(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, category string
		if err := rows.Scan(&id, &category); err != nil {
			return db.mapErr(ctx, err)
		}
		if p := index[id]; p != nil {
			p.Categories = append(p.Categories, category)
		}
	}
	return db.mapErr(ctx, rows.Err())
}

// InsertProduct implements shop.ProductStore: the product and its categories in one transaction.
func (db *DB) InsertProduct(ctx context.Context, p shop.Product) error {
	ctx, cancel := db.call(ctx)
	defer cancel()
	return db.inTx(ctx, func(tx counted) error { return insertProduct(ctx, tx, p) })
}

func insertProduct(ctx context.Context, tx counted, p shop.Product) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO products (id, name, price_cents, banned, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, p.ID, p.Name, p.PriceCents, p.Banned, p.CreatedAt.UTC(),
		sql.Null[string]{V: p.CreatedByID, Valid: p.CreatedByID != ""}); err != nil {
		return err
	}
	return insertCategories(ctx, tx, p.ID, p.Categories)
}

// ProductsByIDs implements shop.ProductStore.
func (db *DB) ProductsByIDs(ctx context.Context, ids []string) ([]*shop.Product, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	products, err := db.productsByIDs(ctx, db.q, ids, "")
	if err != nil {
		return nil, db.mapErr(ctx, err)
	}
	if err := db.loadCategories(ctx, db.q, products); err != nil {
		return nil, err
	}
	out := make([]*shop.Product, len(products))
	for i := range products {
		out[i] = &products[i]
	}
	return out, nil
}

// productsByIDs reads products without their categories, with a row lock
// when a transaction needs one.
func (db *DB) productsByIDs(ctx context.Context, h counted, ids []string, lock string) ([]shop.Product, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := h.QueryContext(ctx, `SELECT `+productColumns+` FROM products p WHERE p.id `+in(1, len(ids))+lock, anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var products []shop.Product
	for rows.Next() {
		var p shop.Product
		if err := scanProduct(rows, &p); err != nil {
			return nil, err
		}
		products = append(products, p)
	}
	return products, rows.Err()
}

// UpdateProduct implements shop.ProductStore.
func (db *DB) UpdateProduct(ctx context.Context, id string, in shop.ProductInput) (*shop.Product, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var out *shop.Product
	err := db.inTx(ctx, func(tx counted) error {
		var p shop.Product
		err := scanProduct(tx.QueryRowContext(ctx, `UPDATE products SET name = $1, price_cents = $2 WHERE id = $3
			RETURNING `+unqualified(productColumns), in.Name, in.PriceCents, id), &p)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM product_categories WHERE product_id = $1`, id); err != nil {
			return err
		}
		if err := insertCategories(ctx, tx, id, in.Categories); err != nil {
			return err
		}
		p.Categories = in.Categories
		out = &p
		return nil
	})
	return out, err
}

// BanProduct implements shop.ProductStore.
func (db *DB) BanProduct(ctx context.Context, id, reason string) (*shop.Product, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	return db.oneProduct(ctx, db.q.QueryRowContext(ctx, `UPDATE products SET banned = TRUE, ban_reason = $1 WHERE id = $2
		RETURNING `+unqualified(productColumns), reason, id))
}

func insertCategories(ctx context.Context, tx counted, productID string, categories []string) error {
	for i, c := range categories {
		if _, err := tx.ExecContext(ctx, `INSERT INTO product_categories (product_id, position, category)
			VALUES ($1, $2, $3)`, productID, i, c); err != nil {
			return err
		}
	}
	return nil
}

// unqualified drops the "p." of column lists for RETURNING clauses.
func unqualified(columns string) string { return strings.ReplaceAll(columns, "p.", "") }
