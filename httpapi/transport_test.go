package httpapi_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/httpapi"
)

// TestResponseHooksSeePresentedErrors: a hook (the auth issue's
// WWW-Authenticate) gets the request and the presented response, with the
// apperr error reachable from each entry, before the headers are sent.
func TestResponseHooksSeePresentedErrors(t *testing.T) {
	var seen []apperr.Type
	hook := func(r *http.Request, resp *graphql.Response, h http.Header) {
		for _, e := range resp.Errors {
			if ae, ok := errors.AsType[*apperr.Error](e); ok {
				seen = append(seen, ae.Type)
			}
		}
		h.Set("X-Hooked", r.Method)
	}
	log := slog.New(slog.DiscardHandler)
	gql := graph.NewServer(&graph.Resolver{}, graph.Options{MaxDepth: 15, MaxComplexity: 1000, Log: log})
	gql.AddTransport(&httpapi.Transport{MaxBodyBytes: 1024, Log: log, Hooks: []httpapi.ResponseHook{hook}})
	srv := httptest.NewServer(httpapi.Scope(gql))
	defer srv.Close()

	res, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"query":"{ nope }"}`))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	assert.Equal(t, "POST", res.Header.Get("X-Hooked"))
	assert.Equal(t, []apperr.Type{apperr.InvalidQuery}, seen)

	seen = nil
	res, err = http.Post(srv.URL, "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.JSONEq(t, `{"data":{"__typename":"Query"}}`, string(body))
	assert.Equal(t, "POST", res.Header.Get("X-Hooked"), "hooks run on success too")
	assert.Empty(t, seen)
}
