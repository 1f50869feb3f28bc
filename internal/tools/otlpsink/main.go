// Command otlpsink is an OTLP/HTTP receiver that reads and discards what it
// is sent, answering as a collector would: the far end of traced
// benchmarks (scripts/bench-telemetry.sh), so that the exporter's work is
// measured without a collector's.
//
//	go run ./internal/tools/otlpsink -addr 127.0.0.1:4318
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4318", "the address to listen on (loopback)")
	flag.Parse()
	var exports, bytes atomic.Int64
	srv := &http.Server{
		Addr:              *addr,
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := io.Copy(io.Discard, r.Body)
			exports.Add(1)
			bytes.Add(n)
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.WriteHeader(http.StatusOK) // an empty ExportTraceServiceResponse
		}),
	}
	go func() {
		for range time.Tick(10 * time.Second) {
			if n := exports.Load(); n > 0 {
				log.Printf("otlpsink: %d exports, %d bytes", n, bytes.Load())
			}
		}
	}()
	log.Fatal(srv.ListenAndServe())
}
