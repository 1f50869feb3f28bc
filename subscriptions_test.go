package main

import (
	"encoding/json"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/pgtest"
	"github.com/faultline/faultline/internal/streamtest"
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
	"github.com/faultline/faultline/internal/testserver"
)

const (
	orderUpdated  = `subscription($id: ID!) { orderUpdated(id: $id) { id status } }`
	walletUpdated = `subscription { walletUpdated { balanceCents } }`
)

// event reads the next message, which must be a next with data and no
// error, and returns its one field's value.
func event(t *testing.T, c *streamtest.Conn) (id string, value map[string]any) {
	t.Helper()
	m := c.Next()
	require.Equal(t, "next", m.Type, "%s", m.Payload)
	res := c.Result(t, m)
	require.Empty(t, res.Body.Errors, "%s", m.Payload)
	for _, raw := range res.Body.Data {
		require.NoError(t, json.Unmarshal(raw, &value))
	}
	return m.ID, value
}

// events reads n events, in any order, and returns the last value of each
// operation.
func events(t *testing.T, c *streamtest.Conn, n int) map[string]map[string]any {
	t.Helper()
	got := map[string]map[string]any{}
	for range n {
		id, v := event(t, c)
		got[id] = v
	}
	return got
}

// follow subscribes on p to the buyer's order and wallet and reads their
// current state.
func follow(t *testing.T, p *testproc.Process, token, orderID string) *streamtest.Conn {
	t.Helper()
	c := streamtest.Dial(t, p.Base, nil)
	c.Init(streamtest.Bearer(token))
	c.Subscribe("o", orderUpdated, map[string]any{"id": orderID})
	c.Subscribe("w", walletUpdated, nil)
	events(t, c, 2)
	return c
}

func placeOrder(t *testing.T, p *testproc.Process, token string) string {
	t.Helper()
	var page struct {
		Edges []struct {
			Node struct {
				ID string `json:"id"`
			} `json:"node"`
		} `json:"edges"`
	}
	p.Query(t, `{ products(first: 1) { edges { node { id } } } }`, nil, "").Field(t, "products", &page)
	var o struct{ ID string }
	p.Query(t, `mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id } }`,
		map[string]any{"p": page.Edges[0].Node.ID}, token).Field(t, "placeOrder", &o)
	return o.ID
}

// TestChangesReachSubscribersOnEveryInstance: two processes on one
// PostgreSQL database; what changes through one reaches the subscribers on
// the other (LISTEN/NOTIFY), the end of a user's access included.
func TestChangesReachSubscribersOnEveryInstance(t *testing.T) {
	base := testdb.PostgresOnly(t)
	url := testdb.PostgresSchema(t, base)
	a, b := twoInstances(t, url)
	buyer := register(t, a, "everywhere@example.com")
	id := placeOrder(t, a, buyer.Access)

	onB := follow(t, b, buyer.Access, id)
	onA := follow(t, a, buyer.Access, id)

	require.Empty(t, a.Query(t, `mutation { topUp(amountCents: 100000) { balanceCents } }`, nil, buyer.Access).Errors)
	for _, c := range []*streamtest.Conn{onB, onA} {
		_, w := event(t, c)
		assert.Equal(t, float64(100000), w["balanceCents"])
	}
	require.Empty(t, a.Query(t, `mutation($id: ID!) { payOrder(id: $id) { status } }`, map[string]any{"id": id}, buyer.Access).Errors)
	for _, c := range []*streamtest.Conn{onB, onA} {
		got := events(t, c, 2)
		assert.Equal(t, "PAID", got["o"]["status"])
		assert.Less(t, got["w"]["balanceCents"], float64(100000))
	}

	// Through B now, to A.
	admin := loginAs(t, b, "admin")
	require.Empty(t, b.Query(t, `mutation($id: ID!) { shipOrder(id: $id) { status } }`, map[string]any{"id": id}, admin.Access).Errors)
	for _, c := range []*streamtest.Conn{onA, onB} {
		_, o := event(t, c)
		assert.Equal(t, "SHIPPED", o["status"])
	}

	// A suspension through B ends the streams on A at once.
	require.Empty(t, b.Query(t, `mutation($id: ID!) { suspendUser(id: $id) { id } }`, map[string]any{"id": buyer.User.ID}, admin.Access).Errors)
	// Each of the two streams ends with its error, then complete; the two
	// may interleave.
	ended, completed := map[string]bool{}, 0
	for completed < 2 {
		m := onA.Next()
		switch m.Type {
		case "next":
			require.False(t, ended[m.ID], "one last event: %s", m.Payload)
			res := onA.Result(t, m)
			require.Len(t, res.Body.Errors, 1)
			assert.Equal(t, "USER_SUSPENDED", res.Body.Errors[0].Extensions.Type)
			ended[m.ID] = true
		case "complete":
			require.True(t, ended[m.ID], "the error comes before complete")
			completed++
		default:
			t.Fatalf("unexpected %+v", m)
		}
	}
}

