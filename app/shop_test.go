package app_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
)

// shopper is a signed-in user of a test server.
type shopper struct {
	t     *testing.T
	srv   *testserver.Server
	token string
	id    string
}

func newShopper(t *testing.T, srv *testserver.Server, email string) *shopper {
	t.Helper()
	s := mustSession(t, register(t, srv, email, "a long enough password", "Shopper"), "register")
	return &shopper{t: t, srv: srv, token: s.AccessToken, id: s.User.ID}
}

func adminOf(t *testing.T, srv *testserver.Server) *shopper {
	s := loginAdmin(t, srv)
	return &shopper{t: t, srv: srv, token: s.AccessToken, id: s.User.ID}
}

func (s *shopper) do(query string, vars map[string]any) *testserver.Response {
	s.t.Helper()
	return s.srv.Query(s.t, query, vars, bearer(s.token)...)
}

// ok runs an operation that must succeed and returns its one root field.
func (s *shopper) ok(query string, vars map[string]any) map[string]any {
	s.t.Helper()
	res := s.do(query, vars)
	require.Empty(s.t, res.Body.Errors, "%s", res.Raw)
	for name := range res.Body.Data {
		return field(s.t, res, name)
	}
	s.t.Fatal("no data")
	return nil
}

// fails runs an operation that must fail with one error and returns it.
func (s *shopper) fails(query string, vars map[string]any) testserver.Error {
	s.t.Helper()
	return s.do(query, vars).Error(s.t)
}

func (s *shopper) topUp(cents int) int {
	s.t.Helper()
	w := s.ok(`mutation($a: Int!) { topUp(amountCents: $a) { balanceCents currency } }`, map[string]any{"a": cents})
	assert.Equal(s.t, "USD", w["currency"])
	return int(w["balanceCents"].(float64))
}

func (s *shopper) balance() int {
	s.t.Helper()
	me := s.ok(`{ me { wallet { balanceCents } } }`, nil)
	return int(me["wallet"].(map[string]any)["balanceCents"].(float64))
}

const orderFields = `id status totalCents createdAt updatedAt cancelledAt items { quantity unitPriceCents product { id name } } user { id }`

func (s *shopper) place(items ...any) map[string]any {
	s.t.Helper()
	return s.ok(`mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { `+orderFields+` } }`, map[string]any{"in": map[string]any{"items": items}})
}

func line(productID string, quantity int) map[string]any {
	return map[string]any{"productId": productID, "quantity": quantity}
}

var moves = map[string]string{
	"pay": "payOrder", "cancel": "cancelOrder", "ship": "shipOrder", "deliver": "deliverOrder",
}

func (s *shopper) move(move, orderID string) *testserver.Response {
	s.t.Helper()
	return s.do(`mutation($id: ID!) { `+moves[move]+`(id: $id) { `+orderFields+` } }`, map[string]any{"id": orderID})
}

// products returns the ids and prices of the visible demo products.
func products(t *testing.T, srv *testserver.Server) (ids []string, prices []int) {
	t.Helper()
	res := srv.Query(t, `{ products(first: 100) { edges { node { id priceCents } } } }`, nil)
	var page struct {
		Edges []struct {
			Node struct {
				ID         string `json:"id"`
				PriceCents int    `json:"priceCents"`
			} `json:"node"`
		} `json:"edges"`
	}
	res.Field(t, "products", &page)
	for _, e := range page.Edges {
		ids = append(ids, e.Node.ID)
		prices = append(prices, e.Node.PriceCents)
	}
	return ids, prices
}

func TestOrderLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	buyer := newShopper(t, srv, "buyer@example.com")
	admin := adminOf(t, srv)

	assert.Equal(t, 0, buyer.balance(), "a wallet starts empty")
	total := prices[0]*2 + prices[1]
	assert.Equal(t, total+500, buyer.topUp(total+500))

	o := buyer.place(line(ids[0], 2), line(ids[1], 1))
	assert.Equal(t, "PENDING", o["status"])
	assert.Equal(t, float64(total), o["totalCents"])
	assert.Nil(t, o["cancelledAt"])
	assert.Equal(t, buyer.id, o["user"].(map[string]any)["id"])
	items := o["items"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, float64(prices[0]), items[0].(map[string]any)["unitPriceCents"])
	assert.Equal(t, ids[0], items[0].(map[string]any)["product"].(map[string]any)["id"])
	id := o["id"].(string)

	paid := buyer.move("pay", id)
	require.Empty(t, paid.Body.Errors, "%s", paid.Raw)
	assert.Equal(t, "PAID", field(t, paid, "payOrder")["status"])
	assert.Equal(t, 500, buyer.balance(), "the wallet was debited")

	shipped := admin.move("ship", id)
	require.Empty(t, shipped.Body.Errors, "%s", shipped.Raw)
	assert.Equal(t, "SHIPPED", field(t, shipped, "shipOrder")["status"])
	delivered := admin.move("deliver", id)
	require.Empty(t, delivered.Body.Errors, "%s", delivered.Raw)
	assert.Equal(t, "DELIVERED", field(t, delivered, "deliverOrder")["status"])

	got := buyer.ok(`query($id: ID!) { order(id: $id) { `+orderFields+` } }`, map[string]any{"id": id})
	assert.Equal(t, "DELIVERED", got["status"])
	assert.NotEqual(t, got["createdAt"], got["updatedAt"])

	mine := buyer.ok(`{ myOrders(first: 10) { edges { node { id status } } pageInfo { hasNextPage } } }`, nil)
	require.Len(t, mine["edges"], 1)
	assertInvariant(t, srv)
}

