package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"

	"github.com/faultline/faultline/apperr"
)

// CORS answers browsers on other origins (README, Browsers and Apollo
// Client's links): preflights,
// and the CORS headers of every answer to an allowed origin, whatever it
// holds. rs/cors does both; what it leaves to the handler, CORS adds: a
// request from an origin that is not allowed is refused in the envelope
// (ORIGIN_NOT_ALLOWED, without CORS headers, so the browser blocks it), and
// same-origin requests (the playground's) and requests without Origin
// (curl, servers) are left alone.
type CORS struct {
	c *cors.Cors
}

// CORS headers of faultline: what a browser app may send and read.
var (
	corsMethods = []string{http.MethodGet, http.MethodPost}
	corsHeaders = []string{
		"Accept", "Accept-Language", "Authorization", "Content-Type", "X-Request-ID",
		"traceparent", "tracestate",
		// Apollo Client's: the CSRF-prevention header and client awareness.
		"apollo-require-preflight", "apollographql-client-name", "apollographql-client-version", "x-apollo-operation-name",
	}
	corsExposed = []string{"X-Request-ID", "Retry-After", "WWW-Authenticate", "Content-Language"}
)

// corsMaxAge is how long a browser may keep a preflight's answer, in seconds.
const corsMaxAge = 600

// NewCORS allows origins ("*" for any; nil for none but the same origin).
func NewCORS(origins []string) *CORS {
	opts := cors.Options{
		AllowedOrigins:       origins,
		AllowedMethods:       corsMethods,
		AllowedHeaders:       corsHeaders,
		ExposedHeaders:       corsExposed,
		MaxAge:               corsMaxAge,
		OptionsSuccessStatus: http.StatusNoContent,
	}
	if len(origins) == 0 { // rs/cors reads an empty list as every origin
		opts.AllowOriginFunc = func(string) bool { return false }
	}
	return &CORS{c: cors.New(opts)}
}

// handle runs before anything else of a request to /query. done says the
// request is answered (a preflight); refused, that it must be answered with
// ORIGIN_NOT_ALLOWED.
func (c *CORS) handle(w http.ResponseWriter, r *http.Request) (done bool, refused *apperr.Error) {
	if c == nil {
		return false, nil
	}
	origin := r.Header.Get("Origin")
	if origin == "" || sameOrigin(r, origin) {
		return false, nil
	}
	if !c.c.OriginAllowed(r) {
		return false, apperr.New(apperr.OriginNotAllowed).With("origin", truncate(origin, 256))
	}
	c.c.HandlerFunc(w, r)
	return isPreflight(r), nil
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// sameOrigin reports whether origin names the host the request was sent to
// (any scheme: a proxy in front may end TLS).
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
