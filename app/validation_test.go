package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/internal/requestid"
	"github.com/faultline/faultline/internal/testserver"
)

// fragmentBomb spreads fragment k-1 twice in fragment k: 2^depth fields
// once expanded.
func fragmentBomb(depth int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{ __type(name: "Product") { ...F%d } } fragment F0 on __Type { name } `, depth)
	for k := 1; k <= depth; k++ {
		fmt.Fprintf(&b, "fragment F%d on __Type { x: ofType { ...F%d } y: ofType { ...F%d } } ", k, k-1, k-1)
	}
	return b.String()
}

// TestHostileDocumentsAreAnsweredPromptly sends, anonymously and within the
// body and token limits, documents whose validation took gqlparser's rules
// seconds or forever: each gets data or one typed error (INVALID_QUERY, or
// QUERY_TOO_COMPLEX for the bomb, whose introspection fields count toward
// the complexity), long before any deadline, and its log line.
func TestHostileDocumentsAreAnsweredPromptly(t *testing.T) {
	var aliases, operations strings.Builder
	for i := range 500 {
		fmt.Fprintf(&aliases, "a%d: products { edges { node { name ...F } } } ", i)
		fmt.Fprintf(&operations, "query Q%d { ...F } ", i)
	}
	manyFields := strings.Repeat("name ", 2500)
	cases := []struct {
		name, doc string
		field     string // the root field of the data, or
		rule      string // the rule that refuses the document, or
		typ       string // the limit that does
	}{
		{"8,000 __typename", "{ " + strings.Repeat("__typename ", 8000) + "}", "__typename", "", ""},
		{"a fragment bomb", fragmentBomb(30), "", "", "QUERY_TOO_COMPLEX"},
		{"aliases merging one large fragment", "{ " + aliases.String() + "} fragment F on Product { " + manyFields + "}",
			"", "OverlappingFieldsCanBeMerged", ""},
		{"operations sharing one large fragment", operations.String() + "fragment F on Query { " +
			strings.Repeat("__typename ", 2500) + "}", "", "MaxValidationWalk", ""},
	}
	srv := testserver.Start(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			params := map[string]string{"query": c.doc}
			if strings.HasPrefix(c.doc, "query Q0") {
				params["operationName"] = "Q0"
			}
			body, err := json.Marshal(params)
			require.NoError(t, err)
			require.Less(t, len(body), 1<<20, "within the body limit")
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/query", strings.NewReader(string(body)))
			require.NoError(t, err)
			res := srv.Do(t, req, "Content-Type", "application/json", "Accept", acceptGraphQLResponse)

			line := logLine(t, srv, res.Header.Get(requestid.Header))
			if c.typ != "" {
				assert.Equal(t, c.typ, res.Error(t).Extensions.Type)
				assert.Equal(t, float64(http.StatusUnprocessableEntity), line["status"])
				return
			}
			if c.rule == "" {
				assert.Empty(t, res.Body.Errors, "%.500s", res.Raw)
				assert.Contains(t, res.Body.Data, c.field)
				assert.Equal(t, float64(http.StatusOK), line["status"])
				return
			}
			e := res.Error(t)
			assert.Equal(t, "INVALID_QUERY", e.Extensions.Type)
			assert.Equal(t, c.rule, e.Extensions.Details["rule"])
			assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
			assert.Equal(t, "GRAPHQL_VALIDATION_FAILED/INVALID_QUERY", line["errors"])
		})
	}
}

// TestAGetOverTheTokenLimitGetsWhatAPostGets: a GET's document is parsed
// once, by the engine, with its token limit; only then is a mutation over
// GET refused.
func TestAGetOverTheTokenLimitGetsWhatAPostGets(t *testing.T) {
	srv := testserver.Start(t)
	over := "mutation { " + strings.Repeat("__typename ", graph.ParserTokenLimit) + "}"
	get := request{method: http.MethodGet, body: "query=" + url.QueryEscape(over)}.send(t, srv, "Accept", acceptGraphQLResponse)
	post := request{body: gql(over)}.send(t, srv, "Accept", acceptGraphQLResponse)

	e := get.Error(t)
	assert.Equal(t, "SYNTAX_ERROR", e.Extensions.Type)
	assert.Equal(t, http.StatusBadRequest, get.Status)
	want := post.Error(t)
	assert.Equal(t, post.Status, get.Status)
	assert.Equal(t, want.Message, e.Message)
	assert.Equal(t, want.Locations, e.Locations)
	want.Extensions.RequestID, e.Extensions.RequestID = "", ""
	assert.Equal(t, want.Extensions, e.Extensions)

	within := request{method: http.MethodGet, body: "query=" + url.QueryEscape("mutation { "+strings.Repeat("__typename ", 100)+"}")}.send(t, srv)
	assert.Equal(t, http.StatusMethodNotAllowed, within.Status, "within the limit, a mutation over GET is refused as one")
}
