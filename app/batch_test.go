package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/requestid"
	"github.com/faultline/faultline/internal/testserver"
)

// postBatch posts a batch as BatchHttpLink does and decodes the array.
func postBatch(t *testing.T, srv *testserver.Server, body string, headers ...string) (*testserver.Response, []testserver.Body) {
	t.Helper()
	res := srv.Post(t, []byte(body), append([]string{"Content-Type", "application/json", "Accept", acceptGraphQLResponse}, headers...)...)
	var out []testserver.Body
	if strings.HasPrefix(string(res.Raw), "[") {
		require.NoError(t, json.Unmarshal(res.Raw, &out), "%s", res.Raw)
	}
	return res, out
}

// TestABatchAnswersEachOperationInOrder: with FAULTLINE_BATCH_MAX, a JSON
// array of operations gets an array of answers in order, each with its own
// data and typed errors and its own log line; mutations apply in order; a
// malformed entry spoils only its own answer.
func TestABatchAnswersEachOperationInOrder(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_BATCH_MAX", "5"))
	token := loginUser(t, srv).AccessToken

	res, answers := postBatch(t, srv, `[
		{"query": "{ products(first: 1) { edges { cursor } } }"},
		{"query": "{ nope }"},
		{"query": "mutation($a: Int!) { topUp(amountCents: $a) { balanceCents } }", "variables": {"a": 100}},
		{"query": "mutation($a: Int!) { topUp(amountCents: $a) { balanceCents } }", "variables": {"a": 200}},
		"not an object"
	]`, "Authorization", "Bearer "+token)
	assert.Equal(t, http.StatusOK, res.Status)
	require.Len(t, answers, 5, "%s", res.Raw)
	assert.Contains(t, string(answers[0].Data["products"]), "edges")
	assert.Empty(t, answers[0].Errors)
	require.Len(t, answers[1].Errors, 1)
	assert.Equal(t, "INVALID_QUERY", answers[1].Errors[0].Extensions.Type)
	assert.JSONEq(t, `{"balanceCents": 100}`, string(answers[2].Data["topUp"]))
	assert.JSONEq(t, `{"balanceCents": 300}`, string(answers[3].Data["topUp"]), "in order")
	require.Len(t, answers[4].Errors, 1)
	assert.Equal(t, "MALFORMED_REQUEST", answers[4].Errors[0].Extensions.Type)
	for _, a := range answers {
		for _, e := range a.Errors {
			assert.Equal(t, res.Header.Get(requestid.Header), e.Extensions.RequestID)
		}
	}
	lines := 0
	for _, l := range srv.Logs.For(res.Header.Get(requestid.Header)) {
		if l["msg"] == "graphql" {
			lines++
		}
	}
	assert.Equal(t, 5, lines, "one log line per operation")
}

// TestABatchOverItsMaximumIsRefusedWhole: each of its operations gets the
// one BATCH_TOO_LARGE (so that BatchHttpLink hands every operation its
// typed error), with the error's status, and nothing runs; an empty batch,
// or one of more than 100, is one answer. Without FAULTLINE_BATCH_MAX a
// batch is refused as before.
func TestABatchOverItsMaximumIsRefusedWhole(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_BATCH_MAX", "2"))
	one := `{"query": "{ __typename }"}`
	res, answers := postBatch(t, srv, "["+one+","+one+","+one+"]")
	assert.Equal(t, http.StatusBadRequest, res.Status)
	require.Len(t, answers, 3, "%s", res.Raw)
	for _, a := range answers {
		require.Len(t, a.Errors, 1)
		e := a.Errors[0]
		assert.Equal(t, "BAD_REQUEST", e.Extensions.Code)
		assert.Equal(t, "BATCH_TOO_LARGE", e.Extensions.Type)
		assert.Equal(t, map[string]any{"limit": float64(2), "actual": float64(3)}, e.Extensions.Details)
		assert.Nil(t, a.Data, "nothing ran")
	}

	empty, answers := postBatch(t, srv, "[]")
	assert.Nil(t, answers, "one answer, not an array")
	assert.Equal(t, map[string]any{"limit": float64(2), "actual": float64(0)}, empty.Error(t).Extensions.Details)
	assert.Equal(t, http.StatusBadRequest, empty.Status)

	// Past 100 operations the refusal is not copied for each: one answer.
	huge, answers := postBatch(t, srv, "["+strings.TrimSuffix(strings.Repeat(one+",", 101), ",")+"]")
	assert.Nil(t, answers, "one answer, not an array of 101")
	assert.Equal(t, map[string]any{"limit": float64(2), "actual": float64(101)}, huge.Error(t).Extensions.Details)
	assert.Equal(t, http.StatusBadRequest, huge.Status)

	off := testserver.Start(t)
	res, _ = postBatch(t, off, "["+one+"]")
	assert.Equal(t, "MALFORMED_REQUEST", res.Error(t).Extensions.Type)
	assert.Equal(t, "batch", res.Error(t).Extensions.Details["reason"])
}

// TestEachOperationOfABatchKeepsItsLimits: the login throttle, the
// one-hash-per-operation rule and the rate limit count each operation.
func TestEachOperationOfABatchKeepsItsLimits(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_BATCH_MAX", "10"))
	var entries []string
	for i := range 6 {
		entries = append(entries, `{"query": "mutation { login(email: \"`+app.DemoUserEmail+`\", password: \"wrong `+strconv.Itoa(i)+`\") { accessToken } }"}`)
	}
	_, answers := postBatch(t, srv, "["+strings.Join(entries, ",")+"]")
	require.Len(t, answers, 6)
	for i, a := range answers[:5] {
		require.Len(t, a.Errors, 1)
		assert.Equal(t, "INVALID_CREDENTIALS", a.Errors[0].Extensions.Type, "attempt %d", i+1)
	}
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", answers[5].Errors[0].Extensions.Type, "one login per operation is allowed, and counted")

	limited := testserver.Start(t, testserver.Env("FAULTLINE_BATCH_MAX", "10"), testserver.Env("FAULTLINE_RATE_LIMIT", "2"))
	one := `{"query": "{ __typename }"}`
	res, answers := postBatch(t, limited, "["+one+","+one+","+one+"]")
	assert.Equal(t, http.StatusOK, res.Status)
	require.Len(t, answers, 3)
	assert.Empty(t, answers[0].Errors)
	assert.Empty(t, answers[1].Errors)
	require.Len(t, answers[2].Errors, 1)
	assert.Equal(t, "TOO_MANY_REQUESTS", answers[2].Errors[0].Extensions.Type, "the third operation is past the rate")
}
