// Package streamtest is a client of faultline's subscriptions for tests:
// graphql-transport-ws over a real WebSocket (coder/websocket), and
// graphql-sse's distinct connections mode over net/http.
package streamtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
)

// Wait is how long a test waits for a message it expects.
const Wait = 10 * time.Second

// Message is a graphql-transport-ws message.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Conn is a graphql-transport-ws connection; it answers the server's pings.
type Conn struct {
	t      testing.TB
	ws     *websocket.Conn
	Header http.Header // the handshake's response headers (X-Request-ID)
	msgs   chan Message

	mu          sync.Mutex
	closeCode   websocket.StatusCode
	closeReason string
	closed      chan struct{}
	answerPings bool
	pings       int
}

// Dial opens a WebSocket to base's /query (base as http://host:port),
// offering graphql-transport-ws; header is sent with the upgrade.
func Dial(t testing.TB, base string, header http.Header) *Conn {
	t.Helper()
	c, err := TryDial(t, base, header, []string{"graphql-transport-ws"})
	require.NoError(t, err)
	return c
}

// TryDial is Dial with the subprotocols chosen, returning the handshake's
// error (and its response, in the error, for a refused one).
func TryDial(t testing.TB, base string, header http.Header, subprotocols []string) (*Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	ws, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/query", &websocket.DialOptions{
		HTTPHeader: header, Subprotocols: subprotocols,
	})
	if err != nil {
		return nil, &DialError{Err: err, Response: res}
	}
	ws.SetReadLimit(-1)
	c := &Conn{t: t, ws: ws, Header: res.Header, msgs: make(chan Message, 64), closed: make(chan struct{}), answerPings: true}
	t.Cleanup(func() { _ = ws.CloseNow() })
	go c.read()
	return c, nil
}

// DialError is a refused handshake.
type DialError struct {
	Err      error
	Response *http.Response
}

func (e *DialError) Error() string { return e.Err.Error() }

func (c *Conn) read() {
	defer close(c.closed)
	defer close(c.msgs)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			c.closeCode, c.closeReason = websocket.CloseStatus(err), closeReason(err)
			c.mu.Unlock()
			return
		}
		var m Message
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.Type == "ping" {
			c.mu.Lock()
			c.pings++
			answer := c.answerPings
			c.mu.Unlock()
			if answer {
				c.Send(Message{Type: "pong"})
			}
			continue
		}
		c.msgs <- m
	}
}

func closeReason(err error) string {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return ""
}

// Pings is how many pings the server has sent.
func (c *Conn) Pings() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pings
}

// AnswerPings sets whether the server's pings get a pong.
func (c *Conn) AnswerPings(on bool) {
	c.mu.Lock()
	c.answerPings = on
	c.mu.Unlock()
}

// Send writes a message.
func (c *Conn) Send(m Message) {
	b, _ := json.Marshal(m)
	c.SendRaw(b)
}

// SendRaw writes a text message as it is.
func (c *Conn) SendRaw(b []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	_ = c.ws.Write(ctx, websocket.MessageText, b)
}

// Init sends connection_init with payload (nil: none) and waits for connection_ack.
func (c *Conn) Init(payload map[string]any) {
	c.t.Helper()
	m := Message{Type: "connection_init"}
	if payload != nil {
		m.Payload, _ = json.Marshal(payload)
	}
	c.Send(m)
	ack := c.Next()
	require.Equal(c.t, "connection_ack", ack.Type, "%+v", ack)
}

// Bearer is connection_init's payload for an access token.
func Bearer(token string) map[string]any { return map[string]any{"authorization": "Bearer " + token} }

// Subscribe starts operation id.
func (c *Conn) Subscribe(id, query string, variables map[string]any) {
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	c.Send(Message{ID: id, Type: "subscribe", Payload: payload})
}

// Complete stops operation id.
func (c *Conn) Complete(id string) { c.Send(Message{ID: id, Type: "complete"}) }

// Next returns the next message (pings aside), failing the test when none
// comes within Wait or the connection closes.
func (c *Conn) Next() Message {
	c.t.Helper()
	m, ok := c.TryNext(Wait)
	require.True(c.t, ok, "no message within %s (closed: %d %q)", Wait, c.closeCodeNow(), c.closeReasonNow())
	return m
}

// TryNext returns the next message within d; false when none came or the
// connection closed.
func (c *Conn) TryNext(d time.Duration) (Message, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	case <-time.After(d):
		return Message{}, false
	}
}

// Open is what Closed answers for a connection still open.
const Open = -2

// Closed waits up to d for the connection to close, and returns the
// server's close code and reason: -1 for a connection cut without a close
// frame, Open when it did not close.
func (c *Conn) Closed(d time.Duration) (int, string) {
	select {
	case <-c.closed:
		return c.closeCodeNow(), c.closeReasonNow()
	case <-time.After(d):
		return Open, ""
	}
}

func (c *Conn) closeCodeNow() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.closeCode)
}

func (c *Conn) closeReasonNow() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeReason
}

// Close closes the connection normally.
func (c *Conn) Close() { _ = c.ws.Close(websocket.StatusNormalClosure, "") }

// Result decodes a next message's payload (or an error message's list) as a
// response, with the handshake's headers, for testserver.CheckEnvelope.
func (c *Conn) Result(t testing.TB, m Message) *testserver.Response {
	t.Helper()
	return result(t, c.Header, m)
}

func result(t testing.TB, h http.Header, m Message) *testserver.Response {
	t.Helper()
	r := &testserver.Response{Status: http.StatusOK, Header: h, Raw: m.Payload}
	switch m.Type {
	case "next":
		require.NoError(t, json.Unmarshal(m.Payload, &r.Body), "%s", m.Payload)
	case "error":
		require.NoError(t, json.Unmarshal(m.Payload, &r.Body.Errors), "%s", m.Payload)
	default:
		t.Fatalf("a %s message has no result: %+v", m.Type, m)
	}
	testserver.CheckEnvelope(t, r)
	return r
}

// SSE is one graphql-sse stream.
type SSE struct {
	Response *http.Response
	Events   chan Message // type next or complete; closed at the end of the stream
}

// Stream POSTs an operation with Accept: text/event-stream; headers are
// name, value pairs. A refused request is returned with no events.
func Stream(t testing.TB, base, query string, variables map[string]any, headers ...string) *SSE {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	req, err := http.NewRequest(http.MethodPost, base+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	require.NoError(t, err)
	s := &SSE{Response: res, Events: make(chan Message, 64)}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		close(s.Events)
		return s
	}
	go func() {
		defer close(s.Events)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev Message
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Type = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Payload = json.RawMessage(strings.TrimPrefix(line, "data: "))
			case line == "" && ev.Type != "":
				s.Events <- ev
				ev = Message{}
			}
		}
	}()
	return s
}

// Next returns the stream's next event, failing when none comes within Wait.
func (s *SSE) Next(t testing.TB) Message {
	t.Helper()
	select {
	case m, ok := <-s.Events:
		require.True(t, ok, "the stream ended")
		return m
	case <-time.After(Wait):
		t.Fatalf("no event within %s", Wait)
		return Message{}
	}
}

// Result decodes a next event as a response, checking its envelope.
func (s *SSE) Result(t testing.TB, m Message) *testserver.Response {
	t.Helper()
	return result(t, s.Response.Header, m)
}
