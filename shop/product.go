package shop

import (
	"context"
	"time"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/page"
)

// Product is something the shop sells.
type Product struct {
	ID         string
	Name       string
	PriceCents int
	Categories []string
	Banned     bool
	CreatedAt  time.Time
	// CreatedByID is the user who created it ("" for none).
	CreatedByID string
}

// ProductFilter narrows a product list.
type ProductFilter struct {
	Category      string // "" for every category
	IncludeBanned bool
}

// ProductStore is where products live.
type ProductStore interface {
	// ProductByID returns the product, or nil and no error when none has id.
	ProductByID(ctx context.Context, id string) (*Product, error)
	// ListProducts returns up to limit products after the id afterID ("" for
	// the start), in id order.
	ListProducts(ctx context.Context, f ProductFilter, afterID string, limit int) ([]Product, error)
}

// Catalog answers questions about the products the shop sells.
type Catalog struct {
	Store ProductStore
}

const productCursor = "product"

// ProductCursor is the cursor of p in product lists.
func ProductCursor(p Product) string { return page.EncodeCursor(productCursor, p.ID) }

// Get returns one product, or NOT_FOUND.
func (s *Catalog) Get(ctx context.Context, id string) (*Product, error) {
	p, err := s.Store.ProductByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, apperr.NotFound("Product", id)
	}
	return p, nil
}

// List returns one page of products. The caller has checked First's range.
func (s *Catalog) List(ctx context.Context, f ProductFilter, args page.Args) (page.Page[Product], error) {
	var afterID string
	if args.After != nil {
		id, err := page.DecodeCursor(productCursor, *args.After)
		if err != nil {
			return page.Page[Product]{}, err
		}
		afterID = id
	}
	items, err := s.Store.ListProducts(ctx, f, afterID, args.First+1)
	if err != nil {
		return page.Page[Product]{}, err
	}
	return page.Cut(items, args), nil
}
