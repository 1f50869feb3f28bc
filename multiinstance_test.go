package main

import (
	"database/sql"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to check the database directly

	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
)

const (
	demoPassword = "demo-password-for-tests"
	jwtSecret    = "a-shared-secret-of-at-least-32-bytes!!"
)

// twoInstances starts two faultline processes on one PostgreSQL database.
func twoInstances(t *testing.T, databaseURL string, env ...string) (*testproc.Process, *testproc.Process) {
	env = append([]string{"DATABASE_URL=" + databaseURL, "FAULTLINE_JWT_SECRET=" + jwtSecret,
		"FAULTLINE_DEMO_PASSWORD=" + demoPassword}, env...)
	a := testproc.Start(t, t.TempDir(), env...)
	b := testproc.Start(t, t.TempDir(), env...)
	return a, b
}

// TestTwoInstancesShareEverything: two processes on one PostgreSQL share
// refresh-token families, login throttling, suspensions and money.
func TestTwoInstancesShareEverything(t *testing.T) {
	base := testdb.PostgresOnly(t)
	url := testdb.PostgresSchema(t, base)
	a, b := twoInstances(t, url)

	t.Run("a refresh token rotated on A and replayed on B revokes the family", func(t *testing.T) {
		first := a.Login(t, "user@faultline.dev", demoPassword)
		var second testproc.Tokens
		a.Query(t, `mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken user { id } } }`,
			map[string]any{"t": first.Refresh}, "").Field(t, "refreshToken", &second)

		replay := b.Query(t, `mutation($t: String!) { refreshToken(token: $t) { accessToken } }`, map[string]any{"t": first.Refresh}, "")
		assert.Equal(t, []string{"TOKEN_REVOKED"}, replay.Types())
		next := a.Query(t, `mutation($t: String!) { refreshToken(token: $t) { accessToken } }`, map[string]any{"t": second.Refresh}, "")
		assert.Equal(t, []string{"TOKEN_REVOKED"}, next.Types(), "the family is revoked on A too")
	})

	t.Run("throttling counts the failures of both", func(t *testing.T) {
		register(t, a, "throttled@example.com")
		q := `mutation { login(email: "throttled@example.com", password: "wrong-password") { accessToken } }`
		for i := range 5 {
			who := a
			if i%2 == 1 {
				who = b
			}
			assert.Equal(t, []string{"INVALID_CREDENTIALS"}, who.Query(t, q, nil, "").Types())
		}
		for _, who := range []*testproc.Process{a, b} {
			res := who.Query(t, `mutation { login(email: "throttled@example.com", password: "a long enough password") { accessToken } }`, nil, "")
			assert.Equal(t, []string{"TOO_MANY_LOGIN_ATTEMPTS"}, res.Types())
		}
	})

	t.Run("a user suspended through A is refused on B at the next request", func(t *testing.T) {
		victim := register(t, a, "victim@example.com")
		require.Empty(t, b.Query(t, `{ me { id } }`, nil, victim.Access).Errors)
		admin := loginAs(t, b, "admin")
		res := a.Query(t, `mutation($id: ID!) { suspendUser(id: $id) { suspended } }`, map[string]any{"id": victim.User.ID}, admin.Access)
		require.Empty(t, res.Errors, "%+v", res.Errors)
		assert.Equal(t, []string{"USER_SUSPENDED"}, b.Query(t, `{ me { id } }`, nil, victim.Access).Types())
	})

	t.Run("50 payments split across both keep the money invariant", func(t *testing.T) {
		buyer := register(t, a, "buyer@example.com")
		var page struct {
			Edges []struct {
				Node struct {
					ID         string `json:"id"`
					PriceCents int    `json:"priceCents"`
				} `json:"node"`
			} `json:"edges"`
		}
		a.Query(t, `{ products(first: 1) { edges { node { id priceCents } } } }`, nil, "").Field(t, "products", &page)
		product, price := page.Edges[0].Node.ID, page.Edges[0].Node.PriceCents
		require.Empty(t, b.Query(t, `mutation($a: Int!) { topUp(amountCents: $a) { balanceCents } }`, map[string]any{"a": price * 20}, buyer.Access).Errors)
		orders := make([]string, 50)
		for i := range orders {
			var o struct{ ID string }
			a.Query(t, `mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id } }`,
				map[string]any{"p": product}, buyer.Access).Field(t, "placeOrder", &o)
			orders[i] = o.ID
		}
		results := make([]*testproc.Result, len(orders))
		var wg sync.WaitGroup
		for i, id := range orders {
			who := a
			if i%2 == 1 {
				who = b
			}
			wg.Go(func() {
				results[i], _ = who.TryQuery(`mutation($id: ID!) { payOrder(id: $id) { status } }`, map[string]any{"id": id}, buyer.Access)
			})
		}
		wg.Wait()
		paid := 0
		for _, r := range results {
			require.NotNil(t, r)
			if len(r.Errors) == 0 {
				paid++
				continue
			}
			assert.Equal(t, []string{"INSUFFICIENT_FUNDS"}, r.Types())
		}
		assert.Equal(t, 20, paid)
		assertMoneyInvariant(t, url)
	})
}

func loginAs(t *testing.T, p *testproc.Process, who string) testproc.Tokens {
	return p.Login(t, who+"@faultline.dev", demoPassword)
}

func register(t *testing.T, p *testproc.Process, email string) testproc.Tokens {
	t.Helper()
	var s testproc.Tokens
	p.Query(t, `mutation($e: String!) { register(input: {email: $e, password: "a long enough password", name: "Someone"}) { accessToken refreshToken user { id } } }`,
		map[string]any{"e": email}, "").Field(t, "register", &s)
	return s
}

// assertMoneyInvariant checks the conservation of money (README, The shop)
// in the database directly.
func assertMoneyInvariant(t *testing.T, url string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	require.NoError(t, err)
	defer db.Close()
	var negative, doublePaid, topUps, balances, held int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM wallets WHERE balance_cents < 0`).Scan(&negative))
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM (SELECT order_id FROM wallet_entries WHERE kind = 'PAYMENT'
		GROUP BY order_id HAVING COUNT(*) > 1) AS twice`).Scan(&doublePaid))
	require.NoError(t, db.QueryRow(`SELECT COALESCE(SUM(amount_cents), 0) FROM wallet_entries WHERE kind = 'TOP_UP'`).Scan(&topUps))
	require.NoError(t, db.QueryRow(`SELECT COALESCE(SUM(balance_cents), 0) FROM wallets`).Scan(&balances))
	require.NoError(t, db.QueryRow(`SELECT COALESCE(SUM(total_cents), 0) FROM orders WHERE status IN ('PAID', 'SHIPPED', 'DELIVERED')`).Scan(&held))
	assert.Zero(t, negative, "no wallet below zero")
	assert.Zero(t, doublePaid, "no order paid twice")
	assert.Equal(t, topUps, balances+held, "balances + paid orders = top-ups")
}
