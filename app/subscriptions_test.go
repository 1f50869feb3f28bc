package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/streamtest"
	"github.com/faultline/faultline/internal/testserver"
)

const (
	orderUpdated  = `subscription($id: ID!) { orderUpdated(id: $id) { id status totalCents } }`
	walletUpdated = `subscription { walletUpdated { balanceCents currency } }`
	// quiet is how long a test waits to see that nothing is sent.
	quiet = 400 * time.Millisecond
)

// connect opens a graphql-transport-ws connection signed in with token
// ("" for none).
func connect(t *testing.T, srv *testserver.Server, token string) *streamtest.Conn {
	t.Helper()
	c := streamtest.Dial(t, srv.URL, nil)
	if token == "" {
		c.Init(nil)
	} else {
		c.Init(streamtest.Bearer(token))
	}
	return c
}

// next reads the next message, which must be operation id's next with data
// and no error, and decodes its one field into v.
func next(t *testing.T, c *streamtest.Conn, id, fieldName string, v any) {
	t.Helper()
	m := c.Next()
	require.Equal(t, kind(id, "next"), kind(m.ID, m.Type), "%s", m.Payload)
	res := c.Result(t, m)
	require.Empty(t, res.Body.Errors, "%s", m.Payload)
	require.NoError(t, json.Unmarshal(res.Body.Data[fieldName], v), "%s", m.Payload)
}

// ending reads the end of operation id's stream: a next whose data is null
// for the field and whose one error, at the field, says why; then complete.
func ending(t *testing.T, c *streamtest.Conn, id, fieldName string) testserver.Error {
	t.Helper()
	m := c.Next()
	require.Equal(t, kind(id, "next"), kind(m.ID, m.Type), "%s", m.Payload)
	res := c.Result(t, m)
	require.Len(t, res.Body.Errors, 1, "%s", m.Payload)
	assert.JSONEq(t, `null`, string(res.Body.Data[fieldName]), "%s", m.Payload)
	assert.Equal(t, []any{fieldName}, res.Body.Errors[0].Path)
	assert.NotEmpty(t, res.Body.Errors[0].Locations)
	done := c.Next()
	assert.Equal(t, kind(id, "complete"), kind(done.ID, done.Type), "%s", done.Payload)
	return res.Body.Errors[0]
}

// endings reads the ends of n streams, however they interleave: each a
// next with one error and null data, then complete. It returns each
// operation's "CODE/TYPE".
func endings(t *testing.T, c *streamtest.Conn, n int) map[string]string {
	t.Helper()
	ended := map[string]string{}
	for completed := 0; completed < n; {
		m := c.Next()
		switch m.Type {
		case "next":
			require.NotContains(t, ended, m.ID, "one last event: %s", m.Payload)
			res := c.Result(t, m)
			require.Len(t, res.Body.Errors, 1, "%s", m.Payload)
			e := res.Body.Errors[0]
			ended[m.ID] = e.Extensions.Code + "/" + e.Extensions.Type
		case "complete":
			require.Contains(t, ended, m.ID, "the error comes before complete")
			completed++
		default:
			t.Fatalf("unexpected %+v", m)
		}
	}
	return ended
}

// refused reads the answer to a subscribe that never started: an error
// message (a document that does not validate, a limit), or a next message
// with errors and no data (a resolver's refusal) and then complete. It
// returns the message's type and its one error.
func refused(t *testing.T, c *streamtest.Conn, id string) (string, testserver.Error) {
	t.Helper()
	m := c.Next()
	require.Equal(t, id, m.ID, "%+v", m)
	res := c.Result(t, m)
	require.Len(t, res.Body.Errors, 1, "%s", m.Payload)
	switch m.Type {
	case "next":
		assert.JSONEq(t, `null`, orNull(res.Body.Data["_"]), "no data")
		done := c.Next()
		assert.Equal(t, kind(id, "complete"), kind(done.ID, done.Type), "%s", done.Payload)
	case "error":
		// The protocol's error ends the operation: nothing follows for it.
	default:
		t.Fatalf("a refusal in a %s message: %s", m.Type, m.Payload)
	}
	return m.Type, res.Body.Errors[0]
}

func orNull(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	return string(raw)
}

// alive checks that the connection still answers.
func alive(t *testing.T, c *streamtest.Conn) {
	t.Helper()
	c.Send(streamtest.Message{Type: "ping"})
	m := c.Next()
	assert.Equal(t, "pong", m.Type, "the connection stays open: %+v", m)
}

