package shop

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/page"
)

// OrderStatus is where an order is in its life.
type OrderStatus string

// The statuses of an order (README, The shop).
const (
	Pending   OrderStatus = "PENDING"
	Paid      OrderStatus = "PAID"
	Shipped   OrderStatus = "SHIPPED"
	Delivered OrderStatus = "DELIVERED"
	Cancelled OrderStatus = "CANCELLED"
)

// transitions are the only moves an order can make; DELIVERED and CANCELLED
// are final.
var transitions = map[OrderStatus][]OrderStatus{
	Pending:   {Paid, Cancelled},
	Paid:      {Shipped, Cancelled},
	Shipped:   {Delivered, Cancelled},
	Delivered: {},
	Cancelled: {},
}

// MaxOrderTotalCents bounds an order's total, so that every amount stays
// within GraphQL's 32-bit Int.
const MaxOrderTotalCents = 1_000_000_000

// Order is a user's purchase of some products, at the prices of the moment
// it was placed.
type Order struct {
	ID          string
	UserID      string
	Status      OrderStatus
	Items       []OrderItem
	TotalCents  int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CancelledAt *time.Time
}

// OrderItem is one line of an order.
type OrderItem struct {
	ProductID      string
	Quantity       int
	UnitPriceCents int // captured when the order was placed
}

// Paid reports whether the order's total has left the wallet and not come back.
func (o *Order) Paid() bool { return o.Status == Paid || o.Status == Shipped || o.Status == Delivered }

// CheckMove returns nil when o may move to to: ORDER_ALREADY_CANCELLED for
// any move of a cancelled order, INVALID_STATE_TRANSITION for any other move
// the state machine does not have.
func (o *Order) CheckMove(to OrderStatus) error {
	if o.Status == Cancelled {
		at := o.UpdatedAt
		if o.CancelledAt != nil {
			at = *o.CancelledAt
		}
		return apperr.New(apperr.OrderAlreadyCancelled).With("cancelledAt", at.UTC().Format(time.RFC3339))
	}
	allowed := transitions[o.Status]
	if !slices.Contains(allowed, to) {
		names := make([]string, len(allowed))
		for i, s := range allowed {
			names[i] = string(s)
		}
		return apperr.New(apperr.InvalidStateTransition).With("from", string(o.Status)).With("to", string(to)).With("allowed", names)
	}
	return nil
}

// Move is what an order transition does, decided by the domain and applied
// by the store in one transaction.
type Move struct {
	To          OrderStatus
	At          time.Time
	DebitCents  int // taken from the owner's wallet (payment)
	CreditCents int // given back to the owner's wallet (refund)
}

// OrderStore is where orders and wallets live. Every method that changes
// money or an order's status is one transaction.
type OrderStore interface {
	// PlaceOrder stores the order that decide makes from the current state
	// of the products it names (loaded in the same transaction).
	PlaceOrder(ctx context.Context, productIDs []string, decide func(products map[string]Product) (*Order, error)) (*Order, error)
	// MoveOrder re-reads the order and its owner's balance in a
	// transaction, asks decide for the move, and applies it (status, debit
	// or credit, ledger) only if the order is still in the status read.
	// A missing order is passed to decide as nil.
	MoveOrder(ctx context.Context, id string, decide func(o *Order, balanceCents int) (Move, error)) (*Order, error)
	OrderByID(ctx context.Context, id string) (*Order, error)
	// ListOrders returns up to limit orders of a user after afterID, newest first.
	ListOrders(ctx context.Context, userID, afterID string, limit int) ([]Order, error)
	// TopUp credits a wallet after decide has accepted the balance before it
	// and the total of the user's refundable (paid or shipped) orders, read
	// with the wallet locked.
	TopUp(ctx context.Context, userID string, amountCents int, decide func(balanceCents, refundableCents int) error) (*Wallet, error)
	WalletOf(ctx context.Context, userID string) (*Wallet, error)
}

// Orders runs the orders' rules.
type Orders struct {
	Store OrderStore
	Now   func() time.Time
	// Events learns of every committed move, and of the wallet's change
	// when money moved (nil: nobody).
	Events Publisher
}

// LineInput is one line of placeOrder's input.
type LineInput struct {
	ProductID string
	Quantity  int
}

