package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/shop"
)

// demoProducts is the shop's demo catalog; the last one is banned.
var demoProducts = []struct {
	name       string
	priceCents int
	categories []string
	banned     bool
}{
	{"Mechanical Keyboard", 8900, []string{"electronics", "office"}, false},
	{"Noise-Cancelling Headphones", 19900, []string{"electronics", "audio"}, false},
	{"USB-C Charger 65W", 3900, []string{"electronics"}, false},
	{"Standing Desk", 44900, []string{"office", "furniture"}, false},
	{"Ergonomic Chair", 32900, []string{"office", "furniture"}, false},
	{"Espresso Machine", 24900, []string{"kitchen"}, false},
	{"Chef's Knife", 7900, []string{"kitchen"}, false},
	{"Cast Iron Skillet", 3400, []string{"kitchen"}, false},
	{"The Go Programming Language", 3999, []string{"books"}, false},
	{"Designing Data-Intensive Applications", 4599, []string{"books"}, false},
	{"Trail Running Shoes", 12900, []string{"sports", "outdoor"}, false},
	{"Camping Tent", 18900, []string{"outdoor"}, false},
	{"Yoga Mat", 2900, []string{"sports"}, false},
	{"Board Game: Settlers", 4400, []string{"games"}, false},
	{"Counterfeit Watch", 1999, []string{"accessories"}, true},
}

// SeedDemoProducts fills an empty catalog with the demo products, created
// by createdBy, in one transaction that instances starting together take
// in turn. It reports whether it inserted anything.
func (db *DB) SeedDemoProducts(ctx context.Context, createdBy string) (bool, error) {
	ctx, cancel := db.call(ctx)
	defer cancel()
	var seeded bool
	err := db.inTx(ctx, func(tx counted) error {
		if db.engine.serialize != nil {
			if err := db.engine.serialize(ctx, tx, "seed:products"); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM products`).Scan(&n); err != nil || n > 0 {
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		for _, d := range demoProducts {
			p := shop.Product{
				ID:          uuid.Must(uuid.NewV7()).String(),
				Name:        d.name,
				PriceCents:  d.priceCents,
				Categories:  d.categories,
				Banned:      d.banned,
				CreatedAt:   now,
				CreatedByID: createdBy,
			}
			if err := insertProduct(ctx, tx, p); err != nil {
				return err
			}
		}
		seeded = true
		return nil
	})
	return seeded, err
}
