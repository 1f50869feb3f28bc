// Package httpapi is faultline's HTTP layer: the GraphQL-over-HTTP transport
// (GET and POST /query), request scoping (ids, locales, clients), health and
// readiness. Every failure it meets leaves as a typed error in the same
// envelope, through the GraphQL engine's presenter; what every operation
// gets whatever its transport (admission, deadline, error cap, log line) is
// package operation's.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/operation"
)

// Content types of GraphQL responses (GraphQL over HTTP).
const (
	ContentTypeGraphQLResponse = "application/graphql-response+json"
	ContentTypeJSON            = "application/json"
)

// contentTypes are the Content-Type header values of the two, shared by every response.
var contentTypes = map[string][]string{
	ContentTypeGraphQLResponse: {ContentTypeGraphQLResponse + "; charset=utf-8"},
	ContentTypeJSON:            {ContentTypeJSON + "; charset=utf-8"},
}

// ResponseHook may add headers to a GraphQL response before it is written,
// knowing the request and the presented response (WWW-Authenticate is added
// this way).
type ResponseHook func(r *http.Request, resp *graphql.Response, h http.Header)

// Transport is faultline's gqlgen transport for GET and POST. It accepts
// every request to /query, so that a wrong method, media type, size or body
// is answered in the GraphQL envelope instead of gqlgen's "transport not
// supported", and it chooses the HTTP status after the presenter has run,
// from the catalog (operation.Status), rather than before as gqlgen's stock
// transports do. Its files: decode.go reads a request, this one runs it,
// write.go answers.
type Transport struct {
	Log          *slog.Logger
	MaxBodyBytes int64
	Strict       bool                 // FAULTLINE_HTTP_STATUS=strict
	Admission    *operation.Admission // asked before a request is read
	CORS         *CORS                // nil: no cross-origin caller is answered specially
	// BatchMax is the most operations a batch (a JSON array) may hold
	// (FAULTLINE_BATCH_MAX); 0 refuses batches.
	BatchMax int
	Hooks    []ResponseHook
}

var _ graphql.Transport = (*Transport)(nil)

// Supports implements graphql.Transport: every request to /query is ours.
func (t *Transport) Supports(*http.Request) bool { return true }

// Do implements graphql.Transport.
func (t *Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	contentType := negotiate(r.Header.Get("Accept"))
	ctx := operation.WithVia(r.Context(), via(r.Method, contentType == ContentTypeGraphQLResponse))
	done, refused := t.CORS.handle(w, r)
	switch {
	case done:
		return
	case refused != nil:
		t.write(w, r, dispatchError(ctx, exec, refused), contentType, "")
		return
	}
	resp, batch := t.serve(ctx, r, exec)
	if batch != nil {
		t.writeBatch(w, r, batch, contentType)
		return
	}
	t.write(w, r, resp, contentType, allowed(resp))
}

// vias are the Vias of GET and POST, shared by every request.
var vias = map[[2]string]*operation.Via{}

func init() {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		vias[[2]string{m, ContentTypeJSON}] = &operation.Via{Method: m}
		vias[[2]string{m, ContentTypeGraphQLResponse}] = &operation.Via{Method: m, GraphQLResponse: true}
	}
}

// via describes a request for its operation's status and log line.
func via(method string, graphqlResponse bool) *operation.Via {
	ct := ContentTypeJSON
	if graphqlResponse {
		ct = ContentTypeGraphQLResponse
	}
	if v, ok := vias[[2]string{method, ct}]; ok {
		return v
	}
	return &operation.Via{Method: method, GraphQLResponse: graphqlResponse}
}

