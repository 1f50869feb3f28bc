// Package httpapi is faultline's HTTP layer: the GraphQL-over-HTTP transport
// (GET and POST /query), request scoping (ids, locales, clients), health and
// readiness. Every failure it meets leaves as a typed error in the same
// envelope, through the GraphQL engine's presenter; what every operation
// gets whatever its transport (admission, deadline, error cap, log line) is
// package operation's.
package httpapi

import (
	"context"
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
	Hooks        []ResponseHook
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
	resp := t.serve(ctx, r, exec)
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
// response.
func (t *Transport) serve(ctx context.Context, r *http.Request, exec graphql.GraphExecutor) *graphql.Response {
	if ae := t.Admission.Admit(ctx); ae != nil {
		return dispatchError(ctx, exec, ae)
	}
	params := &graphql.RawParams{ReadTime: graphql.TraceTiming{Start: graphql.Now()}}
	switch r.Method {
	case http.MethodGet:
		if ae := paramsFromQuery(r.URL.Query(), params); ae != nil {
			return dispatchError(ctx, exec, ae)
		}
	case http.MethodPost:
		if ae := t.paramsFromBody(r, params); ae != nil {
			return dispatchError(ctx, exec, ae)
		}
	default:
		ae := apperr.New(apperr.MethodNotAllowed).With("method", r.Method).With("allowed", []string{http.MethodGet, http.MethodPost})
		return dispatchError(ctx, exec, ae)
	}
	params.Headers = r.Header
	params.ReadTime.End = graphql.Now()
	return execute(ctx, exec, params)
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
