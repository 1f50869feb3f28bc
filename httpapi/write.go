package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/requestid"
	"github.com/faultline/faultline/operation"
)

// write sends the response with the status the catalog gives it.
func (t *Transport) write(w http.ResponseWriter, r *http.Request, resp *graphql.Response, contentType, allow string) {
	status := operation.Status(resp, contentType == ContentTypeGraphQLResponse, t.Strict)
	h := w.Header()
	h["Content-Type"] = contentTypes[contentType]
	if allow != "" {
		h.Set("Allow", allow)
	}
	if s := operation.RetryAfter(resp); s > 0 {
		h.Set("Retry-After", strconv.Itoa(s))
	}
	if t.Admission != nil && t.Admission.Gate.Closing() {
		h.Set("Connection", "close")
	}
	for _, hook := range t.Hooks {
		hook(r, resp, h)
	}
	body, err := encode(resp)
	if err != nil {
		// Only a value the presenter did not make could fail; answer INTERNAL
		// in the envelope rather than a broken body.
		t.Log.Error("encoding a response", slog.String("request_id", requestid.From(r.Context())), slog.Any("error", err))
		status = http.StatusInternalServerError
		body = internalErrorBody(r.Context())
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeBatch sends the answers of a batch as one JSON array, in the order of
// its operations, with status 200: the batch was read, and each operation's
// status is in its errors and its log line. A batch refused as a whole
// (refuseBatch) gets its refusal's status.
func (t *Transport) writeBatch(w http.ResponseWriter, r *http.Request, resps []*graphql.Response, contentType string) {
	status := http.StatusOK
	if first := resps[0]; len(first.Errors) == 1 && errors.Is(first.Errors[0], apperr.BatchTooLarge) {
		status = operation.Status(first, contentType == ContentTypeGraphQLResponse, t.Strict)
	}
	h := w.Header()
	h["Content-Type"] = contentTypes[contentType]
	if t.Admission != nil && t.Admission.Gate.Closing() {
		h.Set("Connection", "close")
	}
	body := []byte{'['}
	for i, resp := range resps {
		for _, hook := range t.Hooks {
			hook(r, resp, h)
		}
		b, err := encode(resp)
		if err != nil {
			t.Log.Error("encoding a response", slog.String("request_id", requestid.From(r.Context())), slog.Any("error", err))
			b = internalErrorBody(r.Context())
		}
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, b...)
	}
	body = append(body, ']')
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// envelope is the JSON of a response. Unlike graphql.Response it leaves
// data out when the operation never ran, as the GraphQL spec asks, and
// puts errors first.
type envelope struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// internalErrorBody is the envelope of last resort.
func internalErrorBody(ctx context.Context) []byte {
	b, _ := json.Marshal(envelope{Errors: gqlerror.List{{
		Message: apperr.New(apperr.Internal).Message(),
		Extensions: map[string]any{
			"code": apperr.CodeInternal, "type": apperr.Internal,
			"status": http.StatusInternalServerError, "requestId": requestid.From(ctx),
		},
	}}})
	return b
}
