package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/shop"
)

// BenchmarkHotQueries measures the store calls every request makes, on the
// run's engine (testdb.Main runs it on SQLite, then on PostgreSQL when
// TEST_DATABASE_URL is set). Figures: docs/benchmarks.md.
func BenchmarkHotQueries(b *testing.B) {
	ctx := context.Background()
	db, _ := migrated(b)
	u := &auth.User{ID: uuid.Must(uuid.NewV7()).String(), Email: "bench@example.com", Name: "Bench", Role: auth.RoleUser,
		CreatedAt: time.Now().UTC(), PasswordHash: "x"}
	require.NoError(b, db.CreateUser(ctx, u))
	familyID := uuid.Must(uuid.NewV7()).String()
	require.NoError(b, db.CreateRefreshToken(ctx, auth.RefreshToken{Hash: "bench", FamilyID: familyID, UserID: u.ID,
		CreatedAt: time.Now().UTC(), ExpiresAt: time.Now().Add(time.Hour).UTC()}))
	_, err := db.SeedDemoProducts(ctx, u.ID)
	require.NoError(b, err)
	products, err := db.ListProducts(ctx, shop.ProductFilter{}, "", 5)
	require.NoError(b, err)
	orders, wallets := &shop.Orders{Store: db}, &shop.Wallets{Store: db}
	viewer := &auth.Principal{UserID: u.ID, Role: auth.RoleUser}
	_, err = wallets.TopUp(ctx, viewer, 1_000_000)
	require.NoError(b, err)
	for range 20 {
		_, err := orders.Place(ctx, viewer, []shop.LineInput{{ProductID: products[0].ID, Quantity: 1}, {ProductID: products[1].ID, Quantity: 2}})
		require.NoError(b, err)
	}

	b.Run("SessionUser (every authenticated request)", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := db.SessionUser(ctx, u.ID, familyID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListProducts first=20 with categories", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ListProducts(ctx, shop.ProductFilter{}, "", 21); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListOrders first=20 with items", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ListOrders(ctx, u.ID, "", 21); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("TopUp (a write transaction with a ledger entry)", func(b *testing.B) {
		for b.Loop() {
			if _, err := wallets.TopUp(ctx, viewer, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("top up, place and pay an order (three transactions)", func(b *testing.B) {
		for b.Loop() {
			if _, err := wallets.TopUp(ctx, viewer, products[2].PriceCents); err != nil {
				b.Fatal(err)
			}
			o, err := orders.Place(ctx, viewer, []shop.LineInput{{ProductID: products[2].ID, Quantity: 1}})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := orders.Pay(ctx, viewer, o.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
