package errbudget_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/errbudget"
)

func TestABudgetLetsExactlyItsLimitThroughUnderConcurrency(t *testing.T) {
	ctx := errbudget.With(context.Background(), 100)
	var spent atomic.Int64
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() {
			if errbudget.Spend(ctx) {
				spent.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 100, spent.Load())
}

func TestWithoutABudgetEveryErrorIsPresented(t *testing.T) {
	assert.True(t, errbudget.Spend(context.Background()))
	ctx := errbudget.With(context.Background(), 0)
	for range 200 {
		assert.True(t, errbudget.Spend(ctx))
	}
}

func TestCapKeepsTheLimitAndCountsTheRest(t *testing.T) {
	present := func(ae *apperr.Error) *gqlerror.Error { return &gqlerror.Error{Err: ae, Message: ae.Message()} }
	errs := func(n, omitted int) gqlerror.List {
		var l gqlerror.List
		for i := range n {
			l = append(l, &gqlerror.Error{Message: strconv.Itoa(i)})
		}
		for range omitted {
			l = append(l, errbudget.Omitted)
		}
		return l
	}
	within := errs(100, 0)
	assert.Equal(t, within, errbudget.Cap(within, 100, present), "at the limit nothing changes")

	for _, c := range []struct{ presented, omitted int }{{100, 900}, {1000, 0}, {150, 850}} {
		got := errbudget.Cap(errs(c.presented, c.omitted), 100, present)
		assert.Len(t, got, 101)
		assert.Equal(t, "99", got[99].Message, "the first hundred, in order")
		last, ok := errors.AsType[*apperr.Error](got[100])
		assert.True(t, ok)
		assert.Equal(t, apperr.TooManyErrors, last.Type)
		assert.Equal(t, map[string]any{"limit": 100, "omitted": 900}, last.Details)
	}
}
