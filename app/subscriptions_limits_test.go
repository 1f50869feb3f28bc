package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/streamtest"
	"github.com/faultline/faultline/internal/testserver"
	"github.com/faultline/faultline/shop"
)

// TestSubscriptionLimits: past FAULTLINE_WS_MAX_SUBSCRIPTIONS on one
// connection, or FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER for one user over
// every connection and stream, a subscription is refused with
// TOO_MANY_SUBSCRIPTIONS naming the limit and its scope; ending one makes
// room again.
func TestSubscriptionLimits(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_WS_MAX_SUBSCRIPTIONS", "2"),
		testserver.Env("FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER", "3"))
	user := newShopper(t, srv, "busy@example.com")
	var w wallet

	c := connect(t, srv, user.token)
	for _, id := range []string{"1", "2"} {
		c.Subscribe(id, walletUpdated, nil)
		next(t, c, id, "walletUpdated", &w)
	}
	typ, e := refused(t, c, subscribeTo(c, "3", walletUpdated, nil))
	assert.Equal(t, "error", typ)
	assert.Equal(t, "RATE_LIMITED", e.Extensions.Code)
	assert.Equal(t, "TOO_MANY_SUBSCRIPTIONS", e.Extensions.Type)
	assert.Equal(t, 429, e.Extensions.Status)
	assert.Equal(t, map[string]any{"limit": float64(2), "scope": "connection"}, e.Extensions.Details)
	assert.Positive(t, e.Extensions.RetryAfter)

	c.Complete("1")
	done := c.Next()
	require.Equal(t, kind("1", "complete"), kind(done.ID, done.Type))
	c.Subscribe("3", walletUpdated, nil)
	next(t, c, "3", "walletUpdated", &w)

	// The user's third stream, on another connection, fills their share;
	// the fourth, even over SSE, is refused.
	other := connect(t, srv, user.token)
	other.Subscribe("a", walletUpdated, nil)
	next(t, other, "a", "walletUpdated", &w)
	other.Subscribe("b", walletUpdated, nil)
	typ, e = refused(t, other, "b")
	assert.Equal(t, "next", typ)
	assert.Equal(t, "TOO_MANY_SUBSCRIPTIONS", e.Extensions.Type)
	assert.Equal(t, map[string]any{"limit": float64(3), "scope": "user"}, e.Extensions.Details)
	assert.Equal(t, []any{"walletUpdated"}, e.Path)

	s := streamtest.Stream(t, srv.URL, walletUpdated, nil, bearer(user.token)...)
	m := s.Next(t)
	require.Equal(t, "next", m.Type)
	assert.Equal(t, "TOO_MANY_SUBSCRIPTIONS", s.Result(t, m).Body.Errors[0].Extensions.Type)

	// Someone else is not counted with them.
	c2 := connect(t, srv, adminOf(t, srv).token)
	c2.Subscribe("x", walletUpdated, nil)
	next(t, c2, "x", "walletUpdated", &w)

	// A connection that closes gives its share back.
	c.Close()
	require.Eventually(t, func() bool {
		probe := connect(t, srv, user.token)
		defer probe.Close()
		probe.Subscribe("p", walletUpdated, nil)
		m := probe.Next()
		return !strings.Contains(string(m.Payload), "TOO_MANY_SUBSCRIPTIONS")
	}, 5*time.Second, 50*time.Millisecond)
}

