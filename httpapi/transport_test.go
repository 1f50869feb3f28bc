package httpapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// TestAGetOverTheTokenLimitIsAnsweredAsAPost: the parse that refuses
// mutations over GET stops at the engine's token limit, and a document over
// it gets the engine's SYNTAX_ERROR, as a POST does, rather than 405.
func TestAGetOverTheTokenLimitIsAnsweredAsAPost(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	gql := graph.NewServer(&graph.Resolver{}, graph.Options{MaxDepth: 15, MaxComplexity: 1000, Log: log})
	gql.AddTransport(&httpapi.Transport{MaxBodyBytes: 1 << 20, TokenLimit: graph.ParserTokenLimit, Log: log})
	srv := httptest.NewServer(httpapi.Scope(gql))
	defer srv.Close()

	answer := func(res *http.Response, err error) (int, map[string]any) {
		t.Helper()
		require.NoError(t, err)
		defer res.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		for _, e := range body["errors"].([]any) {
			delete(e.(map[string]any)["extensions"].(map[string]any), "requestId")
		}
		return res.StatusCode, body
	}
	get := func(doc string) (int, map[string]any) {
		return answer(http.Get(srv.URL + "?query=" + url.QueryEscape(doc)))
	}
	post := func(doc string) (int, map[string]any) {
		body, _ := json.Marshal(map[string]string{"query": doc})
		return answer(http.Post(srv.URL, "application/json", bytes.NewReader(body)))
	}

	over := "mutation { " + strings.Repeat("__typename ", graph.ParserTokenLimit) + "}"
	getStatus, getBody := get(over)
	postStatus, postBody := post(over)
	assert.Equal(t, postStatus, getStatus)
	assert.Equal(t, postBody, getBody)
	e := getBody["errors"].([]any)[0].(map[string]any)
	assert.Equal(t, "SYNTAX_ERROR", e["extensions"].(map[string]any)["type"])
	assert.Contains(t, e["message"], "token limit")

	// Within the limit, a mutation over GET is still refused as one.
	status, _ := get("mutation { " + strings.Repeat("__typename ", 100) + "}")
	assert.Equal(t, http.StatusMethodNotAllowed, status)
}