// Place places an order for the viewer at today's prices: every product must
// exist (NOT_FOUND) and not be banned (PRODUCT_FORBIDDEN).
func (s *Orders) Place(ctx context.Context, viewer *auth.Principal, lines []LineInput) (*Order, error) {
	if err := checkLines(lines); err != nil {
		return nil, err
	}
	ids := make([]string, len(lines))
	for i, l := range lines {
		ids[i] = l.ProductID
	}
	return s.Store.PlaceOrder(ctx, ids, func(products map[string]Product) (*Order, error) {
		now := s.now()
		o := &Order{ID: uuid.Must(uuid.NewV7()).String(), UserID: viewer.UserID, Status: Pending, CreatedAt: now, UpdatedAt: now}
		for _, l := range lines {
			p, ok := products[l.ProductID]
			switch {
			case !ok:
				return nil, apperr.NotFound("Product", l.ProductID)
			case p.Banned:
				return nil, apperr.New(apperr.ProductForbidden).With("id", p.ID)
			}
			o.Items = append(o.Items, OrderItem{ProductID: p.ID, Quantity: l.Quantity, UnitPriceCents: p.PriceCents})
			o.TotalCents += p.PriceCents * l.Quantity
		}
		if o.TotalCents > MaxOrderTotalCents {
			return nil, apperr.Invalid(apperr.Violation([]any{"input", "items"}, "maxTotal", map[string]any{"limit": MaxOrderTotalCents}))
		}
		return o, nil
	})
}

// Get returns an order its owner or an admin may see; to anyone else it is
// NOT_FOUND, as if it did not exist.
func (s *Orders) Get(ctx context.Context, viewer *auth.Principal, id string) (*Order, error) {
	o, err := s.Store.OrderByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if o == nil || !viewer.MayAccess(o.UserID) {
		return nil, apperr.NotFound("Order", id)
	}
	return o, nil
}

// Pay pays the viewer's own order from their wallet.
func (s *Orders) Pay(ctx context.Context, viewer *auth.Principal, id string) (*Order, error) {
	return s.move(ctx, id, func(o *Order, balance int) (Move, error) {
		if o == nil || !viewer.IsOwner(o.UserID) {
			return Move{}, apperr.NotFound("Order", id)
		}
		if err := o.CheckMove(Paid); err != nil {
			return Move{}, err
		}
		if balance < o.TotalCents {
			return Move{}, apperr.New(apperr.InsufficientFunds).With("required", o.TotalCents).With("available", balance)
		}
		return Move{To: Paid, At: s.now(), DebitCents: o.TotalCents}, nil
	})
}

// Cancel cancels an order of the viewer (or any order, for an admin),
// refunding it when it was paid.
func (s *Orders) Cancel(ctx context.Context, viewer *auth.Principal, id string) (*Order, error) {
	return s.move(ctx, id, func(o *Order, _ int) (Move, error) {
		if o == nil || !viewer.MayAccess(o.UserID) {
			return Move{}, apperr.NotFound("Order", id)
		}
		if err := o.CheckMove(Cancelled); err != nil {
			return Move{}, err
		}
		m := Move{To: Cancelled, At: s.now()}
		if o.Paid() {
			m.CreditCents = o.TotalCents
		}
		return m, nil
	})
}

// Ship and Deliver move an order along (the caller has checked ADMIN).
func (s *Orders) Ship(ctx context.Context, id string) (*Order, error) {
	return s.advance(ctx, id, Shipped)
}

// Deliver marks a shipped order delivered.
func (s *Orders) Deliver(ctx context.Context, id string) (*Order, error) {
	return s.advance(ctx, id, Delivered)
}

func (s *Orders) advance(ctx context.Context, id string, to OrderStatus) (*Order, error) {
	return s.move(ctx, id, func(o *Order, _ int) (Move, error) {
		if o == nil {
			return Move{}, apperr.NotFound("Order", id)
		}
		if err := o.CheckMove(to); err != nil {
			return Move{}, err
		}
		return Move{To: to, At: s.now()}, nil
	})
}

// move applies the move decide makes and, once it has committed, publishes
// the order's change, and the owner's wallet's when money moved.
func (s *Orders) move(ctx context.Context, id string, decide func(*Order, int) (Move, error)) (*Order, error) {
	var moved Move // the decision of the transaction's last attempt, the one that committed
	o, err := s.Store.MoveOrder(ctx, id, func(o *Order, balance int) (Move, error) {
		m, err := decide(o, balance)
		moved = m
		return m, err
	})
	if err != nil {
		return nil, err
	}
	events := publisher(s.Events)
	events.OrderChanged(o.ID)
	if moved.DebitCents > 0 || moved.CreditCents > 0 {
		events.WalletChanged(o.UserID)
	}
	return o, nil
}

const orderCursor = "order"

// OrderCursor is the cursor of o in order lists.
func OrderCursor(o Order) string { return page.EncodeCursor(orderCursor, o.ID) }

// OfUser returns a page of a user's orders, newest first (the caller has
// checked that the viewer may see them).
func (s *Orders) OfUser(ctx context.Context, userID string, args page.Args) (page.Page[Order], error) {
	if err := args.Valid(); err != nil {
		return page.Page[Order]{}, err
	}
	var afterID string
	if args.After != nil {
		id, err := page.DecodeCursor(orderCursor, *args.After)
		if err != nil {
			return page.Page[Order]{}, err
		}
		afterID = id
	}
	orders, err := s.Store.ListOrders(ctx, userID, afterID, args.First+1)
	if err != nil {
		return page.Page[Order]{}, err
	}
	return page.Cut(orders, args), nil
}

func (s *Orders) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}
