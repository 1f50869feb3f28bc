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
