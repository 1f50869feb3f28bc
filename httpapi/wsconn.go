package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/operation"
)

// The close codes of a WebSocket connection (README, Subscriptions). The
// 44xx ones are graphql-transport-ws's, for what the protocol can say only by
// closing; every other failure is a typed error in an error or next message.
const (
	closeNormal       = 1000 // the client's own close, and a connection idle for IdleTimeout
	closeGoingAway    = 1001 // the drain: the server is shutting down
	closeBadRequest   = 4400 // a message that is not graphql-transport-ws
	closeUnauthorized = 4401 // subscribe (or complete) before connection_ack
	closeInitTimeout  = 4408 // no connection_init within InitTimeout
	closeDuplicateID  = 4409 // subscribe with the id of one still running
	closeTooManyInits = 4429 // a second connection_init
	// 1009 (a message over MaxMessageBytes) is coder/websocket's own.
)

// gqlgen's close of a connection that sent nothing within InitTimeout.
const gqlgenInitTimeout = "connection initialisation timeout"

// wsConn is one WebSocket connection as gqlgen's transport sees it: gqlgen's
// adapter of coder/websocket, with each message read checked against the
// protocol first (and answered here when it breaks it, or breaks a limit),
// each message written checked to carry only presented errors, gqlgen's
// protocol-error closes given graphql-transport-ws's codes, and timers that
// ping the client, and close the connection when it idles or when the drain
// has ended its subscriptions.
//
// The timers are callbacks, not goroutines watching channels: an idle
// connection is then two goroutines (gqlgen's reader and its cancel watch),
// which is most of what it costs (docs/benchmarks.md, Subscriptions).
type wsConn struct {
	transport.WebsocketConn

	t           *WebSocket
	ctx         context.Context // the handshake's: request id and locale
	exec        graphql.GraphExecutor
	headerToken bool          // the upgrade request carried an Authorization header
	upgraded    chan struct{} // closed once the connection is upgraded: the handler may return

	mu         sync.Mutex
	inited     bool                // connection_init was read
	acked      bool                // connection_ack was sent
	active     map[string]struct{} // the subscriptions running
	closed     bool                // a close frame was sent
	shut       bool                // Close was called: the timers are stopped
	draining   bool
	unanswered int         // pings sent since the last pong
	idle       *time.Timer // IdleTimeout, running while quiet
	keepAlive  *time.Timer // the next ping, once acknowledged
	drainLimit *time.Timer // drainWait, once the drain started
	stopDrain  func() bool // unregisters the drain's callback
}

// start adopts the accepted connection.
func (c *wsConn) start(conn transport.WebsocketConn) {
	c.WebsocketConn = conn
	c.active = map[string]struct{}{}
	if a := c.t.HTTP.Admission; a != nil { // a callback, not a goroutine, for each connection
		c.stopDrain = context.AfterFunc(a.Gate.Context(), c.drainStarted)
	}
}

// Close implements transport.WebsocketConn.
func (c *wsConn) Close() error {
	if c.WebsocketConn == nil { // never accepted
		return nil
	}
	c.mu.Lock()
	c.shut = true
	for _, t := range []*time.Timer{c.idle, c.keepAlive, c.drainLimit} {
		if t != nil {
			t.Stop()
		}
	}
	c.mu.Unlock()
	if c.stopDrain != nil {
		c.stopDrain()
	}
	return c.WebsocketConn.Close()
}

// SetReadLimit and SetReadDeadline hand gqlgen's limits to the adapter.
func (c *wsConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *wsConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      *string         `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// NextReader implements transport.WebsocketConn: it hands gqlgen the next
// message that is gqlgen's to handle.
func (c *wsConn) NextReader() (int, io.Reader, error) {
	for {
		typ, r, err := c.WebsocketConn.NextReader()
		if err != nil {
			return typ, r, err
		}
		raw, err := io.ReadAll(r)
		if err != nil {
			return typ, nil, err
		}
		if c.admit(raw) {
			return typ, bytes.NewReader(raw), nil
		}
		if c.isClosed() {
			return typ, nil, transport.ErrWebsocketClosed
		}
	}
}

// admit checks a message read against the protocol and the limits: false
// when it was answered here (a close, or a typed error for its id).
func (c *wsConn) admit(raw []byte) bool {
	var m wsMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		c.closeWith(closeBadRequest, "Invalid message received")
		return false
	}
	c.mu.Lock()
	inited, acked := c.inited, c.acked
	c.mu.Unlock()
	switch m.Type {
	case "connection_init":
		switch {
		case inited:
			c.closeWith(closeTooManyInits, "Too many initialisation requests")
			return false
		case !isObjectOrNull(m.Payload):
			c.closeWith(closeBadRequest, "Invalid message received: connection_init's payload must be an object")
			return false
		}
		c.mu.Lock()
		c.inited = true
		c.mu.Unlock()
		return true
	case "ping", "pong":
		if m.Type == "pong" {
			c.mu.Lock()
			c.unanswered = 0
			c.mu.Unlock()
		}
		if acked {
			return true
		}
		// The protocol allows them at any time; gqlgen only after connection_init.
		if m.Type == "ping" {
			c.write(wsMessage{Type: "pong"})
		}
		return false
	case "subscribe":
		return c.subscribe(m, acked)
	case "complete":
		switch {
		case !acked:
			c.closeWith(closeUnauthorized, "Unauthorized")
			return false
		case m.ID == nil:
			c.closeWith(closeBadRequest, "Invalid message received: complete needs an id")
			return false
		}
		return true
	}
	c.closeWith(closeBadRequest, "Invalid message received")
	return false
}

// subscribe admits a subscribe message: the connection must be
// acknowledged and the id new; a payload that is not a GraphQL request, or
// one past MaxSubscriptions, gets its typed error here.
func (c *wsConn) subscribe(m wsMessage, acked bool) bool {
	switch {
	case !acked:
		c.closeWith(closeUnauthorized, "Unauthorized")
		return false
	case m.ID == nil || *m.ID == "":
		c.closeWith(closeBadRequest, "Invalid message received: subscribe needs an id")
		return false
	}
	id := *m.ID
	var params graphql.RawParams
	if ae := decodeParams(m.Payload, &params); ae != nil {
		c.refuse(id, ae)
		return false
	}
	c.mu.Lock()
	_, running := c.active[id]
	full := c.t.MaxSubscriptions > 0 && len(c.active) >= c.t.MaxSubscriptions
	if !running && !full {
		c.active[id] = struct{}{}
	}
	c.mu.Unlock()
	switch {
	case running:
		c.closeWith(closeDuplicateID, "Subscriber for "+truncate(id, 64)+" already exists")
		return false
	case full:
		c.refuse(id, apperr.New(apperr.TooManySubscriptions).Variant("connection").
			With("limit", c.t.MaxSubscriptions).With("scope", "connection").WithRetryAfter(time.Second))
		return false
	}
	c.update()
	return true
}

// refuse answers a subscribe message with its typed error: an error
// message, as for a document that does not validate.
func (c *wsConn) refuse(id string, ae *apperr.Error) {
	resp := dispatchError(operation.WithVia(c.ctx, wsVia), c.exec, ae)
	payload, _ := json.Marshal(resp.Errors)
	c.write(wsMessage{ID: &id, Type: "error", Payload: payload})
}

// WriteJSON implements transport.WebsocketConn: it notes what gqlgen sends
// (the acknowledgement, the end of a subscription) and lets no error out
// that the presenter did not make.
func (c *wsConn) WriteJSON(v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if plainNext(raw) {
		return c.WebsocketConn.WriteJSON(json.RawMessage(raw))
	}
	var m wsMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	switch m.Type {
	case "connection_ack":
		c.mu.Lock()
		c.acked = true
		if c.t.KeepAlive > 0 && !c.shut {
			c.keepAlive = time.AfterFunc(c.t.KeepAlive, c.ping)
		}
		c.mu.Unlock()
		c.update()
	case "error":
		if payload, ok := c.typed(m.Payload, true); ok {
			m.Payload = payload
			raw, _ = json.Marshal(m)
		}
		c.ended(m.ID)
		defer c.update() // after the message: a draining connection's close follows it
	case "next":
		if bytes.Contains(m.Payload, []byte(`"errors"`)) {
			if payload, ok := c.typed(m.Payload, false); ok {
				m.Payload = payload
				raw, _ = json.Marshal(m)
			}
		}
	case "complete":
		if !c.ended(m.ID) {
			return nil // gqlgen completes after an error message too, which already ended the operation
		}
		defer c.update()
	}
	return c.WebsocketConn.WriteJSON(json.RawMessage(raw))
}

// plainNext reports whether raw is a next message without errors, which
// WriteJSON sends as it is: the one message of every event, so it is
// recognised without decoding. gqlgen's messages end with their type; any
// other shape is decoded.
func plainNext(raw []byte) bool {
	return bytes.HasSuffix(raw, []byte(`"type":"next"}`)) && !bytes.Contains(raw, []byte(`"errors"`))
}

// typed replaces every error of payload (an error message's list, or a next
// message's response) that the presenter did not make with INTERNAL, its
// text kept for the log only; ok is false when there was none to replace.
func (c *wsConn) typed(payload json.RawMessage, list bool) (json.RawMessage, bool) {
	var resp struct {
		Errors []json.RawMessage `json:"errors"`
	}
	errs := &resp.Errors
	if list {
		if json.Unmarshal(payload, errs) != nil {
			return nil, false
		}
	} else if json.Unmarshal(payload, &resp) != nil {
		return nil, false
	}
	replaced := false
	for i, e := range *errs {
		var probe struct {
			Message    string `json:"message"`
			Extensions struct {
				RequestID *string `json:"requestId"`
			} `json:"extensions"`
		}
		if json.Unmarshal(e, &probe) == nil && probe.Extensions.RequestID != nil {
			continue
		}
		ae := apperr.InternalError(errors.New("an unpresented error reached the WebSocket: " + probe.Message))
		b, _ := json.Marshal(dispatchError(c.ctx, c.exec, ae).Errors[0])
		(*errs)[i], replaced = b, true
	}
	if !replaced {
		return nil, false
	}
	if list {
		b, _ := json.Marshal(*errs)
		return b, true
	}
	var whole map[string]json.RawMessage
	if json.Unmarshal(payload, &whole) != nil {
		return nil, false
	}
	whole["errors"], _ = json.Marshal(*errs)
	b, _ := json.Marshal(whole)
	return b, true
}

// ended notes that an operation is over; false when it was not running.
// The caller updates once its message is written.
func (c *wsConn) ended(id *string) bool {
	if id == nil {
		return false
	}
	c.mu.Lock()
	_, running := c.active[*id]
	delete(c.active, *id)
	c.mu.Unlock()
	return running
}

// WriteClose implements transport.WebsocketConn: gqlgen's protocol-error
// close (1002) becomes graphql-transport-ws's code; the first close wins.
func (c *wsConn) WriteClose(code int, reason string) error {
	if code == transport.WebsocketCloseProtocolError {
		if reason == gqlgenInitTimeout {
			code, reason = closeInitTimeout, "Connection initialisation timeout"
		} else {
			code, reason = closeBadRequest, "Invalid message received"
		}
	}
	return c.closeWith(code, reason)
}

func (c *wsConn) closeWith(code int, reason string) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	return c.WebsocketConn.WriteClose(code, reason)
}

func (c *wsConn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *wsConn) write(m wsMessage) {
	_ = c.WebsocketConn.WriteJSON(m)
}

// update sets the idle timer after a change of state (acknowledged, a
// subscription begun or ended), and closes a draining connection once its
// subscriptions have ended.
func (c *wsConn) update() {
	c.mu.Lock()
	quiet, draining := c.quietLocked(), c.draining
	if c.t.IdleTimeout > 0 && !c.shut {
		switch {
		case quiet && c.idle == nil:
			c.idle = time.AfterFunc(c.t.IdleTimeout, c.idled)
		case quiet:
			c.idle.Reset(c.t.IdleTimeout)
		case c.idle != nil:
			c.idle.Stop()
		}
	}
	c.mu.Unlock()
	if draining && quiet {
		c.closeWith(closeGoingAway, "Server shutting down")
	}
}

// idled closes a connection that has had no subscription for IdleTimeout.
func (c *wsConn) idled() {
	if c.quiet() {
		c.closeWith(closeNormal, "Idle: no subscription for "+c.t.IdleTimeout.String())
	}
}

// drainStarted is called when the drain starts: the subscriptions end with
// SHUTTING_DOWN (graph's streams end them), then update closes the
// connection, or at the latest drainWait after.
func (c *wsConn) drainStarted() {
	c.mu.Lock()
	c.draining = true
	if !c.shut {
		c.drainLimit = time.AfterFunc(drainWait, func() { c.closeWith(closeGoingAway, "Server shutting down") })
	}
	c.mu.Unlock()
	c.update()
}

// ping sends the keep-alive ping every KeepAlive; a client that answered
// neither of the last two pings is cut off without a close frame: it is
// not listening.
func (c *wsConn) ping() {
	c.mu.Lock()
	if c.shut {
		c.mu.Unlock()
		return
	}
	c.unanswered++
	deaf := c.unanswered > 2 // the last two pings unanswered
	if !deaf {
		c.keepAlive.Reset(c.t.KeepAlive)
	}
	c.mu.Unlock()
	if deaf {
		_ = c.WebsocketConn.Close()
		return
	}
	c.write(wsMessage{Type: "ping"})
}

// drainWait bounds how long a draining connection waits for its
// subscriptions to send their SHUTTING_DOWN.
const drainWait = 5 * time.Second

// quiet reports whether the connection is acknowledged and runs no subscription.
func (c *wsConn) quiet() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.quietLocked()
}

func (c *wsConn) quietLocked() bool { return c.acked && len(c.active) == 0 }

// isObjectOrNull reports whether a payload is absent, null or a JSON object.
func isObjectOrNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null" || raw[0] == '{'
}
