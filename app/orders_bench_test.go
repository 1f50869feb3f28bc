package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

const myOrdersQuery = `query($n: Int) { myOrders(first: $n) { edges { node { id status totalCents
  items { quantity unitPriceCents product { id name priceCents categories } } user { id name } } } pageInfo { hasNextPage } } }`

// seedOrders registers a user with 50 orders of 3 different products each
// and returns the user's access token.
func seedOrders(t testing.TB, srv *testserver.Server) string {
	res := srv.Query(t, `mutation { register(input: {email: "many@example.com", password: "a long enough password", name: "Many"}) { accessToken } }`, nil)
	var session struct {
		AccessToken string `json:"accessToken"`
	}
	res.Field(t, "register", &session)
	res = srv.Query(t, `{ products(first: 14) { edges { node { id } } } }`, nil)
	var page struct {
		Edges []struct {
			Node struct{ ID string } `json:"node"`
		} `json:"edges"`
	}
	res.Field(t, "products", &page)
	for i := range 50 {
		var items []any
		for j := range 3 {
			items = append(items, map[string]any{"productId": page.Edges[(i+j)%len(page.Edges)].Node.ID, "quantity": 1 + j})
		}
		res := srv.Query(t, `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"items": items}}, "Authorization", "Bearer "+session.AccessToken)
		require.Empty(t, res.Body.Errors, "%s", res.Raw)
	}
	return session.AccessToken
}

// queriesFor runs myOrders(first: n) once and returns how many SQL
// statements it cost.
func queriesFor(t testing.TB, srv *testserver.Server, token string, n int) int64 {
	before := srv.App.DB.Queries()
	res := srv.Query(t, myOrdersQuery, map[string]any{"n": n}, "Authorization", "Bearer "+token)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	var page struct {
		Edges []any `json:"edges"`
	}
	res.Field(t, "myOrders", &page)
	require.Len(t, page.Edges, n)
	return srv.App.DB.Queries() - before
}

// TestMyOrdersCostsTheSameQueriesWhateverThePageSize: orders, their items,
// the items' products (with categories) and the orders' users are each
// loaded once per page, not once per row.
func TestMyOrdersCostsTheSameQueriesWhateverThePageSize(t *testing.T) {
	srv := testserver.Start(t)
	token := seedOrders(t, srv)
	one := queriesFor(t, srv, token, 1)
	for _, n := range []int{10, 50} {
		assert.Equal(t, one, queriesFor(t, srv, token, n), "first: %d", n)
	}
	assert.LessOrEqual(t, one, int64(6))
}

// BenchmarkMyOrders measures myOrders with items, products and users for
// page sizes 1, 10 and 50, reporting the SQL statements per request.
// Figures: docs/benchmarks.md.
func BenchmarkMyOrders(b *testing.B) {
	cfg, _ := testserver.Config(b)
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(b, err)
	srv := &testserver.Server{Server: httptest.NewServer(a.Handler), App: a, Logs: &testserver.Logs{}}
	b.Cleanup(func() { srv.Close(); _ = a.Close() })
	token := seedOrders(b, srv)
	for _, n := range []int{1, 10, 50} {
		b.Run("first="+strconv.Itoa(n), func(b *testing.B) {
			body := []byte(`{"query":` + strconv.Quote(myOrdersQuery) + `,"variables":{"n":` + strconv.Itoa(n) + `}}`)
			queries := queriesFor(b, srv, token, n)
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/query", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			b.ReportMetric(float64(queries), "queries/op")
		})
	}
}
