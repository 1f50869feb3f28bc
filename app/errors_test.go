package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
	"github.com/faultline/faultline/shop"
)

const acceptGraphQLResponse = "application/graphql-response+json, application/json;q=0.9"

// request describes one HTTP request to /query.
type request struct {
	method  string // POST when empty
	body    string // JSON body for POST, or the raw query string for GET
	headers []string
}

func (rq request) send(t *testing.T, srv *testserver.Server, extra ...string) *testserver.Response {
	t.Helper()
	method := rq.method
	if method == "" {
		method = http.MethodPost
	}
	target := srv.URL + "/query"
	var body *bytes.Reader
	if method == http.MethodGet {
		target += "?" + rq.body
		body = bytes.NewReader(nil)
	} else {
		body = bytes.NewReader([]byte(rq.body))
	}
	req, err := http.NewRequest(method, target, body)
	require.NoError(t, err)
	headers := rq.headers
	if headers == nil && method == http.MethodPost {
		headers = []string{"Content-Type", "application/json"}
	}
	return srv.Do(t, req, append(headers, extra...)...)
}

func gql(query string) string {
	b := new(strings.Builder)
	b.WriteString(`{"query":`)
	b.WriteString(quote(query))
	b.WriteString(`}`)
	return b.String()
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// TestRequestErrors drives every error that stops a request before
// execution and checks the envelope, the catalog's code/type/status, the
// absence of data, and the HTTP status under each content type and mode.
func TestRequestErrors(t *testing.T) {
	bigBody := `{"query":"{ products { edges { cursor } } }","variables":{"pad":"` + strings.Repeat("x", 2048) + `"}}`
	cases := []struct {
		name     string
		req      request
		code     string
		typ      string
		status   int    // extensions.status and the graphql-response+json status
		legacy   int    // the HTTP status for an application/json client
		detail   string // a details key to check
		expected any    // its value
	}{
		// The HTTP layer: not a GraphQL request at all; always its own status.
		{"body is not JSON", request{body: `{"query": "{ products`}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "invalid_json"},
		{"no query", request{body: `{"variables": {}}`}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "missing_query"},
		{"empty body", request{body: ``}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "invalid_json"},
		{"null body", request{body: `null`}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "missing_query"},
		{"query not a string", request{body: `{"query": 42}`}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "wrong_type"},
		{"variables not an object", request{body: `{"query": "{ products { edges { cursor } } }", "variables": [1]}`}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "wrong_type"},
		{"a batch", request{body: `[{"query": "{ products { edges { cursor } } }"}]`}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "", nil},
		{"trailing garbage", request{body: `{"query": "{ products { edges { cursor } } }"} {}`}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "several_values"},
		{"GET without query", request{method: "GET", body: "operationName=X"}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "missing_query"},
		{"GET with bad variables", request{method: "GET", body: "query=" + url.QueryEscape("{ products { edges { cursor } } }") + "&variables=%7Bnope"}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "wrong_type"},
		{"body over the limit", request{body: bigBody}, "BAD_REQUEST", "BODY_TOO_LARGE", 413, 413, "limit", float64(1024)},
		{"text/plain", request{body: gql("{ products { edges { cursor } } }"), headers: []string{"Content-Type", "text/plain"}}, "BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE", 415, 415, "supported", []any{"application/json"}},
		{"no content type", request{body: gql("{ products { edges { cursor } } }"), headers: []string{}}, "BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE", 415, 415, "", nil},
		{"form post", request{body: "query=x", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}}, "BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE", 415, 415, "", nil},
		{"PUT", request{method: "PUT", body: gql("{ products { edges { cursor } } }")}, "BAD_REQUEST", "METHOD_NOT_ALLOWED", 405, 405, "method", "PUT"},
		{"DELETE", request{method: "DELETE"}, "BAD_REQUEST", "METHOD_NOT_ALLOWED", 405, 405, "allowed", []any{"GET", "POST"}},
		{"mutation over GET", request{method: "GET", body: "query=" + url.QueryEscape(`mutation { logout(refreshToken: "x") }`)}, "BAD_REQUEST", "METHOD_NOT_ALLOWED", 405, 405, "allowed", []any{"POST"}},
		{"named mutation over GET", request{method: "GET", body: "operationName=M&query=" + url.QueryEscape(`query Q { products { edges { cursor } } } mutation M { logout(refreshToken: "x") }`)}, "BAD_REQUEST", "METHOD_NOT_ALLOWED", 405, 405, "method", "GET"},
		{"a subscription without a stream", request{body: gql("subscription { walletUpdated { currency } }")}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "subscription"},
		{"a subscription over GET", request{method: "GET", body: "query=" + url.QueryEscape(`subscription { walletUpdated { currency } }`)}, "BAD_REQUEST", "MALFORMED_REQUEST", 400, 400, "reason", "subscription"},

		// The parser.
		{"syntax error", request{body: gql("{ products { edges { cursor } }")}, "GRAPHQL_PARSE_FAILED", "SYNTAX_ERROR", 400, 200, "", nil},
		{"syntax error over GET", request{method: "GET", body: "query=" + url.QueryEscape("{ products(")}, "GRAPHQL_PARSE_FAILED", "SYNTAX_ERROR", 400, 200, "", nil},
		{"empty document", request{body: gql("# only a comment")}, "GRAPHQL_PARSE_FAILED", "SYNTAX_ERROR", 400, 200, "", nil},

		// The validator.
		{"unknown field", request{body: gql("{ products { edges { nod } } }")}, "GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422, 200, "rule", "FieldsOnCorrectType"},
		{"missing argument", request{body: gql("{ product { id } }")}, "GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422, 200, "rule", "ProvidedRequiredArguments"},
		{"wrong literal type", request{body: gql(`{ products(first: "ten") { edges { cursor } } }`)}, "GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422, 200, "rule", "ValuesOfCorrectType"},
		{"unknown subscription field", request{body: gql("subscription { anything }")}, "GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422, 200, "rule", "FieldsOnCorrectType"},
		{"two subscription fields", request{body: gql(`subscription { walletUpdated { currency } orderUpdated(id: "x") { id } }`)}, "GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422, 200, "rule", "SingleFieldSubscriptions"},
		{"unknown operation name", request{body: `{"query": "query A { products { edges { cursor } } }", "operationName": "B"}`}, "GRAPHQL_VALIDATION_FAILED", "OPERATION_NOT_FOUND", 422, 200, "operationName", "B"},
		{"several operations, none named", request{body: gql("query A { products { edges { cursor } } } query B { products { edges { cursor } } }")}, "GRAPHQL_VALIDATION_FAILED", "OPERATION_NOT_FOUND", 422, 200, "operationName", ""},

		// Variable coercion.
		{"variable of the wrong type", request{body: `{"query": "query($f: Int) { products(first: $f) { edges { cursor } } }", "variables": {"f": "ten"}}`}, "BAD_USER_INPUT", "INVALID_VARIABLES", 422, 200, "variable", "f"},
		{"required variable missing", request{body: `{"query": "query($id: ID!) { product(id: $id) { id } }"}`}, "BAD_USER_INPUT", "INVALID_VARIABLES", 422, 200, "variable", "id"},
		{"required variable null", request{body: `{"query": "query($id: ID!) { product(id: $id) { id } }", "variables": {"id": null}}`}, "BAD_USER_INPUT", "INVALID_VARIABLES", 422, 200, "variable", "id"},

		// The limits (lowered for this server: depth 3, complexity 100).
		{"too deep", request{body: gql("{ products { edges { node { categories } } } products2: products { pageInfo { hasNextPage } } }")}, "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_DEEP", 422, 200, "actual", float64(4)},
		{"too complex", request{body: gql("{ products(first: 30) { pageInfo { hasNextPage } edges { cursor } } }")}, "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX", 422, 200, "actual", float64(120)},
	}

	graphqlMode := testserver.Start(t,
		testserver.Env("FAULTLINE_MAX_BODY_BYTES", "1024"),
		testserver.Env("FAULTLINE_MAX_DEPTH", "3"),
		testserver.Env("FAULTLINE_MAX_COMPLEXITY", "100"),
	)
	strictMode := testserver.Start(t,
		testserver.Env("FAULTLINE_MAX_BODY_BYTES", "1024"),
		testserver.Env("FAULTLINE_MAX_DEPTH", "3"),
		testserver.Env("FAULTLINE_MAX_COMPLEXITY", "100"),
		testserver.Env("FAULTLINE_HTTP_STATUS", "strict"),
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check := func(res *testserver.Response, httpStatus int, contentType string) {
				t.Helper()
				e := res.Error(t)
				assert.Equal(t, c.code, e.Extensions.Code)
				assert.Equal(t, c.typ, e.Extensions.Type)
				assert.Equal(t, c.status, e.Extensions.Status)
				assert.Equal(t, httpStatus, res.Status, "HTTP status; body %s", res.Raw)
				assert.Equal(t, contentType+"; charset=utf-8", res.Header.Get("Content-Type"))
				assert.False(t, res.Body.HasData, "a request error has no data key: %s", res.Raw)
				assert.Empty(t, e.Path, "a request error has no path")
				if c.detail != "" {
					assert.Equal(t, c.expected, e.Extensions.Details[c.detail], "details.%s", c.detail)
				}
			}
			check(c.req.send(t, graphqlMode), c.legacy, "application/json")
			check(c.req.send(t, graphqlMode, "Accept", "application/json"), c.legacy, "application/json")
			check(c.req.send(t, graphqlMode, "Accept", acceptGraphQLResponse), c.status, "application/graphql-response+json")
			check(c.req.send(t, strictMode), c.status, "application/json")
		})
	}
}

func TestLimitDetailsAndIntrospectionDoNotCountTowardDepth(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_MAX_DEPTH", "3"), testserver.Env("FAULTLINE_MAX_COMPLEXITY", "100"))

	res := srv.Query(t, `{ products(first: 30) { pageInfo { hasNextPage } edges { cursor } } }`, nil)
	e := res.Error(t)
	assert.Equal(t, map[string]any{"limit": float64(100), "actual": float64(120)}, e.Extensions.Details)
	assert.Equal(t, "The query has complexity 120, over the limit of 100", e.Message)

	res = srv.Query(t, `{ products { edges { node { id } } } }`, nil)
	e = res.Error(t)
	assert.Equal(t, map[string]any{"limit": float64(3), "actual": float64(4)}, e.Extensions.Details)

	// Through fragments, the same depth.
	res = srv.Query(t, `query { ...Q } fragment Q on Query { products { ...C } } fragment C on ProductConnection { edges { node { id } } }`, nil)
	assert.Equal(t, "QUERY_TOO_DEEP", res.Error(t).Extensions.Type)

	// An introspection query far deeper than 3 passes: introspection fields do not count.
	res = srv.Query(t, `{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }`, nil)
	assert.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Contains(t, string(res.Body.Data["__schema"]), `"ErrorType"`)
}

func TestDefaultLimitsAllowTheLargestPage(t *testing.T) {
	srv := testserver.Start(t)
	res := srv.Query(t, `{ products(first: 100) { edges { cursor node { id name priceCents categories banned createdAt } } pageInfo { hasNextPage endCursor } } }`, nil)
	assert.Empty(t, res.Body.Errors, "%s", res.Raw)
}

func TestExponentialFragmentsAreCostedOnce(t *testing.T) {
	// Each fragment spreads the next one twice: 2^20 expansions if walked
	// naively. The walker computes each fragment once.
	var b strings.Builder
	b.WriteString("{ ...F0 } ")
	for i := 0; i < 20; i++ {
		b.WriteString("fragment F" + strconv.Itoa(i) + " on Query { ...F" + strconv.Itoa(i+1) + " ...F" + strconv.Itoa(i+1) + " } ")
	}
	b.WriteString("fragment F20 on Query { products(first: 1) { edges { cursor } } }")
	srv := testserver.Start(t)
	res := srv.Query(t, b.String(), nil)
	// The fragments overlap, so the query is valid and costs 2 × 2^20: too complex.
	e := res.Error(t)
	assert.Equal(t, "QUERY_TOO_COMPLEX", e.Extensions.Type)
}

func TestIntrospectionCanBeTurnedOff(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_INTROSPECTION", "false"))
	res := srv.Query(t, `{ __schema { queryType { name } } }`, nil, "Accept", acceptGraphQLResponse)
	e := res.Error(t)
	assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", e.Extensions.Code)
	assert.Equal(t, "INVALID_QUERY", e.Extensions.Type)
	assert.Equal(t, "NoSchemaIntrospection", e.Extensions.Details["rule"])
	assert.Equal(t, 422, res.Status)

	res = srv.Query(t, `{ __typename products(first: 1) { __typename } }`, nil)
	assert.Empty(t, res.Body.Errors, "__typename stays allowed: %s", res.Raw)
}

// faultyProducts is a product store with an injected fault: used only for
// faults that cannot be caused for real (a bug that panics, a driver error
// that leaks text, a query slower than the deadline).
type faultyProducts struct {
	shop.ProductStore
	fault func(ctx context.Context) error
}

func (f faultyProducts) ListProducts(ctx context.Context, filter shop.ProductFilter, after string, limit int) ([]shop.Product, error) {
	if err := f.fault(ctx); err != nil {
		return nil, err
	}
	return f.ProductStore.ListProducts(ctx, filter, after, limit)
}

func withFault(fault func(ctx context.Context) error) testserver.Option {
	return testserver.With(func(w *app.Wiring) {
		w.Products = faultyProducts{ProductStore: w.Products, fault: fault}
	})
}

func TestPanicInAResolverIsInternalAndLoggedWithItsStack(t *testing.T) {
	srv := testserver.Start(t, withFault(func(context.Context) error {
		var m map[string]int
		m["boom"]++ // a real nil-map panic
		return nil
	}))
	res := srv.Query(t, `{ products { edges { cursor } } product(id: "nope") { id } }`, nil)
	testserver.CheckEnvelope(t, res)
	require.Len(t, res.Body.Errors, 2, "%s", res.Raw)
	var internal testserver.Error
	for _, e := range res.Body.Errors {
		if e.Extensions.Type == "INTERNAL" {
			internal = e
		}
	}
	assert.Equal(t, "INTERNAL_SERVER_ERROR", internal.Extensions.Code)
	assert.Equal(t, 500, internal.Extensions.Status)
	assert.Equal(t, "Internal server error", internal.Message)
	assert.Equal(t, []any{"products"}, internal.Path)
	assert.Nil(t, internal.Extensions.Details)
	assert.NotContains(t, string(res.Raw), "nil map")
	assert.Equal(t, http.StatusOK, res.Status, "one failed field is partial data")

	lines := srv.Logs.For(internal.Extensions.RequestID)
	var logged map[string]any
	for _, l := range lines {
		if l["msg"] == "server error" {
			logged = l
		}
	}
	require.NotNil(t, logged, "the panic is logged under the request id: %v", lines)
	assert.Equal(t, "ERROR", logged["level"])
	errAttrs := logged["error"].(map[string]any)
	assert.Equal(t, "INTERNAL", errAttrs["type"])
	assert.Contains(t, errAttrs["cause"], "assignment to entry in nil map")
	assert.Contains(t, errAttrs["stack"], "errors_test.go", "the stack points at the panicking code")
	assert.Equal(t, "products", logged["path"])
}

func TestForeignErrorsAreInternalAndNeverLeak(t *testing.T) {
	secret := `pq: relation "users_secret" does not exist (SQLSTATE 42P01) at /srv/faultline/store.go:42`
	srv := testserver.Start(t, withFault(func(context.Context) error { return errors.New(secret) }))
	res := srv.Query(t, `{ products { edges { cursor } } }`, nil, "Accept", acceptGraphQLResponse)
	e := res.Error(t)
	assert.Equal(t, "INTERNAL", e.Extensions.Type)
	assert.Equal(t, "Internal server error", e.Message)
	assert.NotContains(t, string(res.Raw), "users_secret")
	assert.NotContains(t, string(res.Raw), "store.go")
	assert.Equal(t, http.StatusOK, res.Status, "execution errors keep 200")

	var cause string
	for _, l := range srv.Logs.For(e.Extensions.RequestID) {
		if l["msg"] == "server error" {
			cause, _ = l["error"].(map[string]any)["cause"].(string)
		}
	}
	assert.Equal(t, secret, cause, "the cause is in the log")
}

func TestRequestDeadline(t *testing.T) {
	slow := withFault(func(ctx context.Context) error {
		<-ctx.Done() // as a driver does: the query runs until the context ends
		return ctx.Err()
	})
	for _, mode := range []struct {
		name   string
		strict string
		status int
	}{{"graphql", "graphql", http.StatusOK}, {"strict", "strict", http.StatusGatewayTimeout}} {
		t.Run(mode.name, func(t *testing.T) {
			srv := testserver.Start(t, slow,
				testserver.Env("FAULTLINE_REQUEST_TIMEOUT", "50ms"),
				testserver.Env("FAULTLINE_HTTP_STATUS", mode.strict))
			res := srv.Query(t, `{ products { edges { cursor } } }`, nil)
			e := res.Error(t)
			assert.Equal(t, "TIMEOUT", e.Extensions.Code)
			assert.Equal(t, "DEADLINE_EXCEEDED", e.Extensions.Type)
			assert.Equal(t, 504, e.Extensions.Status)
			assert.Equal(t, []any{"products"}, e.Path)
			assert.Equal(t, mode.status, res.Status)
		})
	}
}

func TestStrictModeMirrorsWholeOperationFailuresOnly(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_HTTP_STATUS", "strict"))

	res := srv.Query(t, `{ product(id: "nope") { id } }`, nil)
	assert.Equal(t, "RESOURCE_NOT_FOUND", res.Error(t).Extensions.Type)
	assert.Equal(t, http.StatusNotFound, res.Status, "every root field null with an error")

	res = srv.Query(t, `{ product(id: "nope") { id } products(first: 1) { edges { cursor } } }`, nil)
	testserver.CheckEnvelope(t, res)
	assert.Len(t, res.Body.Errors, 1)
	assert.Equal(t, http.StatusOK, res.Status, "partial data stays 200")

	res = srv.Query(t, `{ a: product(id: "x") { id } b: products(first: 0) { edges { cursor } } }`, nil)
	testserver.CheckEnvelope(t, res)
	require.Len(t, res.Body.Errors, 2)
	assert.Equal(t, res.Body.Errors[0].Extensions.Status, res.Status, "the first error's status")

	res = srv.Query(t, `{ products(first: 1) { edges { cursor } } }`, nil)
	assert.Equal(t, http.StatusOK, res.Status)
	assert.Empty(t, res.Body.Errors)
}

func TestDatabaseClosedIsUnavailableWithRetryAfter(t *testing.T) {
	srv := testserver.Start(t)
	ready, err := http.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	ready.Body.Close()
	assert.Equal(t, http.StatusOK, ready.StatusCode)

	require.NoError(t, srv.App.DB.Close())

	res := srv.Query(t, `{ products { edges { cursor } } }`, nil, "Accept", acceptGraphQLResponse)
	e := res.Error(t)
	assert.Equal(t, "SERVICE_UNAVAILABLE", e.Extensions.Code)
	assert.Equal(t, "DATABASE_UNAVAILABLE", e.Extensions.Type)
	assert.Equal(t, 503, e.Extensions.Status)
	assert.Equal(t, 2, e.Extensions.RetryAfter)
	assert.Equal(t, "2", res.Header.Get("Retry-After"), "every error has retryAfter and no root field has data")
	assert.Equal(t, http.StatusOK, res.Status)

	ready, err = http.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	ready.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, ready.StatusCode)

	// With data beside it, no Retry-After: the response is not a refusal.
	res = srv.Query(t, `{ products { edges { cursor } } __typename }`, nil)
	assert.Equal(t, "DATABASE_UNAVAILABLE", res.Error(t).Extensions.Type)
	assert.Empty(t, res.Header.Get("Retry-After"))
}

func TestRequestIDs(t *testing.T) {
	srv := testserver.Start(t)
	for _, c := range []struct {
		incoming string
		honoured bool
	}{
		{"abc-123_X.y", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"has space", false},
		{"semi;colon", false},
		{"ünïcode", false},
		{"", false},
	} {
		res := srv.Query(t, `{ product(id: "x") { id } }`, nil, "X-Request-ID", c.incoming)
		id := res.Header.Get("X-Request-ID")
		e := res.Error(t) // checks requestId == header
		if c.honoured {
			assert.Equal(t, c.incoming, id)
		} else {
			assert.NotEqual(t, c.incoming, id)
			assert.Len(t, id, 16)
		}
		assert.Equal(t, id, e.Extensions.RequestID)
		assert.NotEmpty(t, srv.Logs.For(id), "the request's log line carries its id")
	}

	a := srv.Query(t, `{ product(id: "x") { id } }`, nil).Header.Get("X-Request-ID")
	b := srv.Query(t, `{ product(id: "x") { id } }`, nil).Header.Get("X-Request-ID")
	assert.NotEqual(t, a, b)

	for _, path := range []string{"/healthz", "/readyz", "/"} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Len(t, res.Header.Get("X-Request-ID"), 16, path)
	}
}

func TestRequestLogLine(t *testing.T) {
	srv := testserver.Start(t)
	res := srv.Query(t, `query Lookup { product(id: "x") { id } }`, nil, "X-Request-ID", "log-line-test")
	require.Equal(t, "log-line-test", res.Header.Get("X-Request-ID"))
	var line map[string]any
	for _, l := range srv.Logs.For("log-line-test") {
		if l["msg"] == "graphql" {
			line = l
		}
	}
	require.NotNil(t, line)
	assert.Equal(t, "WARN", line["level"], "4xx errors log at warn")
	assert.Equal(t, "Lookup", line["operation"])
	assert.Equal(t, "NOT_FOUND/RESOURCE_NOT_FOUND", line["errors"])
	assert.Equal(t, float64(200), line["status"])

	srv.Query(t, `{ products(first: 1) { edges { cursor } } }`, nil, "X-Request-ID", "ok-line")
	lines := srv.Logs.For("ok-line")
	require.Len(t, lines, 1)
	assert.Equal(t, "INFO", lines[0]["level"])
	assert.NotContains(t, lines[0], "errors")
}

// TestConstraintsAreVisibleThroughIntrospection: the @constraint
// declarations show in the descriptions clients and the playground read.
func TestConstraintsAreVisibleThroughIntrospection(t *testing.T) {
	srv := testserver.Start(t)
	res := srv.Query(t, `{ __type(name: "Query") { fields { name args { name description } } }
		input: __type(name: "RegisterInput") { inputFields { name description } } }`, nil)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Contains(t, string(res.Raw), `"name":"first","description":"Constraint: min 1, max 100."`)
	assert.Contains(t, string(res.Raw), `Constraint: format \"email\", maxLength 254.`)
	assert.Contains(t, string(res.Raw), `All characters count.\n\nConstraint: minLength 8, maxLength 128.`)
}

// TestAResponseCarriesAtMost100Errors: as graphql-js and graphql-java, a
// response holds at most 100 errors; the rest are counted in one final
// TOO_MANY_ERRORS, whichever stage made them.
func TestAResponseCarriesAtMost100Errors(t *testing.T) {
	srv := testserver.Start(t)
	aliases := func(n int, field string) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: %s ", i, field)
		}
		b.WriteString("}")
		return b.String()
	}
	cases := []struct {
		name, query, wantType string
		n                     int
		executed              bool
	}{
		{"resolver errors", aliases(150, `product(id: "no-such-product") { id }`), "RESOURCE_NOT_FOUND", 150, true},
		{"validation errors", aliases(1000, "noSuchField"), "INVALID_QUERY", 1000, false},
		{"exactly the limit", aliases(100, `product(id: "no-such-product") { id }`), "RESOURCE_NOT_FOUND", 100, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := srv.Query(t, c.query, nil)
			testserver.CheckEnvelope(t, res)
			errs := res.Body.Errors
			if c.n <= 100 {
				require.Len(t, errs, c.n)
			} else {
				require.Len(t, errs, 101)
			}
			for _, e := range errs[:100] {
				assert.Equal(t, c.wantType, e.Extensions.Type)
			}
			if c.executed {
				assert.Len(t, res.Body.Data, c.n, "every field keeps its place in data")
			}
			if c.n <= 100 {
				return
			}
			last := errs[100].Extensions
			assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", last.Code)
			assert.Equal(t, "TOO_MANY_ERRORS", last.Type)
			assert.Equal(t, map[string]any{"limit": float64(100), "omitted": float64(c.n - 100)}, last.Details)
			assert.Equal(t, fmt.Sprintf("%d more errors were omitted: a response carries at most 100", c.n-100), errs[100].Message)
		})
	}
}