// kind names a message by its type and id, for comparisons.
func kind(id, typ string) string { return typ + " " + id }

type order struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	TotalCents int    `json:"totalCents"`
}

type wallet struct {
	BalanceCents int    `json:"balanceCents"`
	Currency     string `json:"currency"`
}

// TestSubscriptionsFollowTheShop: orderUpdated sends the order now and at
// every move made through other requests; walletUpdated the wallet now and
// after a top-up and a payment; complete ends a stream.
func TestSubscriptionsFollowTheShop(t *testing.T) {
	srv := testserver.Start(t)
	buyer := newShopper(t, srv, "subscriber@example.com")
	ids, prices := products(t, srv)
	id := buyer.place(line(ids[0], 2))["id"].(string)

	c := connect(t, srv, buyer.token)
	c.Subscribe("o", orderUpdated, map[string]any{"id": id})
	var o order
	next(t, c, "o", "orderUpdated", &o)
	assert.Equal(t, order{ID: id, Status: "PENDING", TotalCents: 2 * prices[0]}, o)

	c.Subscribe("w", walletUpdated, nil)
	var w wallet
	next(t, c, "w", "walletUpdated", &w)
	assert.Equal(t, wallet{BalanceCents: 0, Currency: "USD"}, w)

	buyer.topUp(5 * prices[0])
	next(t, c, "w", "walletUpdated", &w)
	assert.Equal(t, 5*prices[0], w.BalanceCents)

	require.Empty(t, buyer.move("pay", id).Body.Errors)
	got := map[string]bool{}
	for range 2 { // the order and the wallet, in either order
		m := c.Next()
		res := c.Result(t, m)
		require.Empty(t, res.Body.Errors, "%s", m.Payload)
		switch m.ID {
		case "o":
			require.NoError(t, json.Unmarshal(res.Body.Data["orderUpdated"], &o))
			assert.Equal(t, "PAID", o.Status)
		case "w":
			require.NoError(t, json.Unmarshal(res.Body.Data["walletUpdated"], &w))
			assert.Equal(t, 3*prices[0], w.BalanceCents, "the payment left the wallet")
		}
		got[m.ID] = true
	}
	assert.Equal(t, map[string]bool{"o": true, "w": true}, got)

	admin := adminOf(t, srv)
	require.Empty(t, admin.move("ship", id).Body.Errors)
	next(t, c, "o", "orderUpdated", &o)
	assert.Equal(t, "SHIPPED", o.Status)

	// An admin follows anyone's order.
	ac := connect(t, srv, admin.token)
	ac.Subscribe("a", orderUpdated, map[string]any{"id": id})
	next(t, ac, "a", "orderUpdated", &o)
	assert.Equal(t, "SHIPPED", o.Status)

	c.Complete("o")
	done := c.Next()
	assert.Equal(t, kind("o", "complete"), kind(done.ID, done.Type))
	require.Empty(t, admin.move("deliver", id).Body.Errors)
	next(t, ac, "a", "orderUpdated", &o)
	assert.Equal(t, "DELIVERED", o.Status)
	_, more := c.TryNext(quiet)
	assert.False(t, more, "a completed stream sends nothing more")
}

// TestOneNoticeIsReadOncePerToken: the subscriptions that one change wakes,
// on one token, share one authentication and one read; each still gets the
// new state.
func TestOneNoticeIsReadOncePerToken(t *testing.T) {
	srv := testserver.Start(t)
	buyer := newShopper(t, srv, "many@example.com")
	other := newShopper(t, srv, "other@example.com")

	// The statements of a top-up (its caches warm), and of what one
	// subscriber does after it.
	buyer.topUp(25)
	before := srv.App.DB.Queries()
	buyer.topUp(25)
	base := srv.App.DB.Queries() - before
	one := connect(t, srv, buyer.token)
	one.Subscribe("w", walletUpdated, nil)
	var w wallet
	next(t, one, "w", "walletUpdated", &w)
	before = srv.App.DB.Queries()
	buyer.topUp(50)
	next(t, one, "w", "walletUpdated", &w)
	read := srv.App.DB.Queries() - before - base
	require.Positive(t, read)

	// Thirty more, on three connections; and one on another token.
	conns := []*streamtest.Conn{one}
	for range 3 {
		c := connect(t, srv, buyer.token)
		for i := range 10 {
			id := fmt.Sprint("w", i)
			c.Subscribe(id, walletUpdated, nil)
			next(t, c, id, "walletUpdated", &w)
		}
		conns = append(conns, c)
	}
	again := login(t, srv, "many@example.com", "a long enough password")
	second := connect(t, srv, again.AccessToken)
	second.Subscribe("w", walletUpdated, nil)
	next(t, second, "w", "walletUpdated", &w)
	watcher := connect(t, srv, other.token)
	watcher.Subscribe("w", walletUpdated, nil)
	next(t, watcher, "w", "walletUpdated", &w)

	before = srv.App.DB.Queries()
	buyer.topUp(100)
	for _, c := range append(conns, second) {
		for range map[bool]int{true: 1, false: 10}[c == one || c == second] {
			m := c.Next()
			res := c.Result(t, m)
			require.Empty(t, res.Body.Errors, "%s", m.Payload)
			require.NoError(t, json.Unmarshal(res.Body.Data["walletUpdated"], &w))
			assert.Equal(t, 200, w.BalanceCents)
		}
	}
	assert.LessOrEqual(t, srv.App.DB.Queries()-before, base+2*read, "32 subscribers on two tokens: two reads")
	_, more := watcher.TryNext(quiet)
	assert.False(t, more, "another user's wallet did not move")
}

