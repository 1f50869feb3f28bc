package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/internal/testserver"
)

// hostileValues are what an attacker puts in a variable, as raw JSON: each
// one must end as a typed error or as correct data within every limit.
var hostileValues = map[string]string{
	"numeric string":   `"100000"`,
	"negative string":  `"-1"`,
	"huge string":      `"2000000000"`,
	"float":            `1.5`,
	"2^53+1":           `9007199254740993`,
	"minus zero":       `-0`,
	"1e308":            `1e308`,
	"past int32":       `2147483648`,
	"below int32":      `-2147483649`,
	"negative":         `-1`,
	"zero":             `0`,
	"object":           `{"a":1}`,
	"list":             `[1,2]`,
	"null":             `null`,
	"true":             `true`,
	"empty string":     `""`,
	"NUL":              `"a\u0000b"`,
	"invalid UTF-8":    "\"a\xff\xfeb\"",
	"long string":      `"` + strings.Repeat("x", 100_000) + `"`,
	"10,000 entries":   `[` + strings.TrimSuffix(strings.Repeat(`1,`, 10_000), ",") + `]`,
	"10,000 objects":   `[` + strings.TrimSuffix(strings.Repeat(`{"productId":"x","quantity":1},`, 10_000), ",") + `]`,
	"deeply nested":    strings.Repeat("[", 500) + strings.Repeat("]", 500),
	"nested objects":   strings.Repeat(`{"a":`, 500) + `1` + strings.Repeat("}", 500),
	"unicode":          `"ünïcødé ✓ 🛒"`,
	"line separator":   `"a\u2028b"`,
	"huge exponent":    `1e400`,
	"scientific int":   `1e2`,
	"fraction of zero": `1.0`,
}

// TestEveryArgumentOfEveryOperationSurvivesHostileJSON drives every
// argument, and every field of every input object, of every root field with
// each hostile value (the other arguments valid), as an admin so that the
// checks behind @auth are reached: every answer is a typed error in the
// envelope or correct data, never INTERNAL or another 5xx, and no list comes
// back longer than its maximum.
func TestEveryArgumentOfEveryOperationSurvivesHostileJSON(t *testing.T) {
	srv := testserver.Start(t)
	admin := loginAdmin(t, srv)
	valid := validArguments(t, srv, admin)

	schema := graph.Schema()
	requests := 0
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") || len(f.Arguments) == 0 {
				continue
			}
			base, ok := valid[f.Name]
			require.True(t, ok, "no valid arguments for %s.%s: add them to validArguments", root.Name, f.Name)
			for _, slot := range slots(schema, f, base) {
				for name, raw := range hostileValues {
					vars := slot.with(t, json.RawMessage(raw))
					res := send(t, srv, operation(schema, root, f), vars, admin.AccessToken)
					requests++
					ctx := fmt.Sprintf("%s.%s %s = %s: %.300s", root.Name, f.Name, slot, name, res.Raw)
					testserver.CheckEnvelope(t, res)
					require.Less(t, res.Status, 500, ctx)
					for _, e := range res.Body.Errors {
						require.NotEqual(t, "INTERNAL", e.Extensions.Type, ctx)
						require.Less(t, e.Extensions.Status, 500, ctx)
					}
					if raw, ok := res.Body.Data[f.Name]; ok && strings.HasSuffix(f.Type.Name(), "Connection") {
						var conn struct{ Edges []json.RawMessage }
						require.NoError(t, json.Unmarshal(raw, &conn))
						require.LessOrEqual(t, len(conn.Edges), 100, ctx)
					}
				}
			}
		}
	}
	t.Logf("%d hostile requests", requests)
}

