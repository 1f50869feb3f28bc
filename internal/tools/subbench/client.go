package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// message is a graphql-transport-ws message.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// conn is one graphql-transport-ws connection; the package's own client,
// so that the run measures the server and not a test helper's bookkeeping.
type conn struct {
	ws *websocket.Conn
}

// dial opens a WebSocket to base's /query, sends connection_init with the
// token and waits for connection_ack.
func dial(ctx context.Context, base, token string) (*conn, error) {
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/query", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		return nil, err
	}
	c := &conn{ws: ws}
	payload, _ := json.Marshal(map[string]string{"authorization": "Bearer " + token})
	if err := c.send(ctx, message{Type: "connection_init", Payload: payload}); err != nil {
		c.close()
		return nil, err
	}
	for {
		m, err := c.next(ctx)
		if err != nil {
			c.close()
			return nil, err
		}
		if m.Type == "connection_ack" {
			return c, nil
		}
	}
}

func (c *conn) send(ctx context.Context, m message) error {
	b, _ := json.Marshal(m)
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// next reads the next message, answering pings on the way. A next
// message is not decoded here (follow reads its one number): a thousand
// decodes a round on the server's cores would weigh on what is measured.
func (c *conn) next(ctx context.Context) (message, error) {
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			return message{}, err
		}
		if bytes.HasSuffix(data, []byte(`"type":"next"}`)) {
			return message{Type: "next", Payload: data}, nil
		}
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			return m, err
		}
		if m.Type != "ping" {
			return m, nil
		}
		if err := c.send(ctx, message{Type: "pong"}); err != nil {
			return m, err
		}
	}
}

func (c *conn) subscribe(ctx context.Context, id, query string) error {
	payload, _ := json.Marshal(map[string]any{"query": query})
	return c.send(ctx, message{ID: id, Type: "subscribe", Payload: payload})
}

// follow reads the wallet's states until the connection ends, calling
// arrived with each balance and the time it was read.
func (c *conn) follow(ctx context.Context, arrived func(balance int, at time.Time)) error {
	for {
		m, err := c.next(ctx)
		if err != nil {
			return err
		}
		at := time.Now()
		if m.Type != "next" {
			return fmt.Errorf("a %s message: %s", m.Type, m.Payload)
		}
		balance, ok := balanceOf(m.Payload)
		if !ok {
			return errors.New("the stream ended: " + string(m.Payload))
		}
		arrived(balance, at)
	}
}

// balanceOf reads walletUpdated's balanceCents from a next message, or
// false when it carries an error or no wallet.
func balanceOf(data []byte) (int, bool) {
	const key = `{"data":{"walletUpdated":{"balanceCents":`
	i := bytes.Index(data, []byte(key))
	if i < 0 || bytes.Contains(data, []byte(`"errors"`)) {
		return 0, false
	}
	digits := data[i+len(key):]
	end := bytes.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' })
	n, err := strconv.Atoi(string(digits[:max(end, 0)]))
	return n, err == nil
}

func (c *conn) close() { _ = c.ws.CloseNow() }
