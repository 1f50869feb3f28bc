package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// next reads the next message, answering pings on the way.
func (c *conn) next(ctx context.Context) (message, error) {
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			return message{}, err
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
		var r struct {
			Data struct {
				WalletUpdated *struct{ BalanceCents int }
			}
			Errors []json.RawMessage
		}
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			return err
		}
		if len(r.Errors) > 0 || r.Data.WalletUpdated == nil {
			return errors.New("the stream ended: " + string(m.Payload))
		}
		arrived(r.Data.WalletUpdated.BalanceCents, at)
	}
}

func (c *conn) close() { _ = c.ws.CloseNow() }