// validArguments are acceptable values of every root field's arguments.
func validArguments(t *testing.T, srv *testserver.Server, admin session) map[string]map[string]any {
	t.Helper()
	var products struct {
		Edges []struct{ Node struct{ ID string } }
	}
	srv.Query(t, `{ products(first: 1) { edges { node { id } } } }`, nil).Field(t, "products", &products)
	require.NotEmpty(t, products.Edges)
	productID := products.Edges[0].Node.ID
	var order struct{ ID string }
	placed := srv.Query(t, `mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id } }`,
		map[string]any{"p": productID}, bearer(admin.AccessToken)...)
	placed.Field(t, "placeOrder", &order)
	product := map[string]any{"name": "Hostile lamp", "priceCents": 1200, "categories": []string{"lamps"}}
	return map[string]map[string]any{
		"product":       {"id": productID},
		"products":      {"first": 2, "after": nil, "category": "kitchen"},
		"user":          {"id": admin.User.ID},
		"users":         {"first": 2, "after": nil},
		"order":         {"id": order.ID},
		"myOrders":      {"first": 2, "after": nil},
		"register":      {"input": map[string]any{"email": "hostile@example.com", "password": "correct horse battery", "name": "Mallory"}},
		"login":         {"email": "nobody@example.com", "password": "wrong password"},
		"refreshToken":  {"token": "flr_unknown"},
		"logout":        {"refreshToken": "flr_unknown"},
		"topUp":         {"amountCents": 100},
		"createProduct": {"input": product},
		"updateProduct": {"id": productID, "input": product},
		"banProduct":    {"id": "no-such-product", "reason": "hostile"},
		"placeOrder":    {"input": map[string]any{"items": []any{map[string]any{"productId": productID, "quantity": 1}}}},
		"payOrder":      {"id": "no-such-order"},
		"cancelOrder":   {"id": "no-such-order"},
		"shipOrder":     {"id": "no-such-order"},
		"deliverOrder":  {"id": "no-such-order"},
		"suspendUser":   {"id": "no-such-user"},
		"deleteUser":    {"id": "no-such-user"},
	}
}

// slot is one place a hostile value goes: an argument, or a field inside an
// argument's input object (the first entry of a list).
type slot struct {
	base map[string]any
	path []string
}

func (s slot) String() string { return strings.Join(s.path, ".") }

// with returns the variables of the valid arguments with raw at the slot.
func (s slot) with(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	vars := deepCopy(t, s.base)
	var at any = vars
	for i, key := range s.path {
		m, ok := at.(map[string]any)
		if !ok {
			list := at.([]any)
			m = list[0].(map[string]any)
		}
		if i == len(s.path)-1 {
			m[key] = raw
			break
		}
		at = m[key]
	}
	return vars
}

// slots lists the argument and input-field slots of f.
func slots(schema *ast.Schema, f *ast.FieldDefinition, base map[string]any) []slot {
	var out []slot
	var walk func(t *ast.Type, path []string)
	walk = func(t *ast.Type, path []string) {
		out = append(out, slot{base: base, path: slices.Clone(path)})
		for t.Elem != nil {
			t = t.Elem
		}
		def := schema.Types[t.NamedType]
		if def == nil || def.Kind != ast.InputObject {
			return
		}
		for _, field := range def.Fields {
			walk(field.Type, append(path, field.Name))
		}
	}
	for _, a := range f.Arguments {
		walk(a.Type, []string{a.Name})
	}
	return out
}

// operation is a document calling f with one variable per argument.
func operation(schema *ast.Schema, root *ast.Definition, f *ast.FieldDefinition) string {
	var defs, args []string
	for _, a := range f.Arguments {
		defs = append(defs, "$"+a.Name+": "+a.Type.String())
		args = append(args, a.Name+": $"+a.Name)
	}
	kind := "query"
	if root == schema.Mutation {
		kind = "mutation"
	}
	selection := ""
	if def := schema.Types[f.Type.Name()]; def != nil && def.Kind == ast.Object {
		selection = " { __typename }"
		if strings.HasSuffix(def.Name, "Connection") {
			selection = " { edges { cursor } }"
		}
	}
	return fmt.Sprintf("%s(%s) { %s(%s)%s }", kind, strings.Join(defs, ", "), f.Name, strings.Join(args, ", "), selection)
}

