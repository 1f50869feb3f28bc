// Package errbudget caps the number of errors one response carries, as
// graphql-js and graphql-java cap theirs at 100: the transport gives each
// request a budget, the presenter spends it, and an error presented after
// the budget is gone is replaced by a cheap marker that the transport drops
// and counts, so that a query failing a thousand times costs little more
// per error than one failing a hundred times and answers with at most
// Limit errors plus one saying how many were omitted.
package errbudget

import (
	"context"
	"errors"
	"sync/atomic"
)

// DefaultLimit is the number of errors a response carries at most, before
// the final one that says the rest were omitted.
const DefaultLimit = 100

// ErrOmitted marks an error that was not presented because the budget was
// spent.
var ErrOmitted = errors.New("error omitted: the response's error budget is spent")

type budget struct{ left atomic.Int64 }

type ctxKey struct{}

// With returns ctx carrying a budget of limit errors; limit <= 0 is no cap.
func With(ctx context.Context, limit int) context.Context {
	if limit <= 0 {
		return ctx
	}
	b := &budget{}
	b.left.Store(int64(limit))
	return context.WithValue(ctx, ctxKey{}, b)
}

// Spend takes one error from ctx's budget and reports whether that error may
// be presented. Without a budget every error may.
func Spend(ctx context.Context) bool {
	b, ok := ctx.Value(ctxKey{}).(*budget)
	return !ok || b.left.Add(-1) >= 0
}