// TestWebSocketProtocolBreaches: what graphql-transport-ws can only answer
// by closing gets its close code; the client's own close is answered.
func TestWebSocketProtocolBreaches(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_MAX_BODY_BYTES", "2048"))
	user := newShopper(t, srv, "rude@example.com")
	for _, c := range []struct {
		name   string
		init   bool
		send   []string
		code   int
		reason string
	}{
		{"not JSON", false, []string{`{"type":`}, 4400, "Invalid message received"},
		{"an unknown type", true, []string{`{"type":"hello"}`}, 4400, "Invalid message received"},
		{"a server's message", true, []string{`{"type":"next","id":"1","payload":{}}`}, 4400, "Invalid message received"},
		{"connection_init's payload not an object", false, []string{`{"type":"connection_init","payload":"x"}`}, 4400, ""},
		{"subscribe before connection_init", false, []string{`{"type":"subscribe","id":"1","payload":{"query":"{ products { edges { cursor } } }"}}`}, 4401, "Unauthorized"},
		{"a second connection_init", true, []string{`{"type":"connection_init"}`}, 4429, "Too many initialisation requests"},
		{"subscribe without an id", true, []string{`{"type":"subscribe","payload":{"query":"{ products { edges { cursor } } }"}}`}, 4400, ""},
		{"an id already running", true, []string{
			`{"type":"subscribe","id":"1","payload":{"query":"subscription { walletUpdated { currency } }"}}`,
			`{"type":"subscribe","id":"1","payload":{"query":"subscription { walletUpdated { currency } }"}}`,
		}, 4409, "Subscriber for 1 already exists"},
		{"a message over the limit", true, []string{`{"type":"subscribe","id":"1","payload":{"query":"{ products { edges { cursor } } }","variables":{"pad":"` + strings.Repeat("x", 3000) + `"}}}`}, 1009, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := streamtest.Dial(t, srv.URL, nil)
			if c.init {
				conn.Init(streamtest.Bearer(user.token))
			}
			for _, m := range c.send {
				conn.SendRaw([]byte(m))
			}
			code, reason := conn.Closed(streamtest.Wait)
			assert.Equal(t, c.code, code, "reason %q", reason)
			if c.reason != "" {
				assert.Equal(t, c.reason, reason)
			}
		})
	}

	t.Run("ping before connection_init", func(t *testing.T) {
		conn := streamtest.Dial(t, srv.URL, nil)
		conn.Send(streamtest.Message{Type: "ping"})
		assert.Equal(t, "pong", conn.Next().Type)
		conn.Init(nil)
	})
}

// TestWebSocketTimers: no connection_init within FAULTLINE_WS_INIT_TIMEOUT
// closes with 4408; a connection with no subscription for
// FAULTLINE_WS_IDLE_TIMEOUT closes with 1000 (a running one keeps it
// open); the server pings every FAULTLINE_SUBSCRIPTION_KEEPALIVE and drops a
// client that stops answering.
func TestWebSocketTimers(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_WS_INIT_TIMEOUT", "300ms"),
		testserver.Env("FAULTLINE_WS_IDLE_TIMEOUT", "400ms"), testserver.Env("FAULTLINE_SUBSCRIPTION_KEEPALIVE", "100ms"))
	user := newShopper(t, srv, "timed@example.com")

	t.Run("connection_init timeout", func(t *testing.T) {
		c := streamtest.Dial(t, srv.URL, nil)
		code, reason := c.Closed(streamtest.Wait)
		assert.Equal(t, 4408, code)
		assert.Equal(t, "Connection initialisation timeout", reason)
	})
	t.Run("idle", func(t *testing.T) {
		c := connect(t, srv, user.token)
		c.Subscribe("w", walletUpdated, nil)
		var w wallet
		next(t, c, "w", "walletUpdated", &w)
		code, _ := c.Closed(time.Second)
		assert.Equal(t, streamtest.Open, code, "a connection with a subscription is not idle")
		c.Complete("w")
		started := time.Now()
		code, reason := c.Closed(streamtest.Wait)
		assert.Equal(t, 1000, code)
		assert.Contains(t, reason, "Idle")
		assert.Less(t, time.Since(started), 2*time.Second)
	})
	t.Run("keep-alive", func(t *testing.T) {
		c := connect(t, srv, user.token)
		c.Subscribe("w", walletUpdated, nil)
		var w wallet
		next(t, c, "w", "walletUpdated", &w)
		time.Sleep(500 * time.Millisecond)
		code, _ := c.Closed(0)
		assert.Equal(t, streamtest.Open, code, "a client that answers pings stays")
		assert.Positive(t, c.Pings())
		c.AnswerPings(false)
		code, _ = c.Closed(streamtest.Wait)
		assert.NotEqual(t, streamtest.Open, code, "a client that stops answering is dropped")
	})
}