// send posts a query with variables that may hold raw JSON.
func send(t *testing.T, srv *testserver.Server, query string, vars map[string]any, token string) *testserver.Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	return srv.Post(t, body, "Content-Type", "application/json", "Accept", acceptGraphQLResponse, "Authorization", "Bearer "+token)
}

func deepCopy(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// TestIntsFollowGraphQLsInputCoercion: a JSON string for an Int is
// INVALID_VARIABLES whatever it holds, numbers are held to 32 bits and to
// their @constraint on the value the resolver receives, and an Int literal
// beyond 32 bits is an invalid document.
func TestIntsFollowGraphQLsInputCoercion(t *testing.T) {
	srv := testserver.Start(t)
	user := loginUser(t, srv)
	const products = `query($f: Int) { products(first: $f) { edges { cursor } } }`
	const topUp = `mutation($a: Int!) { topUp(amountCents: $a) { balanceCents } }`

	for _, tc := range []struct {
		query string
		vars  string
		typ   string
		rule  string
	}{
		{products, `{"f": "100000"}`, "INVALID_VARIABLES", ""},
		{products, `{"f": "-1"}`, "INVALID_VARIABLES", ""},
		{products, `{"f": "2"}`, "INVALID_VARIABLES", ""},
		{products, `{"f": 2.5}`, "INVALID_VARIABLES", ""},
		{products, `{"f": 9007199254740993}`, "INVALID_VARIABLES", ""},
		{products, `{"f": -1}`, "VALIDATION_FAILED", "min"},
		{products, `{"f": -0}`, "VALIDATION_FAILED", "min"},
		{products, `{"f": 100000}`, "VALIDATION_FAILED", "max"},
		{topUp, `{"a": "2000000000"}`, "INVALID_VARIABLES", ""},
		{topUp, `{"a": 2000000000}`, "VALIDATION_FAILED", "max"},
		{topUp, `{"a": 1e308}`, "INVALID_VARIABLES", ""},
	} {
		body := `{"query": ` + quote(tc.query) + `, "variables": ` + tc.vars + `}`
		res := srv.Post(t, []byte(body), "Content-Type", "application/json", "Authorization", "Bearer "+user.AccessToken)
		e := res.Error(t)
		assert.Equal(t, tc.typ, e.Extensions.Type, "%s %s: %s", tc.query, tc.vars, res.Raw)
		if tc.rule != "" && assert.Len(t, e.Extensions.Fields, 1, "%s", res.Raw) {
			assert.Equal(t, tc.rule, e.Extensions.Fields[0].Rule)
		}
		if tc.typ == "INVALID_VARIABLES" {
			assert.False(t, res.Body.HasData, "nothing ran: %s", res.Raw)
		}
	}

	for _, ok := range []string{`{"f": 2}`, `{"f": 2.0}`, `{"f": 2e0}`} {
		body := `{"query": ` + quote(products) + `, "variables": ` + ok + `}`
		res := srv.Post(t, []byte(body), "Content-Type", "application/json")
		require.Empty(t, res.Body.Errors, "%s: %s", ok, res.Raw)
		var page struct{ Edges []any }
		res.Field(t, "products", &page)
		assert.Len(t, page.Edges, 2, "a whole number written as a float is that Int")
	}

	literal := srv.Query(t, `{ products(first: 3000000000) { edges { cursor } } }`, nil)
	e := literal.Error(t)
	assert.Equal(t, "INVALID_QUERY", e.Extensions.Type, "%s", literal.Raw)
	assert.Equal(t, "ValuesWithinTheirTypes", e.Extensions.Details["rule"])

	nul := srv.Query(t, `{ product(id: "a\u0000b") { id } }`, nil)
	assert.Equal(t, "INVALID_QUERY", nul.Error(t).Extensions.Type, "%s", nul.Raw)
	assert.Equal(t, http.StatusOK, nul.Status, "a client accepting only application/json gets 200 for a request error")
}

// TestAnOperationHashesAtMostOnePassword: a hundred aliased logins, or a
// login beside a register, are refused before anything runs: no password is
// hashed and no attempt is counted against the throttle.
func TestAnOperationHashesAtMostOnePassword(t *testing.T) {
	srv := testserver.Start(t)
	var b strings.Builder
	b.WriteString("mutation {")
	for i := range 100 {
		fmt.Fprintf(&b, ` l%d: login(email: "admin@faultline.dev", password: "guess %d") { accessToken }`, i, i)
	}
	b.WriteString(" }")
	res := srv.Query(t, b.String(), nil, "Accept", acceptGraphQLResponse)
	e := res.Error(t)
	assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", e.Extensions.Code)
	assert.Equal(t, "TOO_MANY_PASSWORD_HASHES", e.Extensions.Type)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]any{"limit": float64(1), "actual": float64(100)}, e.Extensions.Details)
	assert.False(t, res.Body.HasData, "nothing ran")

	both := srv.Query(t, `mutation { login(email: "a@b.co", password: "x") { accessToken }
		register(input: {email: "c@d.co", password: "long enough", name: "C"}) { accessToken } }`, nil)
	assert.Equal(t, "TOO_MANY_PASSWORD_HASHES", both.Error(t).Extensions.Type)

	through := srv.Query(t, `mutation { ...A } fragment A on Mutation { a: login(email: "a@b.co", password: "x") { accessToken } b: login(email: "a@b.co", password: "y") { accessToken } }`, nil)
	assert.Equal(t, "TOO_MANY_PASSWORD_HASHES", through.Error(t).Extensions.Type, "fragments count too")

	// None of the refused logins counted: the throttle still allows its
	// failures, and the right password still signs in.
	for i := range 4 {
		wrong := srv.Query(t, `mutation { login(email: "admin@faultline.dev", password: "wrong `+strconv.Itoa(i)+`") { accessToken } }`, nil)
		assert.Equal(t, "INVALID_CREDENTIALS", wrong.Error(t).Extensions.Type, "%s", wrong.Raw)
	}
	loginAdmin(t, srv)
}

