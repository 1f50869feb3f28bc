package app_test

import (
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
)

// TestConcurrentPaymentsAgainstOneWallet: 50 orders paid at once from a
// wallet that holds enough for 20. Exactly 20 are paid, the rest answer
// INSUFFICIENT_FUNDS, nothing goes below zero, and money is conserved.
func TestConcurrentPaymentsAgainstOneWallet(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	for round := range 3 {
		buyer := newShopper(t, srv, "payer"+strconv.Itoa(round)+"@example.com")
		buyer.topUp(prices[0] * 20)
		orders := make([]string, 50)
		for i := range orders {
			orders[i] = buyer.place(line(ids[0], 1))["id"].(string)
		}
		results := make([]*testserver.Response, len(orders))
		var wg sync.WaitGroup
		for i, id := range orders {
			wg.Go(func() { results[i] = buyer.move("pay", id) })
		}
		wg.Wait()
		paid, refused := 0, 0
		for _, res := range results {
			testserver.CheckEnvelope(t, res)
			if len(res.Body.Errors) == 0 {
				paid++
				continue
			}
			e := res.Body.Errors[0]
			assert.Equal(t, "INSUFFICIENT_FUNDS", e.Extensions.Type, "%s", res.Raw)
			assert.Less(t, e.Extensions.Details["available"].(float64), float64(prices[0]))
			refused++
		}
		assert.Equal(t, 20, paid, "round %d", round)
		assert.Equal(t, 30, refused)
		assert.Equal(t, 0, buyer.balance())
		assertInvariant(t, srv)
	}
}

// TestConcurrentPaymentsOfOneOrder: the order is paid once.
func TestConcurrentPaymentsOfOneOrder(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	buyer := newShopper(t, srv, "twice@example.com")
	buyer.topUp(prices[0] * 50)
	id := buyer.place(line(ids[0], 1))["id"].(string)
	results := make([]*testserver.Response, 50)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = buyer.move("pay", id) })
	}
	wg.Wait()
	paid := 0
	for _, res := range results {
		if len(res.Body.Errors) == 0 {
			paid++
			continue
		}
		assert.Equal(t, "INVALID_STATE_TRANSITION", res.Body.Errors[0].Extensions.Type, "%s", res.Raw)
	}
	assert.Equal(t, 1, paid)
	assert.Equal(t, prices[0]*49, buyer.balance())
	assertInvariant(t, srv)
}

// TestConcurrentMovesOfOneOrderAreSerialized races two moves of one order,
// many times. Each outcome must be what one of the two sequential orders of
// the same calls produces, down to every call's answer and the refund.
func TestConcurrentMovesOfOneOrderAreSerialized(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	buyer := newShopper(t, srv, "racer@example.com")
	admin := adminOf(t, srv)
	buyer.topUp(prices[1] * 2) // every race ends refunded, so this is enough for all of them

	type outcome struct{ first, second, final string }
	race := func(setup []string, a, b string) outcome {
		id := buyer.place(line(ids[1], 1))["id"].(string)
		for _, m := range setup {
			who := buyer
			if m == "ship" {
				who = admin
			}
			require.Empty(t, who.move(m, id).Body.Errors)
		}
		answer := func(m string) string {
			who := buyer
			if m == "ship" {
				who = admin
			}
			res := who.move(m, id)
			if len(res.Body.Errors) > 0 {
				return res.Body.Errors[0].Extensions.Type
			}
			return field(t, res, moves[m])["status"].(string)
		}
		var o outcome
		var wg sync.WaitGroup
		wg.Go(func() { o.first = answer(a) })
		wg.Go(func() { o.second = answer(b) })
		wg.Wait()
		o.final = buyer.ok(`query($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id})["status"].(string)
		return o
	}
	for range 15 {
		before := buyer.balance()
		// A paid order, cancelled by its owner while an admin ships it.
		o := race([]string{"pay"}, "cancel", "ship")
		switch o {
		case outcome{"CANCELLED", "ORDER_ALREADY_CANCELLED", "CANCELLED"}: // cancel, then ship
		case outcome{"CANCELLED", "SHIPPED", "CANCELLED"}: // ship, then cancel
		default:
			t.Fatalf("cancel ∥ ship gave %+v, which no sequential order gives", o)
		}
		assert.Equal(t, before, buyer.balance(), "the payment was refunded exactly once")

		// A pending order, paid while it is cancelled.
		before = buyer.balance()
		o = race(nil, "pay", "cancel")
		switch o {
		case outcome{"PAID", "CANCELLED", "CANCELLED"}: // pay, then cancel (refunded)
		case outcome{"ORDER_ALREADY_CANCELLED", "CANCELLED", "CANCELLED"}: // cancel, then pay
		default:
			t.Fatalf("pay ∥ cancel gave %+v, which no sequential order gives", o)
		}
		assert.Equal(t, before, buyer.balance())
		assertInvariant(t, srv)
	}
}
