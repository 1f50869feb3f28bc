package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

// BenchmarkRoundTrip measures one full HTTP round trip over loopback (client,
// keep-alive, request id, transport, engine, presenter, SQLite, JSON log line
// to io.Discard) for a success and for each error family. Figures:
// docs/benchmarks.md.
func BenchmarkRoundTrip(b *testing.B) {
	type bench struct {
		name, method, contentType, body string
		wantType                        string // "" for success
	}
	q := func(s string) string { return gql(s) }
	cases := []bench{
		{"success/products(first:5)", "POST", "application/json", q(`{ products(first: 5) { edges { cursor node { id name priceCents categories } } pageInfo { hasNextPage endCursor } } }`), ""},
		{"success/GET", "GET", "", "query=" + strings.ReplaceAll(`{products(first:5){edges{node{id}}}}`, " ", ""), ""},
		{"BAD_REQUEST/MALFORMED_REQUEST", "POST", "application/json", `{"query": `, "MALFORMED_REQUEST"},
		{"BAD_REQUEST/BODY_TOO_LARGE", "POST", "application/json", `{"query":"` + strings.Repeat(" ", 5000) + `{ __typename }"}`, "BODY_TOO_LARGE"},
		{"BAD_REQUEST/UNSUPPORTED_MEDIA_TYPE", "POST", "text/plain", q(`{ __typename }`), "UNSUPPORTED_MEDIA_TYPE"},
		{"BAD_REQUEST/METHOD_NOT_ALLOWED", "PUT", "application/json", q(`{ __typename }`), "METHOD_NOT_ALLOWED"},
		{"GRAPHQL_PARSE_FAILED/SYNTAX_ERROR", "POST", "application/json", q(`{ products { edges `), "SYNTAX_ERROR"},
		{"GRAPHQL_VALIDATION_FAILED/INVALID_QUERY", "POST", "application/json", q(`{ products { edges { nod } } }`), "INVALID_QUERY"},
		{"GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX", "POST", "application/json", q(`{ products(first: 100) { edges { node { id name priceCents categories createdAt banned } } } }`), "QUERY_TOO_COMPLEX"},
		{"BAD_USER_INPUT/INVALID_VARIABLES", "POST", "application/json", `{"query":"query($f: Int) { products(first: $f) { edges { cursor } } }","variables":{"f":"x"}}`, "INVALID_VARIABLES"},
		{"BAD_USER_INPUT/VALIDATION_FAILED", "POST", "application/json", q(`{ products(first: 500) { edges { cursor } } }`), "VALIDATION_FAILED"},
		{"BAD_USER_INPUT/INVALID_CURSOR", "POST", "application/json", q(`{ products(after: "nope") { edges { cursor } } }`), "INVALID_CURSOR"},
		{"NOT_FOUND/RESOURCE_NOT_FOUND", "POST", "application/json", q(`{ product(id: "nope") { id } }`), "RESOURCE_NOT_FOUND"},
	}
	run := func(b *testing.B, srv *httptest.Server, c bench) {
		client := srv.Client()
		target := srv.URL + "/query"
		if c.method == "GET" {
			target += "?" + c.body
		}
		do := func() []byte {
			req, _ := http.NewRequest(c.method, target, bytes.NewReader([]byte(c.body)))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			return body
		}
		body := do()
		if c.wantType == "" {
			require.NotContains(b, string(body), `"errors"`)
		} else {
			require.Contains(b, string(body), `"type":"`+c.wantType+`"`)
		}
		b.ReportAllocs()
		for b.Loop() {
			do()
		}
	}
	start := func(b *testing.B, opts ...testserver.Option) *httptest.Server {
		cfg, appOpts := testserver.Config(b, append(opts, testserver.Env("FAULTLINE_MAX_BODY_BYTES", "4096"), testserver.Env("FAULTLINE_MAX_COMPLEXITY", "500"))...)
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), appOpts...)
		require.NoError(b, err)
		srv := httptest.NewServer(a.Handler)
		b.Cleanup(func() { srv.Close(); _ = a.Close() })
		return srv
	}
	srv := start(b)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { run(b, srv, c) })
	}
	b.Run("INTERNAL_SERVER_ERROR/INTERNAL", func(b *testing.B) {
		faulty := start(b, withFault(func(context.Context) error { return errors.New("driver: broken pipe") }))
		run(b, faulty, bench{method: "POST", contentType: "application/json", body: q(`{ products { edges { cursor } } }`), wantType: "INTERNAL"})
	})
	b.Run("SERVICE_UNAVAILABLE/DATABASE_UNAVAILABLE", func(b *testing.B) {
		cfg, _ := testserver.Config(b)
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		require.NoError(b, err)
		closed := httptest.NewServer(a.Handler)
		defer closed.Close()
		require.NoError(b, a.DB.Close())
		run(b, closed, bench{method: "POST", contentType: "application/json", body: q(`{ products { edges { cursor } } }`), wantType: "DATABASE_UNAVAILABLE"})
	})
}
