package httpapi

import (
	"bufio"
	"net"
	"net/http"
)

// wsBufferBytes is the size of a WebSocket connection's read and write
// buffers. net/http hands a hijacked connection 4 KiB of each, a third of
// what an idle connection costs; graphql-transport-ws messages are a few
// hundred bytes, and a larger one is read and written in more calls, not
// refused (docs/benchmarks.md, Subscriptions).
const wsBufferBytes = 1 << 10

// smallBuffers is a ResponseWriter whose Hijack returns the connection with
// wsBufferBytes buffers. coder/websocket reads and writes through the
// buffers Hijack returns, and has no option of its own for their size.
type smallBuffers struct {
	http.ResponseWriter
}

// Hijack implements http.Hijacker. Bytes the client sent past the upgrade
// request, already in net/http's buffer, keep that buffer.
func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	r := brw.Reader
	if r.Buffered() == 0 {
		r = bufio.NewReaderSize(conn, wsBufferBytes)
	}
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, wsBufferBytes)), nil
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }
