package shop

import (
	"context"

	"github.com/faultline/faultline/auth"
)

// Currency is the currency of every amount.
const Currency = "USD"

// Wallet is a user's money, in integer cents; it never goes below zero.
type Wallet struct {
	UserID       string
	BalanceCents int
	Currency     string
}

// Wallets runs the wallets' rules.
type Wallets struct {
	Store OrderStore
}

// TopUp adds money to the viewer's wallet (the schema bounds the amount).
func (s *Wallets) TopUp(ctx context.Context, viewer *auth.Principal, amountCents int) (*Wallet, error) {
	return s.Store.TopUp(ctx, viewer.UserID, amountCents)
}

// Of returns a user's wallet, empty when they never topped it up.
func (s *Wallets) Of(ctx context.Context, userID string) (*Wallet, error) {
	return s.Store.WalletOf(ctx, userID)
}
