package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"

	"github.com/faultline/faultline/apperr"
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

// locales are the languages messages come in, the default first.
var (
	locales     = apperr.Locales
	localeTags  = []language.Tag{language.English, language.SimplifiedChinese, language.TraditionalChinese, language.Russian}
	localeMatch = language.NewMatcher(localeTags)
)

// Language picks the locale of the request's messages from Accept-Language
// (zh-CN and zh-SG are Simplified Chinese, zh-TW and zh-HK Traditional),
// English by default, and says so in Content-Language. Only messages change:
// codes, types, statuses and details never do.
func Language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		locale := apperr.English
		if accept := r.Header.Get("Accept-Language"); accept != "" {
			tags, _, err := language.ParseAcceptLanguage(accept)
			if err == nil && len(tags) > 0 {
				_, i, confidence := localeMatch.Match(tags...)
				if confidence != language.No {
					locale = locales[i]
				}
			}
		}
		h := w.Header()
		h.Set("Content-Language", string(locale))
		h.Add("Vary", "Accept-Language")
		next.ServeHTTP(w, r.WithContext(apperr.WithLocale(r.Context(), locale)))
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