// TestSubscribersOutliveARestartOfTheDatabase stops PostgreSQL under
// subscribers of two instances and starts it again within the grace: the
// streams carry on, each sends the current state once the feed is back
// (whatever it missed), and changes flow again. Then the database stops for
// longer than the grace: every stream ends with DATABASE_UNAVAILABLE and a
// retryAfter, rather than silence.
func TestSubscribersOutliveARestartOfTheDatabase(t *testing.T) {
	cluster := pgtest.Start(t)
	a, b := twoInstances(t, cluster.URL(), "FAULTLINE_DB_TIMEOUT=1s", "FAULTLINE_SUBSCRIPTION_DB_GRACE=6s")
	buyer := register(t, a, "steady-subscriber@example.com")
	id := placeOrder(t, a, buyer.Access)
	onA := follow(t, a, buyer.Access, id)
	onB := follow(t, b, buyer.Access, id)

	cluster.Stop()
	time.Sleep(time.Second)
	cluster.Restart()
	require.Eventually(t, func() bool { return a.Ready() == 200 && b.Ready() == 200 }, 15*time.Second, 50*time.Millisecond)
	for _, c := range []*streamtest.Conn{onA, onB} {
		got := events(t, c, 2) // the current state, read again after the gap
		assert.Equal(t, "PENDING", got["o"]["status"])
		assert.Equal(t, float64(0), got["w"]["balanceCents"])
	}
	require.Eventually(t, func() bool {
		r, err := a.TryQuery(`mutation { topUp(amountCents: 500) { balanceCents } }`, nil, buyer.Access)
		return err == nil && len(r.Errors) == 0
	}, 10*time.Second, 100*time.Millisecond)
	for _, c := range []*streamtest.Conn{onA, onB} {
		for {
			id, v := event(t, c) // a retried read may send the gap's state once more
			if id == "w" && v["balanceCents"] == float64(500) {
				break
			}
		}
	}

	cluster.Stop()
	started := time.Now()
	for _, c := range []*streamtest.Conn{onA, onB} {
		ended := map[string]bool{}
		for len(ended) < 2 {
			m, ok := c.TryNext(20 * time.Second)
			require.True(t, ok, "the stream did not end")
			if m.Type == "complete" {
				continue
			}
			require.Equal(t, "next", m.Type, "%s", m.Payload)
			res := c.Result(t, m)
			if len(res.Body.Errors) == 0 {
				continue // a state sent before the outage was seen
			}
			e := res.Body.Errors[0]
			assert.Equal(t, "SERVICE_UNAVAILABLE", e.Extensions.Code)
			assert.Equal(t, "DATABASE_UNAVAILABLE", e.Extensions.Type)
			assert.Positive(t, e.Extensions.RetryAfter)
			ended[m.ID] = true
		}
	}
	took := time.Since(started)
	assert.Greater(t, took, 5*time.Second, "the grace holds the streams first")
	assert.Less(t, took, 15*time.Second, "and then ends them")
	cluster.Restart()
}

// TestSIGTERMEndsEverySubscription: the real process, signed in over a
// WebSocket and over SSE; SIGTERM ends both streams with SHUTTING_DOWN and
// retryAfter, closes the WebSocket with 1001, and the process stops without
// waiting for the streams' clients.
func TestSIGTERMEndsEverySubscription(t *testing.T) {
	p := testproc.Start(t, t.TempDir(), "DATABASE_URL="+testdb.DatabaseURL(t), "FAULTLINE_JWT_SECRET="+jwtSecret,
		"FAULTLINE_DEMO_PASSWORD="+demoPassword, "FAULTLINE_DRAIN_DELAY=300ms")
	user := loginAs(t, p, "user")
	c := streamtest.Dial(t, p.Base, nil)
	c.Init(streamtest.Bearer(user.Access))
	c.Subscribe("w", walletUpdated, nil)
	event(t, c)
	s := streamtest.Stream(t, p.Base, walletUpdated, nil, "Authorization", "Bearer "+user.Access)
	require.Equal(t, "next", s.Next(t).Type)

	signalled := time.Now()
	require.NoError(t, p.Signal(syscall.SIGTERM))
	for _, last := range []struct {
		m   streamtest.Message
		res func(streamtest.Message) *testserver.Response
	}{
		{c.Next(), func(m streamtest.Message) *testserver.Response { return c.Result(t, m) }},
		{s.Next(t), func(m streamtest.Message) *testserver.Response { return s.Result(t, m) }},
	} {
		require.Equal(t, "next", last.m.Type, "%s", last.m.Payload)
		res := last.res(last.m)
		require.Len(t, res.Body.Errors, 1, "%s", last.m.Payload)
		e := res.Body.Errors[0]
		assert.Equal(t, "SERVICE_UNAVAILABLE", e.Extensions.Code)
		assert.Equal(t, "SHUTTING_DOWN", e.Extensions.Type)
		assert.Positive(t, e.Extensions.RetryAfter)
	}
	assert.Equal(t, "complete", c.Next().Type)
	assert.Equal(t, "complete", s.Next(t).Type)
	code, _ := c.Closed(streamtest.Wait)
	assert.Equal(t, 1001, code)
	require.Eventually(t, func() bool { return slices.Contains(p.Messages(), "stopped") }, 10*time.Second, 20*time.Millisecond)
	assert.Less(t, time.Since(signalled), 5*time.Second)
}
