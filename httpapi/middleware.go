package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/internal/requestid"
)

// RequestID gives every request an id: the incoming X-Request-ID when it is
// well-formed (1-64 of [A-Za-z0-9._-]), a fresh one otherwise. The id goes
// into the context (for errors and logs) and into the response header.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestid.Header)
		if !requestid.Valid(id) {
			id = requestid.New()
		}
		w.Header().Set(requestid.Header, id)
		next.ServeHTTP(w, r.WithContext(requestid.With(r.Context(), id)))
	})
}

// Gate is closed when a graceful shutdown begins: /readyz fails so load
// balancers stop sending traffic, and requests that still arrive get
// SERVICE_UNAVAILABLE / SHUTTING_DOWN while those in flight finish.
type Gate struct {
	closing atomic.Bool
}

// Close starts the drain.
func (g *Gate) Close() { g.closing.Store(true) }

// Closing reports whether the drain has started; a nil Gate never closes.
func (g *Gate) Closing() bool { return g != nil && g.closing.Load() }

// Healthz answers while the process runs.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyTimeout bounds the database ping of /readyz, so that a database that
// hangs makes the probe fail rather than hang.
const readyTimeout = 2 * time.Second

// Readyz answers 200 while the database answers ping and the gate is open,
// and 503 otherwise. It never shows the driver's error.
func Readyz(gate *Gate, ping func(ctx context.Context) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		switch {
		case gate.Closing():
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "shutting down"})
		case ping(ctx) != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unavailable"})
		default:
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
