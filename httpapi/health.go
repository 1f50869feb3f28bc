package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/faultline/faultline/operation"
)

// Healthz answers while the process runs.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyTimeout bounds the database ping of /readyz, so that a database that
// hangs makes the probe fail rather than hang.
const readyTimeout = 2 * time.Second

// Readyz answers 200 while the database answers ping and the gate is open,
// and 503 otherwise. It never shows the driver's error.
func Readyz(gate *operation.Gate, ping func(ctx context.Context) error) http.HandlerFunc {
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