// TestARolledBackChangePublishesNothing: a payment refused for want of
// money, and a move the state machine refuses, write nothing and send no
// event; the next real change does.
func TestARolledBackChangePublishesNothing(t *testing.T) {
	srv := testserver.Start(t)
	buyer := newShopper(t, srv, "poor@example.com")
	ids, prices := products(t, srv)
	id := buyer.place(line(ids[0], 1))["id"].(string)
	c := connect(t, srv, buyer.token)
	c.Subscribe("o", orderUpdated, map[string]any{"id": id})
	c.Subscribe("w", walletUpdated, nil)
	var o order
	var w wallet
	for range 2 {
		m := c.Next()
		require.Equal(t, "next", m.Type, "%s", m.Payload)
	}

	assert.Equal(t, "INSUFFICIENT_FUNDS", buyer.move("pay", id).Error(t).Extensions.Type)
	assert.Equal(t, "INSUFFICIENT_FUNDS", buyer.move("pay", id).Error(t).Extensions.Type)
	admin := adminOf(t, srv)
	assert.Equal(t, "INVALID_STATE_TRANSITION", admin.move("ship", id).Error(t).Extensions.Type)
	m, sent := c.TryNext(quiet)
	assert.False(t, sent, "nothing changed, nothing is sent: %+v", m)

	buyer.topUp(prices[0])
	next(t, c, "w", "walletUpdated", &w)
	assert.Equal(t, prices[0], w.BalanceCents)
	require.Empty(t, buyer.move("pay", id).Body.Errors)
	seen := map[string]bool{}
	for range 2 {
		m := c.Next()
		seen[m.ID] = true
		res := c.Result(t, m)
		if m.ID == "o" {
			require.NoError(t, json.Unmarshal(res.Body.Data["orderUpdated"], &o))
			assert.Equal(t, "PAID", o.Status)
		}
	}
	assert.Equal(t, map[string]bool{"o": true, "w": true}, seen)
}