// TestIntrospectionCountsTowardTheComplexityWhenOn: repeating introspection
// fields cannot pass the complexity limit for free.
func TestIntrospectionCountsTowardTheComplexityWhenOn(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_MAX_COMPLEXITY", "50"))
	var b strings.Builder
	b.WriteString("{")
	for i := range 20 {
		fmt.Fprintf(&b, " s%d: __schema { types { name } }", i)
	}
	b.WriteString(" }")
	res := srv.Query(t, b.String(), nil)
	e := res.Error(t)
	assert.Equal(t, "QUERY_TOO_COMPLEX", e.Extensions.Type, "%s", res.Raw)
	assert.Equal(t, float64(60), e.Extensions.Details["actual"])

	one := srv.Query(t, `{ __schema { types { name } } }`, nil)
	assert.Empty(t, one.Body.Errors, "%s", one.Raw)
}

// TestDistinctHugeDocumentsAreNotKept: a hundred distinct 1 MiB documents
// (a query and a comment, within every limit) are answered, and the query
// cache keeps none of them: the heap does not grow by what they weigh.
func TestDistinctHugeDocumentsAreNotKept(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_MAX_BODY_BYTES", strconv.Itoa(2<<20)))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pad := strings.Repeat("x", 1<<20)
	for i := range 100 {
		res := srv.Query(t, "{ __typename } # "+strconv.Itoa(i)+pad, nil)
		require.Empty(t, res.Body.Errors, "%.300s", res.Raw)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	assert.Less(t, grown, int64(32<<20), "the heap grew by %d MiB for 100 MiB of documents", grown>>20)
}
