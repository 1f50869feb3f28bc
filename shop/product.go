package shop

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
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
	// ProductsByIDs returns the products that exist among ids, in any order.
	ProductsByIDs(ctx context.Context, ids []string) ([]*Product, error)
	// InsertProduct stores a new product with its categories.
	InsertProduct(ctx context.Context, p Product) error
	// UpdateProduct replaces a product's name, price and categories; nil
	// when no product has id.
	UpdateProduct(ctx context.Context, id string, in ProductInput) (*Product, error)
	// BanProduct bans a product; nil when no product has id.
	BanProduct(ctx context.Context, id, reason string) (*Product, error)
}

// ProductInput is what an admin gives for a product (see rules.go).
type ProductInput struct {
	Name       string
	PriceCents int
	Categories []string
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

// Create adds a product created by the viewer (the caller has checked ADMIN).
func (s *Catalog) Create(ctx context.Context, viewer *auth.Principal, in ProductInput) (*Product, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p := Product{
		ID:          uuid.Must(uuid.NewV7()).String(),
		Name:        strings.TrimSpace(in.Name),
		PriceCents:  in.PriceCents,
		Categories:  in.Categories,
		CreatedAt:   time.Now().UTC().Truncate(time.Microsecond),
		CreatedByID: viewer.UserID,
	}
	if err := s.Store.InsertProduct(ctx, p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Update replaces a product's name, price and categories; orders already
// placed keep the prices they were placed at.
func (s *Catalog) Update(ctx context.Context, id string, in ProductInput) (*Product, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	p, err := s.Store.UpdateProduct(ctx, id, in)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, apperr.NotFound("Product", id)
	}
	return p, nil
}

// Ban hides a product from non-admins' lists and refuses it in new orders.
func (s *Catalog) Ban(ctx context.Context, id, reason string) (*Product, error) {
	reason = strings.TrimSpace(reason)
	var c apperr.Check
	c.Length([]any{"reason"}, reason, 1, MaxBanReason)
	if err := c.Err(); err != nil {
		return nil, err
	}
	p, err := s.Store.BanProduct(ctx, id, reason)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, apperr.NotFound("Product", id)
	}
	return p, nil
}

// List returns one page of the products viewer may see, of one category
// ("" for all): banned ones only for those who see them (auth's policy).
func (s *Catalog) List(ctx context.Context, viewer *auth.Principal, category string, args page.Args) (page.Page[Product], error) {
	if err := args.Valid(); err != nil {
		return page.Page[Product]{}, err
	}
	var c apperr.Check
	c.Length([]any{"category"}, category, 0, MaxCategory)
	if err := c.Err(); err != nil {
		return page.Page[Product]{}, err
	}
	f := ProductFilter{Category: category, IncludeBanned: viewer.SeesBannedProducts()}
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