// TestSubscribeRefusalsAreTyped: every failure at subscribe reaches the
// client in the envelope, and the connection stays open: no or a bad token
// (@auth's types), another user's order (NOT_FOUND, as order answers), a
// document that does not parse or validate, the limits, variables, and a
// payload that is not a GraphQL request.
func TestSubscribeRefusalsAreTyped(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_MAX_DEPTH", "4"))
	owner := newShopper(t, srv, "owner@example.com")
	other := newShopper(t, srv, "other@example.com")
	ids, _ := products(t, srv)
	id := owner.place(line(ids[0], 1))["id"].(string)

	t.Run("no token", func(t *testing.T) {
		c := connect(t, srv, "")
		typ, e := refused(t, c, subscribeTo(c, "1", walletUpdated, nil))
		assert.Equal(t, "next", typ)
		assert.Equal(t, "UNAUTHENTICATED", e.Extensions.Code)
		assert.Equal(t, "TOKEN_MISSING", e.Extensions.Type)
		assert.Equal(t, 401, e.Extensions.Status)
		assert.Contains(t, e.Message, "connection_init")
		assert.Equal(t, []any{"walletUpdated"}, e.Path)
		alive(t, c)
	})
	for name, c := range map[string]struct {
		payload map[string]any
		typ     string
	}{
		"garbage token":    {streamtest.Bearer("garbage"), "TOKEN_MALFORMED"},
		"basic scheme":     {map[string]any{"Authorization": "Basic dXNlcjpwYXNz"}, "TOKEN_MALFORMED"},
		"not a string":     {map[string]any{"authorization": 42}, "TOKEN_MALFORMED"},
		"a refresh token":  {streamtest.Bearer("flr_abc"), "TOKEN_TYPE_MISMATCH"},
		"a forged token":   {streamtest.Bearer(owner.token[:len(owner.token)-4] + "AAAA"), "TOKEN_SIGNATURE_INVALID"},
		"the key any case": {map[string]any{"AUTHORIZATION": "bearer " + owner.token}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			conn := streamtest.Dial(t, srv.URL, nil)
			conn.Init(c.payload)
			conn.Subscribe("1", walletUpdated, nil)
			if c.typ == "" {
				var w wallet
				next(t, conn, "1", "walletUpdated", &w)
				return
			}
			_, e := refused(t, conn, "1")
			assert.Equal(t, c.typ, e.Extensions.Type)
			alive(t, conn)
		})
	}

	c := connect(t, srv, other.token)
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		message     string // the message type gqlgen answers with
		typ         string
	}{
		{"another user's order", orderUpdated, map[string]any{"id": id}, "next", "RESOURCE_NOT_FOUND"},
		{"an order that does not exist", orderUpdated, map[string]any{"id": "nope"}, "next", "RESOURCE_NOT_FOUND"},
		{"a syntax error", `subscription { walletUpdated {`, nil, "error", "SYNTAX_ERROR"},
		{"an unknown field", `subscription { walletUpdated { nope } }`, nil, "error", "INVALID_QUERY"},
		{"two root fields", `subscription { walletUpdated { currency } orderUpdated(id: "x") { id } }`, nil, "error", "INVALID_QUERY"},
		{"too deep", `subscription($id: ID!) { orderUpdated(id: $id) { user { orders { edges { node { id } } } } } }`, map[string]any{"id": id}, "error", "QUERY_TOO_DEEP"},
		{"a missing variable", orderUpdated, nil, "next", "INVALID_VARIABLES"},
		{"a variable of the wrong type", orderUpdated, map[string]any{"id": []int{1}}, "next", "INVALID_VARIABLES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ, e := refused(t, c, subscribeTo(c, tc.name, tc.query, tc.vars))
			assert.Equal(t, tc.typ, e.Extensions.Type)
			assert.Equal(t, tc.message, typ)
			if tc.typ == "RESOURCE_NOT_FOUND" {
				assert.Equal(t, "Order", e.Extensions.Details["resource"])
				assert.Equal(t, []any{"orderUpdated"}, e.Path)
			}
		})
	}
	for name, payload := range map[string]string{
		"payload not an object": `"subscription { walletUpdated { currency } }"`,
		"query not a string":    `{"query": 1}`,
		"no query":              `{"variables": {}}`,
		"no payload":            `null`,
	} {
		t.Run(name, func(t *testing.T) {
			c.SendRaw([]byte(`{"type":"subscribe","id":"p","payload":` + payload + `}`))
			typ, e := refused(t, c, "p")
			assert.Equal(t, "error", typ)
			assert.Equal(t, "MALFORMED_REQUEST", e.Extensions.Type)
		})
	}
	alive(t, c)

	// A query or a mutation runs over the connection too: one result, then complete.
	c.Subscribe("q", `{ me { id } }`, nil)
	m := c.Next()
	assert.Equal(t, kind("q", "next"), kind(m.ID, m.Type))
	assert.Contains(t, string(m.Payload), other.id)
	done := c.Next()
	assert.Equal(t, kind("q", "complete"), kind(done.ID, done.Type))
}

func subscribeTo(c *streamtest.Conn, id, query string, vars map[string]any) string {
	c.Subscribe(id, query, vars)
	return id
}

// TestTheUpgradesAuthorizationHeaderCounts: a client that is not a browser
// may sign in with the upgrade request's header instead of connection_init;
// connection_init's wins when both are sent.
func TestTheUpgradesAuthorizationHeaderCounts(t *testing.T) {
	srv := testserver.Start(t)
	user := newShopper(t, srv, "header@example.com")
	c := streamtest.Dial(t, srv.URL, http.Header{"Authorization": {"Bearer " + user.token}})
	c.Init(nil)
	c.Subscribe("1", walletUpdated, nil)
	var w wallet
	next(t, c, "1", "walletUpdated", &w)

	c = streamtest.Dial(t, srv.URL, http.Header{"Authorization": {"Bearer " + user.token}})
	c.Init(streamtest.Bearer("garbage"))
	_, e := refused(t, c, subscribeTo(c, "1", walletUpdated, nil))
	assert.Equal(t, "TOKEN_MALFORMED", e.Extensions.Type)
}

