package app_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
)

const appOrigin = "http://127.0.0.1:5173"

// preflight sends the OPTIONS a browser sends before a cross-origin POST.
func preflight(t *testing.T, srv *testserver.Server, origin string) *testserver.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, srv.URL+"/query", nil)
	require.NoError(t, err)
	return srv.Do(t, req, "Origin", origin, "Access-Control-Request-Method", "POST",
		// As browsers send it: lower case, sorted.
		"Access-Control-Request-Headers", "apollo-require-preflight,authorization,content-type,traceparent,x-request-id")
}

// assertCORS checks the headers a browser needs to hand an answer to the app.
func assertCORS(t *testing.T, res *testserver.Response, allowOrigin string) {
	t.Helper()
	assert.Equal(t, allowOrigin, res.Header.Get("Access-Control-Allow-Origin"), "status %d: %s", res.Status, res.Raw)
	assert.Contains(t, strings.Join(res.Header.Values("Vary"), ","), "Origin")
	exposed := strings.ToLower(strings.Join(res.Header.Values("Access-Control-Expose-Headers"), ","))
	for _, h := range []string{"x-request-id", "retry-after", "www-authenticate", "content-language"} {
		assert.Contains(t, exposed, h)
	}
}

// TestABrowserOnAnotherOriginGetsEveryAnswer: in development any origin is
// allowed; the preflight is answered, and every answer — data, field
// errors, request errors, 413, 415, 429, 503 while draining, 500 — carries
// the CORS headers, so the app reads the typed error instead of a network
// failure.
func TestABrowserOnAnotherOriginGetsEveryAnswer(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_MAX_BODY_BYTES", "2048"))

	pre := preflight(t, srv, appOrigin)
	assert.Equal(t, http.StatusNoContent, pre.Status)
	assert.Equal(t, "*", pre.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "POST", pre.Header.Get("Access-Control-Allow-Methods"))
	assert.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "authorization")
	assert.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "apollo-require-preflight")
	assert.Equal(t, "600", pre.Header.Get("Access-Control-Max-Age"))

	from := []string{"Origin", appOrigin, "Accept", acceptGraphQLResponse}
	cases := []struct {
		name   string
		send   func() *testserver.Response
		status int
		typ    string
	}{
		{"data", func() *testserver.Response { return srv.Query(t, `{ __typename }`, nil, from...) }, 200, ""},
		{"field error", func() *testserver.Response { return srv.Query(t, `{ me { id } }`, nil, from...) }, 200, "TOKEN_MISSING"},
		{"validation", func() *testserver.Response { return srv.Query(t, `{ nope }`, nil, from...) }, 422, "INVALID_QUERY"},
		{"syntax", func() *testserver.Response { return srv.Query(t, `{`, nil, from...) }, 400, "SYNTAX_ERROR"},
		{"413", func() *testserver.Response {
			return srv.Post(t, bytes.Repeat([]byte(" "), 4096), append([]string{"Content-Type", "application/json"}, from...)...)
		}, 413, "BODY_TOO_LARGE"},
		{"415", func() *testserver.Response {
			return srv.Post(t, []byte(`{}`), append([]string{"Content-Type", "text/plain"}, from...)...)
		}, 415, "UNSUPPORTED_MEDIA_TYPE"},
	}
	for _, c := range cases {
		res := c.send()
		assert.Equal(t, c.status, res.Status, "%s: %s", c.name, res.Raw)
		if c.typ != "" {
			assert.Equal(t, c.typ, res.Body.Errors[0].Extensions.Type, c.name)
		}
		assertCORS(t, res, "*")
	}

	srv.App.Gate.Close()
	draining := srv.Query(t, `{ __typename }`, nil, from...)
	assert.Equal(t, http.StatusServiceUnavailable, draining.Status)
	assert.Equal(t, "SHUTTING_DOWN", draining.Error(t).Extensions.Type)
	assertCORS(t, draining, "*")
}

func TestCORSOnTheRateLimitAndAServerError(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_RATE_LIMIT", "1"),
		withFault(func(context.Context) error { return errors.New("a driver fault") }))
	from := []string{"Origin", appOrigin, "Accept", acceptGraphQLResponse}
	broken := srv.Query(t, `{ products { edges { cursor } } }`, nil, from...)
	assert.Equal(t, "INTERNAL", broken.Error(t).Extensions.Type)
	assertCORS(t, broken, "*")
	limited := srv.Query(t, `{ __typename }`, nil, from...)
	assert.Equal(t, http.StatusTooManyRequests, limited.Status)
	assertCORS(t, limited, "*")
	assert.NotEmpty(t, limited.Header.Get("Retry-After"))
}

// TestOnlyTheConfiguredOriginsAreAllowed: in production with one origin
// configured, that origin gets its own name back; any other is
// ORIGIN_NOT_ALLOWED without CORS headers (so the browser blocks it), its
// preflight included; same-origin requests and requests without Origin are
// untouched.
func TestOnlyTheConfiguredOriginsAreAllowed(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_ENV", "production"),
		testserver.Env("FAULTLINE_JWT_SECRET", strings.Repeat("s", 32)),
		testserver.Env("FAULTLINE_CORS_ORIGINS", "https://app.example.com"))

	ok := srv.Query(t, `{ __typename }`, nil, "Origin", "https://app.example.com")
	require.Empty(t, ok.Body.Errors, "%s", ok.Raw)
	assertCORS(t, ok, "https://app.example.com")
	assert.Equal(t, "https://app.example.com", preflight(t, srv, "https://app.example.com").Header.Get("Access-Control-Allow-Origin"))

	for _, res := range []*testserver.Response{
		srv.Query(t, `{ __typename }`, nil, "Origin", "https://evil.example", "Accept", acceptGraphQLResponse),
		preflight(t, srv, "https://evil.example"),
	} {
		e := res.Error(t)
		assert.Equal(t, http.StatusForbidden, res.Status)
		assert.Equal(t, "FORBIDDEN", e.Extensions.Code)
		assert.Equal(t, "ORIGIN_NOT_ALLOWED", e.Extensions.Type)
		assert.Equal(t, "https://evil.example", e.Extensions.Details["origin"])
		assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
		assert.False(t, res.Body.HasData, "nothing ran")
	}

	same := srv.Query(t, `{ __typename }`, nil, "Origin", "http://"+strings.TrimPrefix(srv.URL, "http://"))
	require.Empty(t, same.Body.Errors, "the playground's own requests: %s", same.Raw)
	assert.Empty(t, same.Header.Get("Access-Control-Allow-Origin"))
	plain := srv.Query(t, `{ __typename }`, nil)
	require.Empty(t, plain.Body.Errors)
	assert.Empty(t, plain.Header.Get("Access-Control-Allow-Origin"))
}