// TestEveryIllegalTransition drives each move from each status and checks
// the answer against the order state machine (README, The shop).
func TestEveryIllegalTransition(t *testing.T) {
	srv := testserver.Start(t)
	ids, _ := products(t, srv)
	buyer := newShopper(t, srv, "mover@example.com")
	admin := adminOf(t, srv)
	buyer.topUp(1_000_000)

	// orderIn makes a fresh order and walks it to status.
	paths := map[string][]string{
		"PENDING": {}, "PAID": {"pay"}, "SHIPPED": {"pay", "ship"}, "DELIVERED": {"pay", "ship", "deliver"}, "CANCELLED": {"cancel"},
	}
	orderIn := func(status string) string {
		id := buyer.place(line(ids[0], 1))["id"].(string)
		for _, m := range paths[status] {
			who := buyer
			if m == "ship" || m == "deliver" {
				who = admin
			}
			require.Empty(t, who.move(m, id).Body.Errors)
		}
		return id
	}
	legal := map[string][]string{
		"PENDING": {"pay", "cancel"}, "PAID": {"ship", "cancel"}, "SHIPPED": {"deliver", "cancel"},
	}
	target := map[string]string{"pay": "PAID", "cancel": "CANCELLED", "ship": "SHIPPED", "deliver": "DELIVERED"}
	allowed := map[string][]any{
		"PENDING": {"PAID", "CANCELLED"}, "PAID": {"SHIPPED", "CANCELLED"}, "SHIPPED": {"DELIVERED", "CANCELLED"},
		"DELIVERED": {},
	}
	for from := range paths {
		for m := range moves {
			t.Run(from+" "+m, func(t *testing.T) {
				id := orderIn(from)
				who := buyer
				if m == "ship" || m == "deliver" {
					who = admin
				}
				res := who.move(m, id)
				if contains(legal[from], m) {
					require.Empty(t, res.Body.Errors, "%s", res.Raw)
					assert.Equal(t, target[m], field(t, res, moves[m])["status"])
					return
				}
				e := res.Error(t)
				assert.Equal(t, "CONFLICT", e.Extensions.Code)
				assert.Equal(t, 409, e.Extensions.Status)
				if from == "CANCELLED" {
					assert.Equal(t, "ORDER_ALREADY_CANCELLED", e.Extensions.Type)
					assert.NotEmpty(t, e.Extensions.Details["cancelledAt"])
					return
				}
				assert.Equal(t, "INVALID_STATE_TRANSITION", e.Extensions.Type)
				assert.Equal(t, map[string]any{"from": from, "to": target[m], "allowed": allowed[from]}, e.Extensions.Details)
				got := buyer.ok(`query($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id})
				assert.Equal(t, from, got["status"], "a refused move changes nothing")
			})
		}
	}
	assertInvariant(t, srv)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestCancelRefundsPaidAndShippedOrdersOnly(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	buyer := newShopper(t, srv, "canceller@example.com")
	admin := adminOf(t, srv)
	buyer.topUp(100_000)
	price := prices[2]

	pending := buyer.place(line(ids[2], 1))["id"].(string)
	res := buyer.move("cancel", pending)
	require.Empty(t, res.Body.Errors)
	cancelled := field(t, res, "cancelOrder")
	assert.Equal(t, "CANCELLED", cancelled["status"])
	assert.NotNil(t, cancelled["cancelledAt"])
	assert.Equal(t, 100_000, buyer.balance(), "nothing was paid, nothing refunded")

	paid := buyer.place(line(ids[2], 1))["id"].(string)
	require.Empty(t, buyer.move("pay", paid).Body.Errors)
	assert.Equal(t, 100_000-price, buyer.balance())
	require.Empty(t, buyer.move("cancel", paid).Body.Errors)
	assert.Equal(t, 100_000, buyer.balance(), "a paid order is refunded")

	shipped := buyer.place(line(ids[2], 1))["id"].(string)
	require.Empty(t, buyer.move("pay", shipped).Body.Errors)
	require.Empty(t, admin.move("ship", shipped).Body.Errors)
	require.Empty(t, admin.move("cancel", shipped).Body.Errors, "an admin may cancel anyone's order")
	assert.Equal(t, 100_000, buyer.balance(), "a shipped order is refunded")

	e := buyer.move("cancel", shipped).Error(t)
	assert.Equal(t, "ORDER_ALREADY_CANCELLED", e.Extensions.Type)
	assert.Equal(t, 100_000, buyer.balance(), "no second refund")
	assertInvariant(t, srv)
}

func TestInsufficientFunds(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	buyer := newShopper(t, srv, "poor@example.com")
	buyer.topUp(prices[0] - 1)
	id := buyer.place(line(ids[0], 1))["id"].(string)

	e := buyer.move("pay", id).Error(t)
	assert.Equal(t, "PAYMENT_REQUIRED", e.Extensions.Code)
	assert.Equal(t, "INSUFFICIENT_FUNDS", e.Extensions.Type)
	assert.Equal(t, 402, e.Extensions.Status)
	assert.Equal(t, map[string]any{"required": float64(prices[0]), "available": float64(prices[0] - 1)}, e.Extensions.Details)
	assert.Equal(t, prices[0]-1, buyer.balance(), "nothing was taken")
	got := buyer.ok(`query($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id})
	assert.Equal(t, "PENDING", got["status"])

	buyer.topUp(1)
	require.Empty(t, buyer.move("pay", id).Body.Errors, "exactly enough is enough")
	assert.Equal(t, 0, buyer.balance())
	assertInvariant(t, srv)
}

// TestAWalletStaysWithinGraphQLsInt: a top-up that would let the balance,
// counting refunds of paid orders, pass 2^31-1 cents is refused, so that
// balanceCents always fits GraphQL's 32-bit Int.
func TestAWalletStaysWithinGraphQLsInt(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	buyer := newShopper(t, srv, "rich@example.com")
	// A top-up is at most 1,000,000 cents, in the schema and in the domain;
	// the sum of 2,146 of them goes in at once through the store.
	_, err := srv.App.DB.TopUp(context.Background(), buyer.id, 2_146_000_000, func(int, int) error { return nil })
	require.NoError(t, err)
	price := prices[0]
	paid := buyer.place(line(ids[0], 1))["id"].(string)
	require.Empty(t, buyer.move("pay", paid).Body.Errors)
	assert.Equal(t, 2_147_000_000-price, buyer.topUp(1_000_000))

	refused := func(cents, room int) {
		t.Helper()
		res := buyer.do(`mutation($a: Int!) { topUp(amountCents: $a) { balanceCents } }`, map[string]any{"a": cents})
		e := res.Error(t)
		assert.Equal(t, "BAD_USER_INPUT", e.Extensions.Code)
		assert.Equal(t, 422, e.Extensions.Status)
		assert.Equal(t, "VALIDATION_FAILED", e.Extensions.Type)
		require.Len(t, e.Extensions.Fields, 1)
		assert.Equal(t, []any{"amountCents"}, e.Extensions.Fields[0].Path)
		assert.Equal(t, "maxWallet", e.Extensions.Fields[0].Rule)
		assert.Contains(t, e.Extensions.Fields[0].Message, fmt.Sprintf("at most %d more", room))
		assert.JSONEq(t, "null", string(res.Body.Data["topUp"]))
	}
	refused(483_648, 483_647)
	assert.Equal(t, 2_147_000_000-price, buyer.balance(), "a refused top-up writes nothing")
	assert.Equal(t, math.MaxInt32-price, buyer.topUp(483_647), "exactly up to the limit")

	// The paid order's refund brings the balance to the limit, not past it.
	require.Empty(t, buyer.move("cancel", paid).Body.Errors)
	assert.Equal(t, math.MaxInt32, buyer.balance())
	refused(1, 0)
	assertInvariant(t, srv)
}

func TestBannedAndUnknownProductsCannotBeOrdered(t *testing.T) {
	srv := testserver.Start(t)
	ids, _ := products(t, srv)
	buyer := newShopper(t, srv, "picky@example.com")
	admin := adminOf(t, srv)

	banned := admin.ok(`mutation($id: ID!) { banProduct(id: $id, reason: "recalled") { id banned } }`, map[string]any{"id": ids[3]})
	assert.Equal(t, true, banned["banned"])

	q := `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`
	e := buyer.fails(q, map[string]any{"in": map[string]any{"items": []any{line(ids[0], 1), line(ids[3], 1)}}})
	assert.Equal(t, "FORBIDDEN", e.Extensions.Code)
	assert.Equal(t, "PRODUCT_FORBIDDEN", e.Extensions.Type)
	assert.Equal(t, 403, e.Extensions.Status)
	assert.Equal(t, map[string]any{"id": ids[3]}, e.Extensions.Details)

	e = buyer.fails(q, map[string]any{"in": map[string]any{"items": []any{line(ids[0], 1), line("no-such-product", 1)}}})
	assert.Equal(t, "NOT_FOUND", e.Extensions.Code)
	assert.Equal(t, map[string]any{"resource": "Product", "id": "no-such-product"}, e.Extensions.Details)

	var orders, items int
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&orders))
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM order_items`).Scan(&items))
	assert.Zero(t, orders, "a failed placeOrder leaves no order")
	assert.Zero(t, items, "and no item")

	// Banned products leave the lists of everyone but admins.
	list, _ := products(t, srv)
	assert.NotContains(t, list, ids[3])
	res := srv.Query(t, `query($id: ID!) { product(id: $id) { banned } }`, map[string]any{"id": ids[3]})
	assert.Equal(t, true, field(t, res, "product")["banned"])
}

func TestOtherUsersOrdersAreNotFound(t *testing.T) {
	srv := testserver.Start(t)
	ids, _ := products(t, srv)
	owner := newShopper(t, srv, "owner@example.com")
	other := newShopper(t, srv, "other@example.com")
	admin := adminOf(t, srv)
	owner.topUp(1_000_000)
	other.topUp(1_000_000)
	id := owner.place(line(ids[0], 1))["id"].(string)

	for _, q := range []string{
		`query($id: ID!) { order(id: $id) { id } }`,
		`mutation($id: ID!) { payOrder(id: $id) { id } }`,
		`mutation($id: ID!) { cancelOrder(id: $id) { id } }`,
	} {
		e := other.fails(q, map[string]any{"id": id})
		assert.Equal(t, "NOT_FOUND", e.Extensions.Code, q)
		assert.Equal(t, map[string]any{"resource": "Order", "id": id}, e.Extensions.Details, q)
		missing := other.fails(q, map[string]any{"id": id + "x"})
		assert.Equal(t, e.Extensions.Type, missing.Extensions.Type, "indistinguishable from an order that does not exist")
	}
	e := admin.fails(`mutation($id: ID!) { payOrder(id: $id) { id } }`, map[string]any{"id": id})
	assert.Equal(t, "RESOURCE_NOT_FOUND", e.Extensions.Type, "only the owner pays")

	seen := admin.ok(`query($id: ID!) { order(id: $id) { id status user { id email } } }`, map[string]any{"id": id})
	assert.Equal(t, id, seen["id"], "admins read any order")
	assert.Equal(t, "owner@example.com", seen["user"].(map[string]any)["email"])

	got := owner.ok(`query($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id})
	assert.Equal(t, "PENDING", got["status"], "nothing the other user tried changed it")
	assert.Equal(t, 1_000_000, other.balance())

	for _, who := range []*shopper{owner, other} {
		res := srv.Query(t, `{ myOrders { edges { node { id } } } }`, nil, bearer(who.token)...)
		require.Empty(t, res.Body.Errors)
		n := len(field(t, res, "myOrders")["edges"].([]any))
		if who == owner {
			assert.Equal(t, 1, n)
		} else {
			assert.Zero(t, n)
		}
	}
}

func TestWalletAndOrdersAreFieldLevelErrorsForOthers(t *testing.T) {
	srv := testserver.Start(t)
	q := `{ products(first: 1) { edges { node { createdBy { name wallet { balanceCents } orders { edges { cursor } } } } } } }`
	res := srv.Query(t, q, nil)
	testserver.CheckEnvelope(t, res)
	require.Len(t, res.Body.Errors, 2, "%s", res.Raw)
	for _, e := range res.Body.Errors {
		assert.Equal(t, "TOKEN_MISSING", e.Extensions.Type)
	}
	assert.Contains(t, string(res.Raw), `"name":"Ada Admin"`)

	user := newShopper(t, srv, "nosy@example.com")
	res = user.do(q, nil)
	require.Len(t, res.Body.Errors, 2)
	for _, e := range res.Body.Errors {
		assert.Equal(t, "INSUFFICIENT_ROLE", e.Extensions.Type)
		assert.Equal(t, "ADMIN", e.Extensions.Details["requiredRole"])
	}
}

func TestUnitPricesAreCapturedAtOrderTime(t *testing.T) {
	srv := testserver.Start(t)
	ids, prices := products(t, srv)
	buyer := newShopper(t, srv, "early@example.com")
	admin := adminOf(t, srv)
	id := buyer.place(line(ids[5], 3))["id"].(string)

	updated := admin.ok(`mutation($id: ID!, $in: ProductInput!) { updateProduct(id: $id, input: $in) { name priceCents categories } }`,
		map[string]any{"id": ids[5], "in": map[string]any{"name": "Espresso Machine Pro", "priceCents": prices[5] * 2, "categories": []string{"kitchen", "coffee"}}})
	assert.Equal(t, float64(prices[5]*2), updated["priceCents"])
	assert.Equal(t, []any{"kitchen", "coffee"}, updated["categories"])

	o := buyer.ok(`query($id: ID!) { order(id: $id) { totalCents items { unitPriceCents product { name priceCents } } } }`, map[string]any{"id": id})
	item := o["items"].([]any)[0].(map[string]any)
	assert.Equal(t, float64(prices[5]), item["unitPriceCents"], "the order keeps its price")
	assert.Equal(t, float64(prices[5]*3), o["totalCents"])
	assert.Equal(t, "Espresso Machine Pro", item["product"].(map[string]any)["name"], "the product itself is today's")
}

func TestProductAdministration(t *testing.T) {
	srv := testserver.Start(t)
	admin := adminOf(t, srv)
	created := admin.ok(`mutation($in: ProductInput!) { createProduct(input: $in) { id name priceCents categories banned createdBy { id } } }`,
		map[string]any{"in": map[string]any{"name": "  Desk Lamp ", "priceCents": 2500, "categories": []string{"office", "lighting"}}})
	assert.Equal(t, "Desk Lamp", created["name"])
	assert.Equal(t, false, created["banned"])
	assert.Equal(t, admin.id, created["createdBy"].(map[string]any)["id"])
	list, _ := products(t, srv)
	assert.Contains(t, list, created["id"])

	for _, q := range []string{
		`mutation { updateProduct(id: "nope", input: {name: "Lamp", priceCents: 1, categories: ["x"]}) { id } }`,
		`mutation { banProduct(id: "nope", reason: "x") { id } }`,
	} {
		e := admin.fails(q, nil)
		assert.Equal(t, "RESOURCE_NOT_FOUND", e.Extensions.Type, q)
		assert.Equal(t, "Product", e.Extensions.Details["resource"])
	}

	user := newShopper(t, srv, "wannabe@example.com")
	e := user.fails(`mutation { createProduct(input: {name: "Lamp", priceCents: 1, categories: ["x"]}) { id } }`, nil)
	assert.Equal(t, "INSUFFICIENT_ROLE", e.Extensions.Type)
}

// TestEveryInputRuleIsReportedAtOnce covers the shop's input constraints
// (the account ones are in accounts_test.go): every violation of one input
// in one error.
func TestEveryInputRuleIsReportedAtOnce(t *testing.T) {
	srv := testserver.Start(t)
	admin := adminOf(t, srv)
	ids, _ := products(t, srv)
	type violation struct {
		path string
		rule string
	}
	check := func(who *shopper, q string, vars map[string]any, want ...violation) {
		t.Helper()
		e := who.fails(q, vars)
		assert.Equal(t, "BAD_USER_INPUT", e.Extensions.Code, q)
		assert.Equal(t, "VALIDATION_FAILED", e.Extensions.Type, q)
		var got []violation
		for _, f := range e.Extensions.Fields {
			got = append(got, violation{dotted(f.Path), f.Rule})
			assert.NotEmpty(t, f.Message)
		}
		assert.Equal(t, want, got, q)
	}
	product := `mutation($in: ProductInput!) { createProduct(input: $in) { id } }`
	check(admin, product, map[string]any{"in": map[string]any{"name": "ab", "priceCents": 0, "categories": []string{}}},
		violation{"input.name", "minLength"}, violation{"input.priceCents", "min"}, violation{"input.categories", "minItems"})
	check(admin, product, map[string]any{"in": map[string]any{"name": strings.Repeat("n", 51), "priceCents": -5, "categories": []string{"ok", "", strings.Repeat("c", 31)}}},
		violation{"input.name", "maxLength"}, violation{"input.priceCents", "min"},
		violation{"input.categories.1", "minLength"}, violation{"input.categories.2", "maxLength"})
	check(admin, `mutation { updateProduct(id: "x", input: {name: "ok name", priceCents: 10000001, categories: ["a"]}) { id } }`, nil,
		violation{"input.priceCents", "max"})

	buyer := newShopper(t, srv, "sloppy@example.com")
	order := `mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }`
	check(buyer, order, map[string]any{"in": map[string]any{"items": []any{}}}, violation{"input.items", "minItems"})
	many := make([]any, 51)
	for i := range many {
		many[i] = line(ids[0], 1)
	}
	many[2] = line(ids[0], 0)
	many[7] = line(ids[0], 101)
	check(buyer, order, map[string]any{"in": map[string]any{"items": many}},
		violation{"input.items", "maxItems"}, violation{"input.items.2.quantity", "min"}, violation{"input.items.7.quantity", "max"})
	check(buyer, `mutation { topUp(amountCents: 0) { balanceCents } }`, nil, violation{"amountCents", "min"})
	check(buyer, `mutation { topUp(amountCents: 1000001) { balanceCents } }`, nil, violation{"amountCents", "max"})
	check(buyer, `{ myOrders(first: 0) { edges { cursor } } }`, nil, violation{"first", "min"})
	check(buyer, `{ me { orders(first: 101) { edges { cursor } } } }`, nil, violation{"first", "max"})
	check(admin, `mutation { banProduct(id: "x", reason: "") { id } }`, nil, violation{"reason", "minLength"})

	// A valid input within the limits, but a total beyond what an order may hold.
	expensive := admin.ok(`mutation { createProduct(input: {name: "Yacht", priceCents: 10000000, categories: ["boats"]}) { id } }`, nil)
	check(buyer, order, map[string]any{"in": map[string]any{"items": []any{line(expensive["id"].(string), 100), line(expensive["id"].(string), 1)}}},
		violation{"input.items", "maxTotal"})
}

// assertInvariant checks the conservation of money (README, The shop):
// no wallet below zero, no order paid twice, refunds only of paid orders, and
// the sum of balances plus paid-and-not-refunded orders equal to the top-ups.
func assertInvariant(t *testing.T, srv *testserver.Server) {
	t.Helper()
	db := srv.App.DB.SQL()
	var negative, doublePaid, badRefunds, topUps, balances, held int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM wallets WHERE balance_cents < 0`).Scan(&negative))
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM (SELECT order_id FROM wallet_entries WHERE kind = 'PAYMENT' GROUP BY order_id HAVING COUNT(*) > 1) AS twice`).Scan(&doublePaid))
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM wallet_entries r WHERE r.kind = 'REFUND' AND NOT EXISTS
		(SELECT 1 FROM wallet_entries p WHERE p.kind = 'PAYMENT' AND p.order_id = r.order_id AND p.amount_cents = r.amount_cents)`).Scan(&badRefunds))
	require.NoError(t, db.QueryRow(`SELECT COALESCE(SUM(amount_cents), 0) FROM wallet_entries WHERE kind = 'TOP_UP'`).Scan(&topUps))
	require.NoError(t, db.QueryRow(`SELECT COALESCE(SUM(balance_cents), 0) FROM wallets`).Scan(&balances))
	require.NoError(t, db.QueryRow(`SELECT COALESCE(SUM(total_cents), 0) FROM orders WHERE status IN ('PAID', 'SHIPPED', 'DELIVERED')`).Scan(&held))
	assert.Zero(t, negative, "no wallet below zero")
	assert.Zero(t, doublePaid, "no order paid twice")
	assert.Zero(t, badRefunds, "no refund of an unpaid order")
	assert.Equal(t, topUps, balances+held, "balances + paid orders = top-ups")
}

// dotted writes a field path as input.items.2.quantity.
func dotted(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}
