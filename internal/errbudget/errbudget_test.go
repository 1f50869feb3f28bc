package errbudget_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

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
