package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/apperr"
)

// statusOf is the HTTP status of a response (CONTRACT.md section 3):
//   - a request that is not a GraphQL request (refused) gets its error's status;
//   - a GraphQL request that failed before execution (rejected) gets its
//     first error's status when the client accepts
//     application/graphql-response+json, and 200 under the legacy
//     application/json rule;
//   - an executed operation gets 200, partial data or not;
//   - strict mode gives the first error's status whenever the whole operation
//     failed: no data, or every root field null with an error.
func statusOf(x exchange, contentType string, strict bool) int {
	first := firstStatus(x.resp)
	switch {
	case first == 0:
		return http.StatusOK
	case x.outcome == refused:
		return first
	case strict && wholeOperationFailed(x.resp):
		return first
	case x.outcome == rejected && contentType == ContentTypeGraphQLResponse:
		return first
	}
	return http.StatusOK
}

// firstStatus is the status of the response's first error, or 0.
func firstStatus(resp *graphql.Response) int {
	if len(resp.Errors) == 0 {
		return 0
	}
	if ae, ok := errors.AsType[*apperr.Error](resp.Errors[0]); ok {
		return ae.Status()
	}
	return http.StatusInternalServerError
}

// wholeOperationFailed reports whether no root field of the response has data
// and each null root field has an error.
func wholeOperationFailed(resp *graphql.Response) bool {
	if len(resp.Errors) == 0 {
		return false
	}
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

// retryAfter is the Retry-After of a response whose every error carries a
// retryAfter and none of whose root fields has data: the longest wait, or 0.
func retryAfter(resp *graphql.Response) int {
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

// negotiate picks the response's content type from Accept:
// application/graphql-response+json when the client accepts it, otherwise
// application/json (also for a missing Accept, the spec's legacy rule).
func negotiate(accept string) string {
	if accept == "" || !strings.Contains(accept, ContentTypeGraphQLResponse) {
		return ContentTypeJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mediaType != ContentTypeGraphQLResponse {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				continue
			}
		}
		return ContentTypeGraphQLResponse
	}
	return ContentTypeJSON
}