// TestWebSocketHandshakeRefusals: a handshake that is refused is answered
// in the envelope over HTTP, with its own status, before any upgrade.
func TestWebSocketHandshakeRefusals(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_ENV", "production"),
		testserver.Env("FAULTLINE_JWT_SECRET", strings.Repeat("k", 32)),
		testserver.Env("FAULTLINE_CORS_ORIGINS", "https://app.example.com"))
	dialErr := func(t *testing.T, header http.Header, subprotocols []string) *testserver.Response {
		t.Helper()
		_, err := streamtest.TryDial(t, srv.URL, header, subprotocols)
		var de *streamtest.DialError
		require.True(t, errors.As(err, &de), "%v", err)
		require.NotNil(t, de.Response)
		return testserver.Read(t, de.Response)
	}

	res := dialErr(t, nil, []string{"graphql-ws"})
	e := res.Error(t)
	assert.Equal(t, 400, res.Status)
	assert.Equal(t, "MALFORMED_REQUEST", e.Extensions.Type)
	assert.Equal(t, "websocket_subprotocol", e.Extensions.Details["reason"])

	res = dialErr(t, http.Header{"Origin": {"https://evil.example"}}, []string{"graphql-transport-ws"})
	assert.Equal(t, 403, res.Status)
	assert.Equal(t, "ORIGIN_NOT_ALLOWED", res.Error(t).Extensions.Type)

	c := streamtest.Dial(t, srv.URL, http.Header{"Origin": {"https://app.example.com"}})
	c.Init(nil)

	for name, h := range map[string]http.Header{
		"no version": {"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-WebSocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}, "Sec-WebSocket-Protocol": {"graphql-transport-ws"}},
		"a bad key":  {"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-WebSocket-Version": {"13"}, "Sec-WebSocket-Key": {"short"}, "Sec-WebSocket-Protocol": {"graphql-transport-ws"}},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/query", nil)
			require.NoError(t, err)
			req.Header = h
			res := srv.Do(t, req)
			assert.Equal(t, 400, res.Status)
			assert.Equal(t, "websocket_handshake", res.Error(t).Extensions.Details["reason"])
		})
	}

	srv.App.Gate.Close()
	res = dialErr(t, nil, []string{"graphql-transport-ws"})
	assert.Equal(t, 503, res.Status)
	assert.Equal(t, "SHUTTING_DOWN", res.Error(t).Extensions.Type)
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
}

// TestTheDrainEndsEveryStream runs App.Serve on a real listener: when the
// drain starts, every subscription, over WebSocket and SSE, gets
// SHUTTING_DOWN with retryAfter and ends, the WebSocket closes with 1001,
// and Serve returns without waiting for the streams' clients. A stream
// outlives the server's write timeout.
func TestTheDrainEndsEveryStream(t *testing.T) {
	cfg, opts := testserver.Config(t, testserver.Env("FAULTLINE_REQUEST_TIMEOUT", "1s"),
		testserver.Env("FAULTLINE_SHUTDOWN_TIMEOUT", "10s"), testserver.Env("FAULTLINE_DRAIN_DELAY", "200ms"))
	logs := &testserver.Logs{}
	a, err := app.New(context.Background(), cfg, logs.Logger(), opts...)
	require.NoError(t, err)
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	srv := &testserver.Server{App: a, Logs: logs}
	token := loginWith(t, base, app.DemoUserEmail, a.DemoPassword)
	c := streamtest.Dial(t, base, nil)
	c.Init(streamtest.Bearer(token))
	c.Subscribe("w", walletUpdated, nil)
	var w wallet
	next(t, c, "w", "walletUpdated", &w)
	s := streamtest.Stream(t, base, walletUpdated, nil, bearer(token)...)
	require.Equal(t, "next", s.Next(t).Type)
	_ = srv

	time.Sleep(cfg.RequestTimeout + 5*time.Second + 500*time.Millisecond) // past the server's write timeout
	var got []string
	drained := time.Now()
	stop() // SIGTERM
	e := ending(t, c, "w", "walletUpdated")
	got = append(got, e.Extensions.Type)
	assert.Equal(t, "SERVICE_UNAVAILABLE", e.Extensions.Code)
	assert.Positive(t, e.Extensions.RetryAfter)
	m := s.Next(t)
	require.Equal(t, "next", m.Type)
	res := s.Result(t, m)
	require.Len(t, res.Body.Errors, 1)
	got = append(got, res.Body.Errors[0].Extensions.Type)
	assert.Positive(t, res.Body.Errors[0].Extensions.RetryAfter)
	assert.Equal(t, "complete", s.Next(t).Type)
	assert.Equal(t, []string{"SHUTTING_DOWN", "SHUTTING_DOWN"}, got)

	code, reason := c.Closed(streamtest.Wait)
	assert.Equal(t, 1001, code, "the client reconnects elsewhere")
	assert.Equal(t, "Server shutting down", reason)
	require.NoError(t, <-served)
	assert.Less(t, time.Since(drained), 3*time.Second, "the streams do not hold the shutdown")
}

