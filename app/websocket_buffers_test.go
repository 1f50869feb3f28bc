package app_test

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
)

// TestWebSocketMessagesPastTheBuffers: a connection's buffers are small,
// its messages are not bound by them: a subscribe of 60 KB is read, and its
// answer written, whole.
func TestWebSocketMessagesPastTheBuffers(t *testing.T) {
	srv := testserver.Start(t)
	user := newShopper(t, srv, "long@example.com")
	c := connect(t, srv, user.token)
	long := "# " + strings.Repeat("padding ", 7500) + "\n" + walletUpdated
	c.Subscribe("w", long, nil)
	var w wallet
	next(t, c, "w", "walletUpdated", &w)
	assert.Equal(t, "USD", w.Currency)

	name := strings.Repeat("n", 3000)
	c.Subscribe("bad", `subscription { walletUpdated { `+name+` } }`, nil)
	_, e := refused(t, c, "bad")
	assert.Equal(t, "INVALID_QUERY", e.Extensions.Type)
	assert.Contains(t, e.Message, name, "a long answer is written whole")
}

// TestAMessageSentWithTheUpgradeIsRead: a client that sends connection_init
// in the same write as its upgrade request is acknowledged: bytes already
// buffered at the upgrade are not lost.
func TestAMessageSentWithTheUpgradeIsRead(t *testing.T) {
	srv := testserver.Start(t)
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(srv.URL, "http://"), 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))

	upgrade := "GET /query HTTP/1.1\r\nHost: " + strings.TrimPrefix(srv.URL, "http://") + "\r\n" +
		"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
	_, err = conn.Write(append([]byte(upgrade), clientFrame(`{"type":"connection_init"}`)...))
	require.NoError(t, err)

	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, res.StatusCode)
	var m struct{ Type string }
	require.NoError(t, json.Unmarshal(serverFrame(t, br), &m))
	assert.Equal(t, "connection_ack", m.Type)
}

// clientFrame is a masked text frame (RFC 6455, section 5.2) of a payload
// under 126 bytes.
func clientFrame(payload string) []byte {
	var key [4]byte
	_, _ = rand.Read(key[:])
	f := []byte{0x81, 0x80 | byte(len(payload))}
	f = append(f, key[:]...)
	for i := range len(payload) {
		f = append(f, payload[i]^key[i%4])
	}
	return f
}

// serverFrame reads one unmasked frame's payload.
func serverFrame(t *testing.T, br *bufio.Reader) []byte {
	t.Helper()
	head := make([]byte, 2)
	_, err := io.ReadFull(br, head)
	require.NoError(t, err)
	n := int(head[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		_, err = io.ReadFull(br, ext[:])
		n = int(binary.BigEndian.Uint16(ext[:]))
	case 127:
		t.Fatal("an unexpectedly long frame")
	}
	require.NoError(t, err)
	payload := make([]byte, n)
	_, err = io.ReadFull(br, payload)
	require.NoError(t, err, fmt.Sprintf("frame of %d bytes", n))
	return payload
}
