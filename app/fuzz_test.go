package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

// FuzzQueryBody posts arbitrary bytes to /query and requires a well-formed
// answer: a JSON object with data or errors, every error in the envelope
// with a catalogued code, type and status, and never a 5xx — malformed input
// is the client's fault, whatever it is.
//
//	go test ./app -run '^$' -fuzz FuzzQueryBody -fuzztime 5m
func FuzzQueryBody(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ products(first: 2) { edges { cursor node { id name categories } } pageInfo { endCursor } } }"}`,
		`{"query":"query P($f: Int, $a: String, $c: String) { products(first: $f, after: $a, category: $c) { edges { cursor } } }","variables":{"f":3,"a":"cHJvZHVjdDp4","c":"kitchen"}}`,
		`{"query":"{ product(id: \"x\") { id } }"}`,
		`{"query":"query A { __typename } query B { __typename }","operationName":"B"}`,
		`{"query":"{ __schema { types { name fields { name } } } }"}`,
		`{"query":"{ ...F } fragment F on Query { products { edges { node { id } } } }"}`,
		`{"query":"{ products(first: 0, category: \"\") { edges { cursor } } }"}`,
		`{"query":"{ products(first: 99999999999999999999) { edges { cursor } } }"}`,
		`{"query":"query($id: ID!) { product(id: $id) { id } }","variables":{"id":[1,{"a":null}]}}`,
		`{"query":"{ products { edges { node { id @skip(if: true) } } } }"}`,
		`{"query":"subscription { x }"}`,
		`{"query":"mutation { x }"}`,
		`{"query":"{ a: products { edges { cursor } } a: product(id: 1) { id } }"}`,
		`{"query":"{","variables":null,"extensions":{"persistedQuery":{"version":1,"sha256Hash":"x"}}}`,
		`[{"query":"{ __typename }"}]`,
		`{"query": 1}`, `{}`, `null`, `"x"`, ``, `{"query":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	cfg, opts := testserver.Config(f)
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), opts...)
	require.NoError(f, err)
	f.Cleanup(func() { _ = a.Close() })

	f.Fuzz(func(t *testing.T, body []byte) {
		for _, accept := range []string{"application/json", acceptGraphQLResponse} {
			req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", accept)
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req)
			res := testserver.Read(t, rec.Result())

			require.Less(t, res.Status, 500, "a 5xx from malformed input: %s", res.Raw)
			var top map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(res.Raw, &top), "not a JSON object: %s", res.Raw)
			_, hasData := top["data"]
			require.True(t, hasData || len(res.Body.Errors) > 0, "neither data nor errors: %s", res.Raw)
			for key := range top {
				assert.Contains(t, []string{"data", "errors", "extensions"}, key)
			}
			testserver.CheckEnvelope(t, res)
			for _, e := range res.Body.Errors {
				require.Less(t, e.Extensions.Status, 500, "a server error from client input: %s", res.Raw)
			}
		}
	})
}

// fuzzOperations are the documents FuzzVariables sends its variables to:
// between them, every kind of argument (Int, String, ID, enums of lists and
// input objects, nested lists).
var fuzzOperations = []string{
	`query($f: Int, $a: String, $c: String) { products(first: $f, after: $a, category: $c) { edges { cursor } } }`,
	`query($id: ID!) { product(id: $id) { id name } }`,
	`query($f: Int, $a: String) { myOrders(first: $f, after: $a) { edges { node { id items { quantity } } } } }`,
	`mutation($a: Int!) { topUp(amountCents: $a) { balanceCents } }`,
	`mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id totalCents } }`,
	`mutation($in: ProductInput!) { createProduct(input: $in) { id } }`,
	`mutation($id: ID!, $in: ProductInput!) { updateProduct(id: $id, input: $in) { id } }`,
	`mutation($id: ID!, $r: String!) { banProduct(id: $id, reason: $r) { id } }`,
	`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
	`mutation($in: RegisterInput!) { register(input: $in) { accessToken } }`,
	`mutation($t: String!) { refreshToken(token: $t) { accessToken } }`,
	`query($f: Int, $of: Int) { users(first: $f) { edges { node { id orders(first: $of) { edges { cursor } } } } } }`,
}

// FuzzVariables sends arbitrary variables (JSON, or anything) to operations
// that take every kind of argument, as an admin, and requires a typed
// answer that is never a 5xx: whatever the variables hold, they end as
// INVALID_VARIABLES, VALIDATION_FAILED, a domain error or correct data.
//
//	go test ./app -run '^$' -fuzz FuzzVariables -fuzztime 5m
func FuzzVariables(f *testing.F) {
	for _, seed := range []struct {
		op   uint8
		vars string
	}{
		{0, `{"f": "100000"}`}, {0, `{"f": -1, "c": ""}`}, {0, `{"f": 1e308, "a": "\u0000"}`},
		{1, `{"id": 123}`}, {1, `{"id": [1, 2]}`}, {2, `{"f": 2.0, "a": "bXlPcmRlcnM6eA"}`},
		{3, `{"a": "2000000000"}`}, {3, `{"a": 9007199254740993}`}, {3, `{"a": -0}`},
		{4, `{"in": {"items": [{"productId": "x", "quantity": 1.5}]}}`}, {4, `{"in": {"items": {"productId": "x", "quantity": 1}}}`},
		{5, `{"in": {"name": "ab", "priceCents": "1", "categories": "c"}}`}, {6, `{"id": "x", "in": {"name": null}}`},
		{7, `{"id": "x", "r": "\u0000"}`}, {8, `{"e": "a@b.co", "p": 12345678}`},
		{9, `{"in": {"email": "x", "password": [], "name": {}}}`}, {10, `{"t": "flr_\ud800"}`}, {11, `{"f": 100, "of": 100}`},
	} {
		f.Add(seed.op, []byte(seed.vars))
	}
	cfg, opts := testserver.Config(f)
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), opts...)
	require.NoError(f, err)
	f.Cleanup(func() { _ = a.Close() })
	token := fuzzLogin(f, a)

	f.Fuzz(func(t *testing.T, op uint8, vars []byte) {
		query := fuzzOperations[int(op)%len(fuzzOperations)]
		var variables any = json.RawMessage(vars)
		if !json.Valid(vars) {
			variables = string(vars) // not JSON: sent as a JSON string, which is not an object
		}
		body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		res := testserver.Read(t, rec.Result())

		require.Less(t, res.Status, 500, "%s with %s: %s", query, vars, res.Raw)
		testserver.CheckEnvelope(t, res)
		for _, e := range res.Body.Errors {
			require.Less(t, e.Extensions.Status, 500, "%s with %s: %s", query, vars, res.Raw)
		}
	})
}

// fuzzLogin signs the demo admin in through the handler.
func fuzzLogin(f *testing.F, a *app.App) string {
	body, err := json.Marshal(map[string]any{
		"query":     `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		"variables": map[string]any{"e": app.DemoAdminEmail, "p": a.DemoPassword},
	})
	require.NoError(f, err)
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	var out struct {
		Data struct{ Login struct{ AccessToken string } }
	}
	require.NoError(f, json.NewDecoder(rec.Body).Decode(&out))
	require.NotEmpty(f, out.Data.Login.AccessToken)
	return out.Data.Login.AccessToken
}