// TestStreamsEndWithTheirReason: a running subscription ends with the typed
// error of what ended it, as a last next message followed by complete; the
// connection stays open.
func TestStreamsEndWithTheirReason(t *testing.T) {
	t.Run("the token expires", func(t *testing.T) {
		srv := testserver.Start(t, testserver.Env("FAULTLINE_ACCESS_TTL", "2s"))
		user := newShopper(t, srv, "brief@example.com")
		c := connect(t, srv, user.token)
		c.Subscribe("w", walletUpdated, nil)
		var w wallet
		next(t, c, "w", "walletUpdated", &w)
		started := time.Now()
		e := ending(t, c, "w", "walletUpdated")
		assert.Equal(t, "UNAUTHENTICATED", e.Extensions.Code)
		assert.Equal(t, "TOKEN_EXPIRED", e.Extensions.Type)
		assert.NotEmpty(t, e.Extensions.Details["expiredAt"])
		assert.Less(t, time.Since(started), 3*time.Second, "at exp, by a timer, without an event")
		alive(t, c)
		// The connection's token is spent: a new subscription says so.
		_, e = refused(t, c, subscribeTo(c, "again", walletUpdated, nil))
		assert.Equal(t, "TOKEN_EXPIRED", e.Extensions.Type)
	})

	srv := testserver.Start(t)
	admin := adminOf(t, srv)
	ids, _ := products(t, srv)
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, s session)
		code string
		typ  string
	}{
		{"the user is suspended", func(t *testing.T, s session) {
			admin.ok(`mutation($id: ID!) { suspendUser(id: $id) { id } }`, map[string]any{"id": s.User.ID})
		}, "FORBIDDEN", "USER_SUSPENDED"},
		{"the user is deleted", func(t *testing.T, s session) {
			require.Empty(t, admin.do(`mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": s.User.ID}).Body.Errors)
		}, "UNAUTHENTICATED", "TOKEN_REVOKED"},
		{"the session is logged out", func(t *testing.T, s session) {
			logout(t, srv, s.RefreshToken)
		}, "UNAUTHENTICATED", "TOKEN_REVOKED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSession(t, register(t, srv, strings.ReplaceAll(tc.name, " ", "-")+"@example.com", "a long enough password", "Leaving"), "register")
			buyer := &shopper{t: t, srv: srv, token: s.AccessToken, id: s.User.ID}
			id := buyer.place(line(ids[0], 1))["id"].(string)
			c := connect(t, srv, s.AccessToken)
			c.Subscribe("w", walletUpdated, nil)
			c.Subscribe("o", orderUpdated, map[string]any{"id": id})
			for range 2 {
				require.Equal(t, "next", c.Next().Type)
			}
			tc.end(t, s)
			assert.Equal(t, map[string]string{"w": tc.code + "/" + tc.typ, "o": tc.code + "/" + tc.typ}, endings(t, c, 2),
				"at once, without waiting for an event of what they follow")
			alive(t, c)
		})
	}
}

// TestAStreamsLogLine: a subscription is logged once, when it ends, with
// how it came and why it ended.
func TestAStreamsLogLine(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_ACCESS_TTL", "1s"))
	user := newShopper(t, srv, "logged@example.com")
	c := connect(t, srv, user.token)
	c.Send(streamtest.Message{ID: "w", Type: "subscribe", Payload: json.RawMessage(`{"query": "subscription Follow { walletUpdated { currency } }"}`)})
	var w wallet
	next(t, c, "w", "walletUpdated", &w)
	e := ending(t, c, "w", "walletUpdated")
	require.Equal(t, "TOKEN_EXPIRED", e.Extensions.Type)
	var lines []map[string]any
	require.Eventually(t, func() bool {
		lines = nil
		for _, l := range srv.Logs.For(e.Extensions.RequestID) {
			if l["msg"] == "graphql" && l["operation"] == "Follow" {
				lines = append(lines, l)
			}
		}
		return len(lines) > 0
	}, 2*time.Second, 10*time.Millisecond)
	require.Len(t, lines, 1, "%v", lines)
	assert.Equal(t, "WS", lines[0]["method"])
	assert.Equal(t, "UNAUTHENTICATED/TOKEN_EXPIRED", lines[0]["errors"])
	assert.Equal(t, "WARN", lines[0]["level"])
}