// loginWith signs a demo user in against base.
func loginWith(t *testing.T, base, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		"variables": map[string]any{"e": email, "p": password}})
	res, err := http.Post(base+"/query", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	r := testserver.Read(t, res)
	var s session
	r.Field(t, "login", &s)
	return s.AccessToken
}

// faultyWallets is an order store whose wallet reads fail once fault says
// so: the faults a stream meets between its events, which a real SQLite
// file cannot be made to produce on cue.
type faultyWallets struct {
	shop.OrderStore
	fault func() error
}

func (f faultyWallets) WalletOf(ctx context.Context, userID string) (*shop.Wallet, error) {
	if err := f.fault(); err != nil {
		return nil, err
	}
	return f.OrderStore.WalletOf(ctx, userID)
}

// TestAStreamWaitsForTheDatabaseThenEnds: a read that meets an unavailable
// database is tried again; the stream carries on when the database is back
// within FAULTLINE_SUBSCRIPTION_DB_GRACE, and ends with DATABASE_UNAVAILABLE
// and retryAfter when it is not. A panic between events is INTERNAL, and
// the server lives on.
func TestAStreamWaitsForTheDatabaseThenEnds(t *testing.T) {
	var mode atomic.Value
	mode.Store("ok")
	srv := testserver.Start(t, testserver.Env("FAULTLINE_SUBSCRIPTION_DB_GRACE", "1500ms"), testserver.With(func(w *app.Wiring) {
		w.Orders = faultyWallets{OrderStore: w.Orders, fault: func() error {
			switch mode.Load() {
			case "down":
				return apperr.Unavailable(errors.New("injected: the database went away"), 2*time.Second)
			case "panic":
				var m map[string]int
				m["boom"]++
			}
			return nil
		}}
	}))
	user := newShopper(t, srv, "patient@example.com")
	c := connect(t, srv, user.token)
	c.Subscribe("w", walletUpdated, nil)
	var w wallet
	next(t, c, "w", "walletUpdated", &w)

	mode.Store("down")
	user.topUp(100)
	time.Sleep(500 * time.Millisecond)
	_, sent := c.TryNext(0)
	assert.False(t, sent, "within the grace the stream waits")
	mode.Store("ok")
	next(t, c, "w", "walletUpdated", &w)
	assert.Equal(t, 100, w.BalanceCents, "a read tried again sends the current state")

	mode.Store("down")
	user.topUp(100)
	started := time.Now()
	e := ending(t, c, "w", "walletUpdated")
	assert.Equal(t, "DATABASE_UNAVAILABLE", e.Extensions.Type)
	assert.Positive(t, e.Extensions.RetryAfter)
	assert.InDelta(t, 1500, time.Since(started).Milliseconds(), 1000, "after the grace")

	mode.Store("ok")
	c.Subscribe("p", walletUpdated, nil)
	next(t, c, "p", "walletUpdated", &w)
	mode.Store("panic")
	user.topUp(100)
	e = ending(t, c, "p", "walletUpdated")
	assert.Equal(t, "INTERNAL", e.Extensions.Type)
	assert.Equal(t, "Internal server error", e.Message)
	mode.Store("ok")
	alive(t, c)
	var logged bool
	for _, l := range srv.Logs.For(e.Extensions.RequestID) {
		if l["msg"] == "server error" && strings.Contains(fmt.Sprint(l["error"]), "assignment to entry in nil map") {
			logged = true
		}
	}
	assert.True(t, logged, "the panic is logged with its cause")
}

// TestEverySubscribeIsAdmitted: FAULTLINE_RATE_LIMIT counts each subscribe
// message as an operation; past it, TOO_MANY_REQUESTS with retryAfter.
func TestEverySubscribeIsAdmitted(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_RATE_LIMIT", "2"))
	user := newShopper(t, srv, "hasty@example.com")
	time.Sleep(1100 * time.Millisecond) // a full bucket again
	c := connect(t, srv, user.token)
	var w wallet
	for _, id := range []string{"1", "2"} {
		c.Subscribe(id, walletUpdated, nil)
		next(t, c, id, "walletUpdated", &w)
	}
	typ, e := refused(t, c, subscribeTo(c, "3", walletUpdated, nil))
	assert.Equal(t, "next", typ)
	assert.Equal(t, "TOO_MANY_REQUESTS", e.Extensions.Type)
	assert.Positive(t, e.Extensions.RetryAfter)
}
