package httpapi

import (
	"context"
	"net/http"

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
// header), its client's key (package clientip; see ScopeBehind), the locale of its messages (from Accept-Language: zh-CN and zh-SG
// are Simplified Chinese, zh-TW and zh-HK Traditional; English by default;
// said in Content-Language, and in Vary on GET, the only responses a cache
// may store, with Origin), and what the scopers add. Only messages change with the
// locale: codes, types, statuses and details never do.
func Scope(next http.Handler, scopers ...Scoper) http.Handler {
	return ScopeBehind(nil, next, scopers...)
}

// ScopeBehind is Scope behind proxies: the client of a request from one of
// them is the one its X-Forwarded-For names (clientip.Proxies.Client).
func ScopeBehind(proxies *clientip.Proxies, next http.Handler, scopers ...Scoper) http.Handler {
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
		ctx = clientip.With(ctx, proxies.Client(r.RemoteAddr, r.Header[forwardedForKey]))
		for _, add := range scopers {
			ctx = add(ctx, r)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Header values that never change, shared by every response (net/http only
// reads them), with their keys in canonical form.
var (
	requestIDKey    = http.CanonicalHeaderKey(requestid.Header)
	forwardedForKey = http.CanonicalHeaderKey("X-Forwarded-For")
	// A GET may be cached: its answer varies with the language asked and,
	// for browsers on other origins, with the origin (the CORS headers).
	varyAcceptLanguage = []string{"Accept-Language, Origin"}
	contentLanguage    = func() map[apperr.Locale][]string {
		m := make(map[apperr.Locale][]string, len(apperr.Locales))
		for _, l := range apperr.Locales {
			m[l] = []string{string(l)}
		}
		return m
	}()
)

// localeMatch matches Accept-Language against apperr.Locales, the default
// first, so that a locale added there is offered here.
var localeMatch = language.NewMatcher(func() []language.Tag {
	tags := make([]language.Tag, len(apperr.Locales))
	for i, l := range apperr.Locales {
		tags[i] = language.Make(string(l))
	}
	return tags
}())

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
	return apperr.Locales[i]
}
