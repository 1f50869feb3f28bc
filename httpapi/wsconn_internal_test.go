package httpapi

import (
	"encoding/json"
	"strconv"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOnlyAPlainNextSkipsTheCheck: gqlgen's next message of an event
// without errors goes out as it is; anything else is decoded and checked.
func TestOnlyAPlainNextSkipsTheCheck(t *testing.T) {
	for raw, plain := range map[string]bool{
		`{"payload":{"data":{"walletUpdated":{"balanceCents":5}}},"id":"w","type":"next"}`:              true,
		`{"payload":{"data":{"walletUpdated":null},"errors":[{"message":"x"}]},"id":"w","type":"next"}`: false,
		`{"payload":{"data":{"product":{"name":"errors"}}},"id":"w","type":"next"}`:                     false, // decoded, to be sure
		`{"payload":[{"message":"x"}],"id":"w","type":"error"}`:                                         false,
		`{"id":"w","type":"complete"}`:                                                      false,
		`{"type":"next","id":"w","payload":{"data":{}}}`:                                    false,
		`{"payload":{"data":{"walletUpdated":{"balanceCents":5}}},"id":"w","type":"next"} `: false,
	} {
		assert.Equal(t, plain, plainNext([]byte(raw)), raw)
	}
}

// recordingConn is a WebSocket that notes what is written to it, in order.
type recordingConn struct {
	transport.WebsocketConn
	mu     sync.Mutex
	frames []string
}

func (r *recordingConn) WriteJSON(v any) error {
	raw, err := json.Marshal(v)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, string(raw))
	return err
}

func (r *recordingConn) WriteClose(code int, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, "close "+strconv.Itoa(code))
	return nil
}

// TestADrainingConnectionClosesAfterItsLastEnd: once the drain has begun,
// the message that ends the last subscription (complete, or error) is
// written before the close frame, whichever comes first of the drain and
// the end; a drain seen before the end would otherwise close first and
// the client would never read the end.
func TestADrainingConnectionClosesAfterItsLastEnd(t *testing.T) {
	for _, end := range []string{`{"id":"w","type":"complete"}`, `{"id":"w","payload":[],"type":"error"}`} {
		rec := &recordingConn{}
		c := &wsConn{t: &WebSocket{}, WebsocketConn: rec, acked: true, active: map[string]struct{}{"w": {}}}
		c.drainStarted()
		require.Empty(t, rec.frames, "a subscription still runs")
		require.NoError(t, c.WriteJSON(json.RawMessage(end)))
		c.drainLimit.Stop()
		require.Len(t, rec.frames, 2, end)
		assert.JSONEq(t, end, rec.frames[0])
		assert.Equal(t, "close 1001", rec.frames[1])
	}
}
