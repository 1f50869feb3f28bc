package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/clientip"
	"github.com/faultline/faultline/internal/requestid"
)

// Scoper adds a request's own values to its context (the auth state, say).
type Scoper func(ctx context.Context, r *http.Request) context.Context

// Scope gives every request its context in one step, copying the request
// once: its id (the incoming X-Request-ID when well-formed, 1-64 of
// [A-Za-z0-9._-], a fresh one otherwise; also sent back in the response
// header), its client's key (package clientip), the locale of its messages (from Accept-Language: zh-CN and zh-SG
// are Simplified Chinese, zh-TW and zh-HK Traditional; English by default;
// said in Content-Language, and in Vary on GET, the only responses a cache
// may store), and what the scopers add. Only messages change with the
// locale: codes, types, statuses and details never do.
func Scope(next http.Handler, scopers ...Scoper) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestid.Header)
		if !requestid.Valid(id) {
			id = requestid.New()
		}
		locale := negotiateLocale(r.Header.Get("Accept-Language"))
		h := w.Header()
		h[requestIDKey] = []string{id}
		h["Content-Language"] = contentLanguage[locale]
		if r.Method == http.MethodGet {
			h["Vary"] = varyAcceptLanguage
		}
		ctx := apperr.WithLocale(requestid.With(r.Context(), id), locale)
		ctx = clientip.With(ctx, clientip.Key(r.RemoteAddr))
		for _, add := range scopers {
			ctx = add(ctx, r)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Header values that never change, shared by every response (net/http only
// reads them), with their keys in canonical form.
var (
	requestIDKey       = http.CanonicalHeaderKey(requestid.Header)
	varyAcceptLanguage = []string{"Accept-Language"}
	contentLanguage    = func() map[apperr.Locale][]string {
		m := make(map[apperr.Locale][]string, len(apperr.Locales))
		for _, l := range apperr.Locales {
			m[l] = []string{string(l)}
		}
		return m
	}()
)

// locales are the languages messages come in, the default first.
var (
	locales     = apperr.Locales
	localeTags  = []language.Tag{language.English, language.SimplifiedChinese, language.TraditionalChinese, language.Russian}
	localeMatch = language.NewMatcher(localeTags)
)

// negotiateLocale picks the locale of an Accept-Language header.
func negotiateLocale(accept string) apperr.Locale {
	if accept == "" {
		return apperr.English
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return apperr.English
	}
	_, i, confidence := localeMatch.Match(tags...)
	if confidence == language.No {
		return apperr.English
	}
	return locales[i]
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
