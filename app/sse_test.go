package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/streamtest"
	"github.com/faultline/faultline/internal/testserver"
)

// TestSubscriptionsOverSSE: graphql-sse's distinct connections mode at
// /query: the current state, then every change, each a next event; the
// Authorization header signs in; the typed errors arrive in next events,
// then complete.
func TestSubscriptionsOverSSE(t *testing.T) {
	srv := testserver.Start(t)
	user := newShopper(t, srv, "sse@example.com")

	s := streamtest.Stream(t, srv.URL, walletUpdated, nil, bearer(user.token)...)
	assert.Equal(t, http.StatusOK, s.Response.StatusCode)
	assert.Contains(t, s.Response.Header.Get("Content-Type"), "text/event-stream")
	assert.NotEmpty(t, s.Response.Header.Get("X-Request-ID"))
	var w wallet
	m := s.Next(t)
	require.Equal(t, "next", m.Type)
	require.NoError(t, json.Unmarshal(s.Result(t, m).Body.Data["walletUpdated"], &w))
	assert.Equal(t, 0, w.BalanceCents)
	user.topUp(1234)
	m = s.Next(t)
	require.Equal(t, "next", m.Type)
	require.NoError(t, json.Unmarshal(s.Result(t, m).Body.Data["walletUpdated"], &w))
	assert.Equal(t, 1234, w.BalanceCents)

	// No token: TOKEN_MISSING, worded for the header, then complete.
	anon := streamtest.Stream(t, srv.URL, walletUpdated, nil)
	m = anon.Next(t)
	require.Equal(t, "next", m.Type)
	res := anon.Result(t, m)
	require.Len(t, res.Body.Errors, 1)
	assert.Equal(t, "TOKEN_MISSING", res.Body.Errors[0].Extensions.Type)
	assert.Contains(t, res.Body.Errors[0].Message, "Authorization header")
	assert.Equal(t, "complete", anon.Next(t).Type)

	// Validation: the envelope, then complete.
	bad := streamtest.Stream(t, srv.URL, `subscription { walletUpdated { nope } }`, nil, bearer(user.token)...)
	m = bad.Next(t)
	require.Equal(t, "next", m.Type)
	assert.Equal(t, "INVALID_QUERY", bad.Result(t, m).Body.Errors[0].Extensions.Type)
	assert.Equal(t, "complete", bad.Next(t).Type)

	// A query streams its one result.
	q := streamtest.Stream(t, srv.URL, `{ me { id } }`, nil, bearer(user.token)...)
	m = q.Next(t)
	assert.Contains(t, string(m.Payload), user.id)
	assert.Equal(t, "complete", q.Next(t).Type)
}

// TestSSERefusals: what a POST would be refused for is refused the same way
// before the stream starts, in the envelope over plain HTTP, with its own
// status.
func TestSSERefusals(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_MAX_BODY_BYTES", "256"))
	for _, c := range []struct {
		name    string
		body    string
		headers []string
		status  int
		typ     string
	}{
		{"not JSON", `{"query":`, nil, 400, "MALFORMED_REQUEST"},
		{"a batch", `[{"query":"subscription { walletUpdated { currency } }"}]`, nil, 400, "MALFORMED_REQUEST"},
		{"no query", `{}`, nil, 400, "MALFORMED_REQUEST"},
		{"too large", `{"query":"` + strings.Repeat(" ", 300) + `{ products { edges { cursor } } }"}`, nil, 413, "BODY_TOO_LARGE"},
		{"text/plain", `{"query":"{ products { edges { cursor } } }"}`, []string{"Content-Type", "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/query", strings.NewReader(c.body))
			require.NoError(t, err)
			req.Header.Set("Accept", "text/event-stream")
			req.Header.Set("Content-Type", "application/json")
			for i := 0; i+1 < len(c.headers); i += 2 {
				req.Header.Set(c.headers[i], c.headers[i+1])
			}
			res := srv.Do(t, req)
			assert.Equal(t, c.status, res.Status)
			assert.Equal(t, c.typ, res.Error(t).Extensions.Type)
		})
	}
	srv.App.Gate.Close()
	s := streamtest.Stream(t, srv.URL, walletUpdated, nil)
	assert.Equal(t, 503, s.Response.StatusCode)
	assert.Equal(t, "1", s.Response.Header.Get("Retry-After"))
	res := testserver.Read(t, s.Response)
	assert.Equal(t, "SHUTTING_DOWN", res.Error(t).Extensions.Type)
}
