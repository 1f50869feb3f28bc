package operation

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/apperr"
)

// Status is the HTTP status of an operation's response (README, HTTP
// statuses), whatever carries it:
//   - a request refused before it was read as GraphQL (the BAD_REQUEST
//     family, a drain, the rate limit) gets its error's own status;
//   - an operation that failed before execution (no data: parse,
//     validation, variables, limits) gets its first error's status when the
//     client accepts application/graphql-response+json (graphqlResponse),
//     and 200 under the legacy application/json rule;
//   - an executed operation gets 200, partial data or not;
//   - strict mode gives the first error's status whenever the whole
//     operation failed: no data, or every root field null with an error.
func Status(resp *graphql.Response, graphqlResponse, strict bool) int {
	if len(resp.Errors) == 0 {
		return http.StatusOK
	}
	first, refused := http.StatusInternalServerError, false
	if ae, ok := errors.AsType[*apperr.Error](resp.Errors[0]); ok {
		first, refused = ae.Status(), alwaysOwnStatus(ae.Type)
	}
	switch {
	case refused:
		return first
	case strict && wholeOperationFailed(resp):
		return first
	case resp.Data == nil && graphqlResponse:
		return first
	}
	return http.StatusOK
}

// alwaysOwnStatus reports whether t refuses a request before it is read as
// GraphQL, which is answered with t's status whatever the client accepts.
func alwaysOwnStatus(t apperr.Type) bool {
	return t.Code() == apperr.CodeBadRequest || t == apperr.ShuttingDown || t == apperr.TooManyRequests || t == apperr.OriginNotAllowed
}

// wholeOperationFailed reports whether no root field of the response has data
// and each null root field has an error.
func wholeOperationFailed(resp *graphql.Response) bool {
	fields, ok := rootFields(resp)
	if !ok {
		return true
	}
	for key, value := range fields {
		if !bytes.Equal(value, []byte("null")) || !hasErrorAt(resp, key) {
			return false
		}
	}
	return true
}

// rootFields decodes the response's data object; ok is false when there is
// no data at all.
func rootFields(resp *graphql.Response) (map[string]json.RawMessage, bool) {
	if len(resp.Data) == 0 || bytes.Equal(resp.Data, []byte("null")) {
		return nil, false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &fields); err != nil {
		return nil, false
	}
	return fields, true
}

func hasErrorAt(resp *graphql.Response, key string) bool {
	for _, e := range resp.Errors {
		if len(e.Path) > 0 && e.Path[0] == ast.PathName(key) {
			return true
		}
	}
	return false
}

// RetryAfter is the Retry-After of a response whose every error carries a
// retryAfter and none of whose root fields has data: the longest wait, or 0.
func RetryAfter(resp *graphql.Response) int {
	if len(resp.Errors) == 0 {
		return 0
	}
	longest := 0
	for _, e := range resp.Errors {
		ae, ok := errors.AsType[*apperr.Error](e)
		if !ok {
			return 0
		}
		s := ae.RetryAfterSeconds()
		if s == 0 {
			return 0
		}
		longest = max(longest, s)
	}
	if fields, ok := rootFields(resp); ok {
		for _, v := range fields {
			if !bytes.Equal(v, []byte("null")) {
				return 0
			}
		}
	}
	return longest
}
