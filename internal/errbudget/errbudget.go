// Package errbudget caps the number of errors one response carries, as
// graphql-js and graphql-java cap theirs at 100, and is the one place that
// does: each operation gets a budget (With), the presenter spends it (Spend)
// and answers Omitted once it is gone — a cheap marker, so that a query
// failing a thousand times costs little more per error than one failing a
// hundred times — and Cap, run on every response, drops the markers and
// whatever lies past the limit and closes the list with one error saying
// how many were left out.
package errbudget

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
)

// DefaultLimit is the number of errors a response carries at most, before
// the final one that says the rest were omitted.
const DefaultLimit = 100

// ErrOmitted marks an error that was not presented because the budget was
// spent.
var ErrOmitted = errors.New("error omitted: the response's error budget is spent")

// Omitted is what the presenter answers for an error past the budget.
var Omitted = &gqlerror.Error{Err: ErrOmitted, Message: ErrOmitted.Error()}

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
	b, _ := ctx.Value(ctxKey{}).(*budget)
	return b == nil || b.left.Add(-1) >= 0
}

// In reports whether ctx carries a budget: an operation under way.
func In(ctx context.Context) bool {
	b, _ := ctx.Value(ctxKey{}).(*budget)
	return b != nil
}

// Unlimited returns ctx without its budget, for the one error that says the
// budget ran out.
func Unlimited(ctx context.Context) context.Context {
	if !In(ctx) {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, (*budget)(nil))
}

// Cap keeps the first limit presented errors of errs and, when it left some
// out (markers or errors past the limit), appends TOO_MANY_ERRORS as present
// words it. Within the limit, errs is returned as it is.
func Cap(errs gqlerror.List, limit int, present func(*apperr.Error) *gqlerror.Error) gqlerror.List {
	if len(errs) <= limit {
		return errs
	}
	kept := make(gqlerror.List, 0, limit+1)
	for _, e := range errs {
		if e.Err != ErrOmitted && len(kept) < limit {
			kept = append(kept, e)
		}
	}
	ae := apperr.New(apperr.TooManyErrors).With("limit", limit).With("omitted", len(errs)-len(kept))
	return append(kept, present(ae))
}
