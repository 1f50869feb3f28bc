package app_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

// queryVia sends a GraphQL request to srv from the loopback address
// 127.0.0.x with the X-Forwarded-For header values forwarded (none when
// empty), as a proxy at that address would.
func queryVia(t *testing.T, srv *testserver.Server, x byte, query string, vars map[string]any, forwarded ...string) *testserver.Response {
	t.Helper()
	body, err := json.Marshal(testserver.Request{Query: query, Variables: vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for _, f := range forwarded {
		req.Header.Add("X-Forwarded-For", f)
	}
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, x)}}).DialContext,
	}}
	res, err := client.Do(req)
	require.NoError(t, err)
	return testserver.Read(t, res)
}

// admitted reports whether a request went through the rate limit.
func admitted(t *testing.T, res *testserver.Response) bool {
	t.Helper()
	if res.Status == http.StatusTooManyRequests {
		assert.Equal(t, "TOO_MANY_REQUESTS", res.Error(t).Extensions.Type)
		return false
	}
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	return true
}

// TestTheRateLimitKeysOnTheClientATrustedProxyForwards: behind the proxy
// 127.0.0.2 (FAULTLINE_TRUSTED_PROXIES), each forwarded client has a bucket
// of its own, and the proxy's own requests another; hops a client wrote to
// the left of what the proxy appended are ignored.
func TestTheRateLimitKeysOnTheClientATrustedProxyForwards(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_RATE_LIMIT", "2"), testserver.Env("FAULTLINE_TRUSTED_PROXIES", "127.0.0.2/32"))
	const q = `{ __typename }`

	assert.True(t, admitted(t, queryVia(t, srv, 2, q, nil, "198.51.100.1")))
	assert.True(t, admitted(t, queryVia(t, srv, 2, q, nil, "198.51.100.1")))
	assert.False(t, admitted(t, queryVia(t, srv, 2, q, nil, "198.51.100.1")), "198.51.100.1 has spent its two")

	assert.True(t, admitted(t, queryVia(t, srv, 2, q, nil, "198.51.100.2")), "another forwarded client, another bucket")
	assert.True(t, admitted(t, queryVia(t, srv, 2, q, nil)), "the proxy's own requests are its own")

	assert.False(t, admitted(t, queryVia(t, srv, 2, q, nil, "203.0.113.50, 198.51.100.1")),
		"a spoofed left-most hop does not give 198.51.100.1 a fresh bucket")
	assert.False(t, admitted(t, queryVia(t, srv, 2, q, nil, "203.0.113.51", "198.51.100.1")),
		"nor does one in an earlier header line")
	assert.True(t, admitted(t, queryVia(t, srv, 2, q, nil, "198.51.100.1, 198.51.100.3")),
		"the rightmost untrusted hop is the client")
}

// TestAnUntrustedPeersForwardedForChangesNothing: 127.0.0.3 is not a
// trusted proxy, so its X-Forwarded-For, however it varies, is ignored:
// it is one client with one bucket; without FAULTLINE_TRUSTED_PROXIES the
// same holds for every peer.
func TestAnUntrustedPeersForwardedForChangesNothing(t *testing.T) {
	for _, trusted := range []string{"127.0.0.2/32", ""} {
		srv := testserver.Start(t, testserver.Env("FAULTLINE_RATE_LIMIT", "2"), testserver.Env("FAULTLINE_TRUSTED_PROXIES", trusted))
		const q = `{ __typename }`
		assert.True(t, admitted(t, queryVia(t, srv, 3, q, nil, "198.51.100.1")), "trusted %q", trusted)
		assert.True(t, admitted(t, queryVia(t, srv, 3, q, nil, "198.51.100.2")), "trusted %q", trusted)
		assert.False(t, admitted(t, queryVia(t, srv, 3, q, nil, "198.51.100.3")), "trusted %q: 127.0.0.3 spent its two", trusted)
		assert.False(t, admitted(t, queryVia(t, srv, 3, q, nil)), "trusted %q", trusted)
		assert.True(t, admitted(t, queryVia(t, srv, 4, q, nil, "198.51.100.3")), "trusted %q: 127.0.0.4 is another client", trusted)
	}
}

// TestTheLoginThrottleKeysOnTheForwardedClient: a failed login through the
// trusted proxy counts for the forwarded client's address; through an
// untrusted peer, for that peer, whatever it forwards.
func TestTheLoginThrottleKeysOnTheForwardedClient(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_TRUSTED_PROXIES", "127.0.0.2"))
	vars := map[string]any{"e": app.DemoUserEmail, "p": "wrong-password"}

	res := queryVia(t, srv, 2, loginQuery, vars, "198.51.100.7")
	require.Equal(t, "INVALID_CREDENTIALS", res.Error(t).Extensions.Type)
	assert.Equal(t, 1, hits(t, srv, "login:client:198.51.100.7"))
	assert.Equal(t, 1, hits(t, srv, "login:pair:"+app.DemoUserEmail+"|198.51.100.7"))
	assert.Zero(t, hits(t, srv, "login:client:127.0.0.2"), "the proxy is not the client")

	res = queryVia(t, srv, 3, loginQuery, vars, "198.51.100.7")
	require.Equal(t, "INVALID_CREDENTIALS", res.Error(t).Extensions.Type)
	assert.Equal(t, 1, hits(t, srv, "login:client:127.0.0.3"), "an untrusted peer is its own client")
	assert.Equal(t, 1, hits(t, srv, "login:client:198.51.100.7"), "and cannot charge another address")
}
