package shop

import (
	"context"
	"math"

	"github.com/faultline/faultline/apperr"
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

// MaxWalletCents bounds what a wallet can hold, counting what refunds of its
// paid and not yet delivered orders could bring back, so that a balance
// always fits GraphQL's 32-bit Int (a payment moves money from the balance
// to an order and a refund moves it back; neither changes the sum).
const MaxWalletCents = math.MaxInt32

// Wallets runs the wallets' rules.
type Wallets struct {
	Store OrderStore
	// Events learns of every committed top-up (nil: nobody).
	Events Publisher
}

// TopUp adds 1 to MaxTopUpCents to the viewer's wallet, unless the wallet
// would then hold more than MaxWalletCents.
func (s *Wallets) TopUp(ctx context.Context, viewer *auth.Principal, amountCents int) (*Wallet, error) {
	var c apperr.Check
	c.Range([]any{"amountCents"}, amountCents, 1, MaxTopUpCents)
	if err := c.Err(); err != nil {
		return nil, err
	}
	w, err := s.Store.TopUp(ctx, viewer.UserID, amountCents, func(balance, refundable int) error {
		if room := MaxWalletCents - balance - refundable; amountCents > room {
			return apperr.Invalid(apperr.Violation([]any{"amountCents"}, "maxWallet",
				map[string]any{"limit": MaxWalletCents, "room": max(room, 0)}))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	publisher(s.Events).WalletChanged(viewer.UserID)
	return w, nil
}

// Of returns a user's wallet, empty when they never topped it up.
func (s *Wallets) Of(ctx context.Context, userID string) (*Wallet, error) {
	return s.Store.WalletOf(ctx, userID)
}