// serve admits, reads and runs a request, turning every failure into a
// response: one, or one per operation of a batch.
func (t *Transport) serve(ctx context.Context, r *http.Request, exec graphql.GraphExecutor) (resp *graphql.Response, batch []*graphql.Response) {
	one := func(resp *graphql.Response) (*graphql.Response, []*graphql.Response) { return resp, nil }
	if ae := t.Admission.Admit(ctx); ae != nil {
		return one(dispatchError(ctx, exec, ae))
	}
	params := &graphql.RawParams{ReadTime: graphql.TraceTiming{Start: graphql.Now()}}
	switch r.Method {
	case http.MethodGet:
		if ae := paramsFromQuery(r.URL.Query(), params); ae != nil {
			return one(dispatchError(ctx, exec, ae))
		}
	case http.MethodPost:
		body, ae := t.readBody(r)
		if ae == nil && t.BatchMax > 0 && isBatch(body) {
			items, ae := decodeBatch(body, t.BatchMax)
			if ae != nil {
				return refuseBatch(ctx, exec, ae, len(items))
			}
			return nil, t.serveBatch(ctx, r, exec, items)
		}
		if ae == nil {
			ae = decodeParams(body, params)
		}
		if ae != nil {
			return one(dispatchError(ctx, exec, ae))
		}
	default:
		ae := apperr.New(apperr.MethodNotAllowed).With("method", r.Method).With("allowed", []string{http.MethodGet, http.MethodPost})
		return one(dispatchError(ctx, exec, ae))
	}
	params.Headers = r.Header
	params.ReadTime.End = graphql.Now()
	return one(execute(ctx, exec, params))
}

// maxRefusedAnswers bounds the copies of a batch's refusal (see refuseBatch).
const maxRefusedAnswers = 100

// refuseBatch answers a batch refused as a whole: BatchHttpLink hands each
// operation the entry of its index, so a batch of n (up to
// maxRefusedAnswers) gets the refusal n times and every operation its typed
// error; an empty batch, one that is not JSON, or a larger one gets one
// answer, not an array.
func refuseBatch(ctx context.Context, exec graphql.GraphExecutor, ae *apperr.Error, n int) (*graphql.Response, []*graphql.Response) {
	resp := dispatchError(ctx, exec, ae)
	if n == 0 || n > maxRefusedAnswers {
		return resp, nil
	}
	resps := make([]*graphql.Response, n)
	for i := range resps {
		resps[i] = resp
	}
	return nil, resps
}

// serveBatch runs a batch's operations each as if it came alone — its own
// admission (the first one's was the request's), errors, limits, throttle
// and log line — one after the other, so that a batch of mutations applies
// in order.
func (t *Transport) serveBatch(ctx context.Context, r *http.Request, exec graphql.GraphExecutor, items []json.RawMessage) []*graphql.Response {
	resps := make([]*graphql.Response, len(items))
	for i, item := range items {
		if i > 0 {
			if ae := t.Admission.Admit(ctx); ae != nil {
				resps[i] = dispatchError(ctx, exec, ae)
				continue
			}
		}
		params := &graphql.RawParams{ReadTime: graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}, Headers: r.Header}
		if isBatch(item) {
			resps[i] = dispatchError(ctx, exec, malformed("not_an_object"))
			continue
		}
		if ae := decodeParams(item, params); ae != nil {
			resps[i] = dispatchError(ctx, exec, ae)
			continue
		}
		resps[i] = execute(ctx, exec, params)
	}
	return resps
}

// allowed is the Allow header of a METHOD_NOT_ALLOWED response: the methods
// its error names.
func allowed(resp *graphql.Response) string {
	if len(resp.Errors) == 0 {
		return ""
	}
	ae, ok := errors.AsType[*apperr.Error](resp.Errors[0])
	if !ok || ae.Type != apperr.MethodNotAllowed {
		return ""
	}
	methods, _ := ae.Details["allowed"].([]string)
	return strings.Join(methods, ", ")
}

// execute runs one operation: parse, validate, coerce and limit it, then
// execute it (package operation's interceptors give it its deadline, error
// cap and log line on the way).
func execute(ctx context.Context, exec graphql.GraphExecutor, params *graphql.RawParams) *graphql.Response {
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
	}
	handler, ctx := exec.DispatchOperation(ctx, opCtx)
	return handler(ctx)
}

// dispatchError sends one apperr error through the engine's presenter.
func dispatchError(ctx context.Context, exec graphql.GraphExecutor, ae *apperr.Error) *graphql.Response {
	return exec.DispatchError(ctx, gqlerror.List{{Err: ae, Message: ae.Message()}})
}
