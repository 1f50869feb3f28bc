package app_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
)

// TestTheRateLimitIsPerClientAddress: with FAULTLINE_RATE_LIMIT=2 a client
// address gets two requests a second; the third is RATE_LIMITED /
// TOO_MANY_REQUESTS with its own HTTP status and Retry-After, while another
// address and the health probes go on, and the bucket refills.
func TestTheRateLimitIsPerClientAddress(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_RATE_LIMIT", "2"))
	const query = `{ __typename }`

	for range 2 {
		res := srv.Query(t, query, nil)
		require.Equal(t, http.StatusOK, res.Status)
		require.Empty(t, res.Body.Errors, "%s", res.Raw)
	}
	refused := srv.Query(t, query, nil)
	e := refused.Error(t)
	assert.Equal(t, http.StatusTooManyRequests, refused.Status)
	assert.Equal(t, "RATE_LIMITED", e.Extensions.Code)
	assert.Equal(t, "TOO_MANY_REQUESTS", e.Extensions.Type)
	assert.Equal(t, map[string]any{"limit": float64(2)}, e.Extensions.Details)
	assert.Equal(t, 1, e.Extensions.RetryAfter, "half a second to the next token, rounded up")
	assert.Equal(t, strconv.Itoa(e.Extensions.RetryAfter), refused.Header.Get("Retry-After"))
	assert.False(t, refused.Body.HasData, "nothing of the request was read")

	health, err := srv.Client().Get(srv.URL + "/healthz")
	require.NoError(t, err)
	_ = health.Body.Close()
	assert.Equal(t, http.StatusOK, health.StatusCode, "probes are not limited")

	// Another loopback address is another client, with a bucket of its own.
	other := *srv.Client()
	other.Transport = &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/query?query="+url.QueryEscape(query), nil)
	require.NoError(t, err)
	res, err := other.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	time.Sleep(600 * time.Millisecond) // one token back at 2 a second
	again := srv.Query(t, query, nil)
	assert.Equal(t, http.StatusOK, again.Status)
	assert.Empty(t, again.Body.Errors, "%s", again.Raw)
}

// TestWithoutARateLimitNothingIsRefused: the limit is off unless set.
func TestWithoutARateLimitNothingIsRefused(t *testing.T) {
	srv := testserver.Start(t)
	for range 50 {
		res := srv.Query(t, `{ __typename }`, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	}
}
