package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/pgtest"
)

// TestPostgresStopsUnderLoad stops the database while clients hammer two
// instances with reads and writes. While it is down every answer is data or
// a typed DATABASE_UNAVAILABLE (never INTERNAL, never a hang past the request
// deadline) and /readyz is 503; once it is back the same processes serve
// again, with nothing lost and money conserved.
func TestPostgresStopsUnderLoad(t *testing.T) {
	cluster := pgtest.Start(t)
	const requestTimeout = 3 * time.Second
	a, b := twoInstances(t, cluster.URL(), "FAULTLINE_REQUEST_TIMEOUT=3s", "FAULTLINE_DB_TIMEOUT=1s")

	// Data before the outage.
	buyer := register(t, a, "steady@example.com")
	var page struct {
		Edges []struct {
			Node struct {
				ID string `json:"id"`
			} `json:"node"`
		} `json:"edges"`
	}
	a.Query(t, `{ products(first: 100) { edges { node { id } } } }`, nil, "").Field(t, "products", &page)
	require.Len(t, page.Edges, 14)
	product := page.Edges[0].Node.ID
	require.Empty(t, a.Query(t, `mutation { topUp(amountCents: 1000000) { balanceCents } }`, nil, buyer.Access).Errors)
	var paidBefore []string
	for range 3 {
		var o struct{ ID string }
		a.Query(t, `mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id } }`,
			map[string]any{"p": product}, buyer.Access).Field(t, "placeOrder", &o)
		require.Empty(t, b.Query(t, `mutation($id: ID!) { payOrder(id: $id) { status } }`, map[string]any{"id": o.ID}, buyer.Access).Errors)
		paidBefore = append(paidBefore, o.ID)
	}

	// The load: reads and writes on both instances until stopped.
	type answer struct {
		phase string
		types []string
		took  time.Duration
		err   error
	}
	var (
		mu      sync.Mutex
		answers []answer
		phase   atomic.Value
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	phase.Store("before")
	ops := []struct {
		query string
		vars  map[string]any
	}{
		{`{ products(first: 5) { edges { node { id name createdBy { name } } } } }`, nil},
		{`{ me { id email wallet { balanceCents } } }`, nil},
		{`mutation { topUp(amountCents: 100) { balanceCents } }`, nil},
		{`mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id } }`, map[string]any{"p": product}},
		{`{ myOrders(first: 3) { edges { node { id status items { product { name } } } } } }`, nil},
	}
	for w := range 8 {
		who := a
		if w%2 == 1 {
			who = b
		}
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				op := ops[i%len(ops)]
				r, err := who.TryQuery(op.query, op.vars, buyer.Access)
				ans := answer{phase: phase.Load().(string), err: err}
				if r != nil {
					ans.types, ans.took = r.Types(), r.Took
				}
				mu.Lock()
				answers = append(answers, ans)
				mu.Unlock()
			}
		})
	}

	time.Sleep(500 * time.Millisecond)
	phase.Store("outage")
	cluster.Stop()
	time.Sleep(300 * time.Millisecond) // let the clients meet the outage
	assert.Equal(t, 503, a.Ready(), "/readyz on A while the database is down")
	assert.Equal(t, 503, b.Ready(), "/readyz on B while the database is down")
	time.Sleep(1500 * time.Millisecond)

	cluster.Restart()
	phase.Store("recovering")
	require.Eventually(t, func() bool { return a.Ready() == 200 && b.Ready() == 200 }, 15*time.Second, 50*time.Millisecond,
		"the same processes become ready again without a restart")
	phase.Store("after")
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	counts := map[string]map[string]int{}
	for _, ans := range answers {
		require.NoError(t, ans.err, "a request failed below HTTP in phase %s", ans.phase)
		assert.Less(t, ans.took, requestTimeout+time.Second, "no request outlives its deadline (phase %s)", ans.phase)
		if counts[ans.phase] == nil {
			counts[ans.phase] = map[string]int{}
		}
		if len(ans.types) == 0 {
			counts[ans.phase]["ok"]++
		}
		for _, typ := range ans.types {
			assert.Equal(t, "DATABASE_UNAVAILABLE", typ, "phase %s: only the database's unavailability, typed", ans.phase)
			counts[ans.phase][typ]++
		}
	}
	t.Logf("answers by phase: %v", counts)
	assert.Positive(t, counts["before"]["ok"])
	assert.Positive(t, counts["outage"]["DATABASE_UNAVAILABLE"], "the outage was seen")
	assert.Zero(t, counts["before"]["DATABASE_UNAVAILABLE"])
	assert.Zero(t, counts["after"]["DATABASE_UNAVAILABLE"], "fully recovered")
	assert.Positive(t, counts["after"]["ok"])

	// Nothing was lost, and money is conserved.
	for _, id := range paidBefore {
		var o struct{ Status string }
		a.Query(t, `query($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id}, buyer.Access).Field(t, "order", &o)
		assert.Equal(t, "PAID", o.Status, fmt.Sprintf("order %s", id))
	}
	a.Query(t, `{ products(first: 100) { edges { node { id } } } }`, nil, "").Field(t, "products", &page)
	assert.Len(t, page.Edges, 14)
	assertMoneyInvariant(t, cluster.URL())
}
