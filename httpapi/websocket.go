package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/operation"
)

// Subprotocol is the one WebSocket subprotocol served: graphql-ws's
// graphql-transport-ws, which Apollo Client's GraphQLWsLink and GraphiQL speak.
const Subprotocol = "graphql-transport-ws"

// WebSocket serves GraphQL over WebSocket at /query with the
// graphql-transport-ws protocol, through gqlgen's transport.Websocket. What
// it adds (README, Subscriptions):
//   - a handshake that would be refused (an origin not allowed, the drain, a
//     malformed upgrade, no graphql-transport-ws offered) is answered in the
//     envelope over HTTP, before any upgrade;
//   - connection_init's authorization goes through Connect, and a missing or
//     bad token does not fail it: @auth answers the typed error of each
//     subscription that needs one;
//   - every error reaches the client presented, in an error or next message;
//     only what the protocol can say in no other way is a close code
//     (wsconn.go lists them);
//   - at most MaxSubscriptions at once per connection, a connection with no
//     subscription for IdleTimeout is closed, and at the drain every
//     subscription ends with SHUTTING_DOWN, then the connection closes.
type WebSocket struct {
	// HTTP answers refused handshakes, and holds CORS and admission.
	HTTP *Transport
	// Connect adds connection_init's authorization value ("" for none) to
	// the connection's context (auth.Authenticator.WithToken).
	Connect func(ctx context.Context, authorization string) context.Context
	// Operation gives each operation of a connection its own scope
	// (auth.Authenticator.Fresh); nil for none.
	Operation func(context.Context) context.Context

	MaxSubscriptions int           // per connection (FAULTLINE_WS_MAX_SUBSCRIPTIONS); 0: no bound
	InitTimeout      time.Duration // from the upgrade to connection_init (FAULTLINE_WS_INIT_TIMEOUT)
	IdleTimeout      time.Duration // a connection without subscriptions (FAULTLINE_WS_IDLE_TIMEOUT); 0: never
	KeepAlive        time.Duration // the server's ping interval (FAULTLINE_SUBSCRIPTION_KEEPALIVE); 0: none
	MaxMessageBytes  int64         // the largest message read (FAULTLINE_MAX_BODY_BYTES)
}

var _ graphql.Transport = (*WebSocket)(nil)

// wsVia is the Via of every WebSocket operation: Every admits each one.
var wsVia = &operation.Via{Method: "WS", AdmitEach: true}

// Supports implements graphql.Transport: a request to upgrade to WebSocket.
func (t *WebSocket) Supports(r *http.Request) bool {
	return headerHasToken(r.Header, "Upgrade", "websocket")
}

// Do implements graphql.Transport.
func (t *WebSocket) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if ae := t.refusal(w, r); ae != nil {
		contentType := negotiate(r.Header.Get("Accept"))
		ctx := operation.WithVia(r.Context(), via(r.Method, contentType == ContentTypeGraphQLResponse))
		resp := dispatchError(ctx, exec, ae)
		t.HTTP.write(w, r, resp, contentType, allowed(resp))
		return
	}
	// The connection outlives this handler: net/http cancels the request's
	// context when the handler returns, and a hijacked connection is ours.
	r = r.WithContext(context.WithoutCancel(r.Context()))
	c := &wsConn{t: t, ctx: r.Context(), exec: exec, headerToken: r.Header.Get("Authorization") != "",
		upgraded: make(chan struct{})}
	readLimit := t.MaxMessageBytes
	if readLimit <= 0 {
		readLimit = -1
	}
	ws := transport.Websocket{
		Implementation: c,
		InitFunc:       c.init,
		InitTimeout:    t.InitTimeout,
		// No PingPongInterval: wsConn pings (a timer, not gqlgen's goroutine).
		PayloadReadLimit: &readLimit,
	}
	// The connection runs in a goroutine of its own, and this handler
	// returns once it is upgraded: net/http's goroutine, whose stack the
	// server's middleware made deep, would otherwise stay for as long as
	// the connection, a third of an idle connection's memory
	// (docs/benchmarks.md, Subscriptions).
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		defer c.Close()
		ws.Do(smallBuffers{w}, r, presenting{GraphExecutor: exec, scope: t.Operation})
	}()
	select {
	case <-c.upgraded: // w is no longer written
	case <-ended: // refused before the upgrade, in w
	}
}

// refusal is why a handshake is refused, or nil: the checks of every
// request to /query (CORS: a browser's WebSocket sends its Origin; the
// drain), then the upgrade's own.
func (t *WebSocket) refusal(w http.ResponseWriter, r *http.Request) *apperr.Error {
	if _, refused := t.HTTP.CORS.handle(w, r); refused != nil {
		return refused
	}
	if t.HTTP.Admission != nil && t.HTTP.Admission.Gate.Closing() {
		return apperr.New(apperr.ShuttingDown).WithRetryAfter(time.Second)
	}
	if r.Method != http.MethodGet {
		return apperr.New(apperr.MethodNotAllowed).With("method", r.Method).With("allowed", []string{http.MethodGet})
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(r.Header.Get("Sec-WebSocket-Key")))
	if !r.ProtoAtLeast(1, 1) || !headerHasToken(r.Header, "Connection", "upgrade") ||
		r.Header.Get("Sec-WebSocket-Version") != "13" || len(r.Header.Values("Sec-WebSocket-Key")) != 1 || len(key) != 16 {
		return malformed("websocket_handshake")
	}
	if !headerHasToken(r.Header, "Sec-WebSocket-Protocol", Subprotocol) {
		return malformed("websocket_subprotocol")
	}
	return nil
}

// Accept implements transport.WebsocketImplementation with gqlgen's adapter
// of coder/websocket, offering graphql-transport-ws only; the origin was
// checked by refusal, against FAULTLINE_CORS_ORIGINS.
func (c *wsConn) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	impl := transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{InsecureSkipVerify: true}}
	conn, err := impl.Accept(w, r, transport.WebsocketAcceptOptions{ResponseHeader: opts.ResponseHeader, Subprotocols: []string{Subprotocol}})
	if err != nil {
		return nil, err
	}
	c.start(conn)
	close(c.upgraded)
	return c, nil
}

// init is the connection's InitFunc: the authorization of connection_init
// (the key in any case) goes through Connect, whatever it holds; a value
// that is not a string is a malformed token. Without one, the upgrade's own
// Authorization header counts, as for any request (a client that is not a
// browser may send one). It never refuses.
func (c *wsConn) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	var authorization string
	found := 0
	for k, v := range payload {
		if !strings.EqualFold(k, "authorization") {
			continue
		}
		found++
		s, ok := v.(string)
		if !ok || found > 1 || s == "" {
			s = "Bearer " // present but not one token: TOKEN_MALFORMED, as two headers or an empty one
		}
		authorization = s
	}
	if c.t.Connect != nil && (found > 0 || !c.headerToken) {
		ctx = c.t.Connect(ctx, authorization)
	}
	return operation.WithVia(ctx, wsVia), nil, nil
}

// headerHasToken reports whether a comma-separated header of h holds token,
// in any case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
