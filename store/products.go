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
	var p shop.Product
	err := scanProduct(db.sql.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products p WHERE p.id = $1`, id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.mapErr(err)
	}
	products := []shop.Product{p}
	if err := db.loadCategories(ctx, products); err != nil {
		return nil, err
	}
	return &products[0], nil
}

// ListProducts implements shop.ProductStore.
func (db *DB) ListProducts(ctx context.Context, f shop.ProductFilter, afterID string, limit int) ([]shop.Product, error) {
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

	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.mapErr(err)
	}
	defer rows.Close()
	var products []shop.Product
	for rows.Next() {
		var p shop.Product
		if err := scanProduct(rows, &p); err != nil {
			return nil, db.mapErr(err)
		}
		products = append(products, p)
	}
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(err)
	}
	if err := db.loadCategories(ctx, products); err != nil {
		return nil, err
	}
	return products, nil
}

// loadCategories fills the categories of products with one query.
func (db *DB) loadCategories(ctx context.Context, products []shop.Product) error {
	if len(products) == 0 {
		return nil
	}
	index := make(map[string]*shop.Product, len(products))
	placeholders := make([]string, len(products))
	args := make([]any, len(products))
	for i := range products {
		index[products[i].ID] = &products[i]
		placeholders[i] = "$" + itoa(i+1)
		args[i] = products[i].ID
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT product_id, category FROM product_categories
		WHERE product_id IN (`+strings.Join(placeholders, ", ")+`) ORDER BY product_id, position`, args...)
	if err != nil {
		return db.mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, category string
		if err := rows.Scan(&id, &category); err != nil {
			return db.mapErr(err)
		}
		if p := index[id]; p != nil {
			p.Categories = append(p.Categories, category)
		}
	}
	return db.mapErr(rows.Err())
}
