// Package httpapi is faultline's HTTP layer: the GraphQL-over-HTTP transport
// (GET and POST /query), request ids, health and readiness, and the drain
// gate of a graceful shutdown. Every failure it meets leaves as a typed
// error in the same envelope, through the GraphQL engine's presenter.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/errbudget"
	"github.com/faultline/faultline/internal/requestid"
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
// knowing the request and the presented response (the auth issue adds
// WWW-Authenticate this way).
type ResponseHook func(r *http.Request, resp *graphql.Response, h http.Header)

// Transport is faultline's only gqlgen transport. It accepts every request
// to /query, so that a wrong method, media type, size or body is answered in
// the GraphQL envelope instead of gqlgen's "transport not supported", and it
// chooses the HTTP status after the presenter has run, from the catalog
// (status.go), rather than before as gqlgen's stock transports do.
type Transport struct {
	MaxBodyBytes int64
	Timeout      time.Duration // the request's deadline; 0 for none
	Strict       bool          // FAULTLINE_HTTP_STATUS=strict
	Gate         *Gate         // refuses new requests while draining
	Log          *slog.Logger
	Hooks        []ResponseHook
	// RateLimit, when set, refuses a client address's requests beyond its
	// rate with TOO_MANY_REQUESTS before reading them.
	RateLimit *RateLimit
	// MaxErrors caps the errors of one response (errbudget.DefaultLimit
	// when 0); the rest are replaced by one TOO_MANY_ERRORS.
	MaxErrors int
	// TokenLimit is the engine parser's token limit (graph.ParserTokenLimit),
	// with which a GET's document is parsed to refuse mutations; 0 for none.
	TokenLimit int
}

var _ graphql.Transport = (*Transport)(nil)

// Supports implements graphql.Transport: every request to /query is ours.
func (t *Transport) Supports(*http.Request) bool { return true }

// outcome says how far a request got, which decides its HTTP status.
type outcome int

const (
	// refused: not a GraphQL request we can read (BAD_REQUEST, draining);
	// always answered with the error's own status.
	refused outcome = iota
	// rejected: a GraphQL request that failed before execution (parse,
	// validation, variables, limits); status per the Accept header.
	rejected
	// executed: the operation ran; 200 unless strict mode applies.
	executed
)

// exchange is what one request produced.
type exchange struct {
	resp    *graphql.Response
	outcome outcome
	allow   string // the Allow header of a METHOD_NOT_ALLOWED
	opName  string
}

// Do implements graphql.Transport.
func (t *Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := time.Now()
	ctx := r.Context()
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	x := t.serve(ctx, r, exec)
	x.resp.Errors = t.capErrors(ctx, exec, x.resp.Errors)
	status := t.write(w, r, x)
	t.logRequest(r, x, status, time.Since(start))
}

// serve reads the request and runs it, turning every failure into a response.
func (t *Transport) serve(ctx context.Context, r *http.Request, exec graphql.GraphExecutor) exchange {
	ctx = errbudget.With(ctx, t.maxErrors())
	refuse := func(ae *apperr.Error, allow string) exchange {
		return exchange{resp: dispatchError(ctx, exec, ae), outcome: refused, allow: allow}
	}
	if t.Gate.Closing() {
		return refuse(apperr.New(apperr.ShuttingDown).WithRetryAfter(time.Second), "")
	}
	if t.RateLimit != nil {
		if ok, wait := t.RateLimit.Admit(r); !ok {
			return refuse(apperr.New(apperr.TooManyRequests).With("limit", t.RateLimit.PerSecond()).WithRetryAfter(wait), "")
		}
	}

	params := &graphql.RawParams{ReadTime: graphql.TraceTiming{Start: graphql.Now()}}
	switch r.Method {
	case http.MethodGet:
		if ae := paramsFromQuery(r.URL.Query(), params); ae != nil {
			return refuse(ae, "")
		}
		if op := t.operationType(params); op != "" && op != ast.Query {
			ae := apperr.New(apperr.MethodNotAllowed).With("method", http.MethodGet).With("allowed", []string{http.MethodPost}).
				Variant("get_mutation").WithParam("operation", string(op))
			return refuse(ae, http.MethodPost)
		}
	case http.MethodPost:
		if ae := t.paramsFromBody(r, params); ae != nil {
			return refuse(ae, "")
		}
	default:
		allowed := []string{http.MethodGet, http.MethodPost}
		ae := apperr.New(apperr.MethodNotAllowed).With("method", r.Method).With("allowed", allowed)
		return refuse(ae, strings.Join(allowed, ", "))
	}
	params.Headers = r.Header
	params.ReadTime.End = graphql.Now()

	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		return exchange{resp: resp, outcome: rejected, opName: params.OperationName}
	}
	handler, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := handler(ctx)
	if resp == nil { // the context ended before a response was produced
		resp = dispatchError(ctx, exec, apperr.From(ctx.Err()))
	}
	x := exchange{resp: resp, outcome: executed, opName: opCtx.Operation.Name}
	if resp.Data == nil {
		x.outcome = rejected // e.g. an operation type the schema lacks
	}
	return x
}

func (t *Transport) maxErrors() int {
	if t.MaxErrors > 0 {
		return t.MaxErrors
	}
	return errbudget.DefaultLimit
}

// capErrors drops the errors the presenter left unpresented once the
// request's budget was spent, and closes the list with one TOO_MANY_ERRORS
// saying how many were dropped. ctx has no budget, so that error is always
// presented.
func (t *Transport) capErrors(ctx context.Context, exec graphql.GraphExecutor, errs gqlerror.List) gqlerror.List {
	if len(errs) <= t.maxErrors() {
		return errs
	}
	kept := errs[:0]
	for _, e := range errs {
		if e.Err != errbudget.ErrOmitted {
			kept = append(kept, e)
		}
	}
	dropped := len(errs) - len(kept)
	if dropped == 0 {
		return errs
	}
	ae := apperr.New(apperr.TooManyErrors).With("limit", t.maxErrors()).With("omitted", dropped)
	return append(kept, dispatchError(ctx, exec, ae).Errors...)
}

// dispatchError sends one apperr error through the engine's presenter.
func dispatchError(ctx context.Context, exec graphql.GraphExecutor, ae *apperr.Error) *graphql.Response {
	return exec.DispatchError(ctx, gqlerror.List{{Err: ae, Message: ae.Message()}})
}

// paramsFromBody reads a POST: an application/json body of at most
// MaxBodyBytes holding one GraphQL request object.
func (t *Transport) paramsFromBody(r *http.Request, params *graphql.RawParams) *apperr.Error {
	if !isJSON(r.Header.Get("Content-Type")) {
		return apperr.New(apperr.UnsupportedMediaType).With("supported", []string{ContentTypeJSON})
	}
	tooLarge := func() *apperr.Error { return apperr.New(apperr.BodyTooLarge).With("limit", t.MaxBodyBytes) }
	if r.ContentLength > t.MaxBodyBytes {
		return tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, t.MaxBodyBytes+1))
	if err != nil {
		return malformed("unreadable_body")
	}
	if int64(len(body)) > t.MaxBodyBytes {
		return tooLarge()
	}
	return decodeParams(body, params)
}

// isJSON reports whether a Content-Type is application/json, with any
// parameters; the common exact value skips the parser.
func isJSON(contentType string) bool {
	if contentType == ContentTypeJSON {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == ContentTypeJSON
}

// rawRequest is a GraphQL request as JSON. Variables and extensions stay raw
// until needed, so that the common request without them is decoded in one pass.
type rawRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// decodeParams decodes one GraphQL request object; numbers in variables
// stay json.Number so that large Int variables are not rounded through float64.
func decodeParams(body []byte, params *graphql.RawParams) *apperr.Error {
	var req rawRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field == "":
			if typeErr.Value == "array" {
				return malformed("batch")
			}
			return malformed("not_an_object")
		case errors.As(err, &typeErr):
			return malformed("wrong_type").With("field", typeErr.Field)
		case errors.As(err, &syntaxErr) && strings.HasPrefix(syntaxErr.Error(), "invalid character") &&
			strings.Contains(syntaxErr.Error(), "after top-level value"):
			return malformed("several_values")
		default:
			return malformed("invalid_json")
		}
	}
	params.Query, params.OperationName = req.Query, req.OperationName
	for _, raw := range []struct {
		name string
		json json.RawMessage
		into *map[string]any
	}{{"variables", req.Variables, &params.Variables}, {"extensions", req.Extensions, &params.Extensions}} {
		if len(raw.json) == 0 || string(raw.json) == "null" {
			continue
		}
		if err := decodeObject(raw.json, raw.into); err != nil {
			return malformed("wrong_type").With("field", raw.name)
		}
	}
	if params.Query == "" {
		return missingQuery(params)
	}
	return nil
}

// paramsFromQuery reads a GET's query string.
func paramsFromQuery(q url.Values, params *graphql.RawParams) *apperr.Error {
	params.Query = q.Get("query")
	params.OperationName = q.Get("operationName")
	if v := q.Get("variables"); v != "" {
		if err := decodeObject([]byte(v), &params.Variables); err != nil {
			return malformed("wrong_type").With("field", "variables")
		}
	}
	if v := q.Get("extensions"); v != "" {
		if err := decodeObject([]byte(v), &params.Extensions); err != nil {
			return malformed("wrong_type").With("field", "extensions")
		}
	}
	if params.Query == "" {
		return missingQuery(params)
	}
	return nil
}

func decodeObject(s []byte, into *map[string]any) error {
	dec := json.NewDecoder(bytes.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data")
	}
	return nil
}

func missingQuery(params *graphql.RawParams) *apperr.Error {
	if _, persisted := params.Extensions["persistedQuery"]; persisted {
		return malformed("persisted_query")
	}
	return malformed("missing_query")
}

// malformed is MALFORMED_REQUEST for one of the catalog's reasons, each of
// which has its own message.
func malformed(reason string) *apperr.Error {
	return apperr.New(apperr.MalformedRequest).With("reason", reason).Variant(reason)
}

// operationType is the type of the operation a GET would run, or "" when the
// document does not parse or names no operation (the engine reports those).
// A document without the words mutation and subscription holds only queries,
// which spares the usual GET a second parse. The parse stops at the engine's
// token limit, so a document over it costs no more here than there, and gets
// the engine's SYNTAX_ERROR, as it would with POST.
func (t *Transport) operationType(params *graphql.RawParams) ast.Operation {
	if !strings.Contains(params.Query, "mutation") && !strings.Contains(params.Query, "subscription") {
		return ast.Query
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, t.TokenLimit)
	if err != nil {
		return ""
	}
	if op := doc.Operations.ForName(params.OperationName); op != nil {
		return op.Operation
	}
	return ""
}

// write sends the response with the status the catalog gives it.
func (t *Transport) write(w http.ResponseWriter, r *http.Request, x exchange) int {
	contentType := negotiate(r.Header.Get("Accept"))
	status := statusOf(x, contentType, t.Strict)
	h := w.Header()
	h["Content-Type"] = contentTypes[contentType]
	if x.allow != "" {
		h.Set("Allow", x.allow)
	}
	if s := retryAfter(x.resp); s > 0 {
		h.Set("Retry-After", strconv.Itoa(s))
	}
	if t.Gate.Closing() {
		h.Set("Connection", "close")
	}
	for _, hook := range t.Hooks {
		hook(r, x.resp, h)
	}
	body, err := encode(x.resp)
	if err != nil {
		// Only a value the presenter did not make could fail; answer INTERNAL
		// in the envelope rather than a broken body.
		t.Log.Error("encoding a response", slog.String("request_id", requestid.From(r.Context())), slog.Any("error", err))
		status = http.StatusInternalServerError
		body = internalErrorBody(r.Context())
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
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

// logRequest writes the request's one log line: 5xx at error, 4xx at warn,
// success at info, with the request id, operation and error codes (as one
// string: "NOT_FOUND/RESOURCE_NOT_FOUND,...").
func (t *Transport) logRequest(r *http.Request, x exchange, status int, took time.Duration) {
	level, worst := slog.LevelInfo, 0
	for _, e := range x.resp.Errors {
		if ae, ok := errors.AsType[*apperr.Error](e); ok {
			worst = max(worst, ae.Status())
		}
	}
	switch {
	case worst >= 500:
		level = slog.LevelError
	case worst >= 400:
		level = slog.LevelWarn
	}
	// The handler is called directly: the line always comes from here, so
	// the caller's program counter that Logger looks up is not needed.
	ctx, h := r.Context(), t.Log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "graphql", 0)
	rec.AddAttrs(
		slog.String("request_id", requestid.From(ctx)),
		slog.String("method", r.Method),
		slog.Int("status", status),
		slog.Duration("took", took),
	)
	if x.opName != "" {
		rec.AddAttrs(slog.String("operation", x.opName))
	}
	if len(x.resp.Errors) > 0 {
		rec.AddAttrs(slog.String("errors", errorNames(x.resp.Errors)))
	}
	_ = h.Handle(ctx, rec)
}

// errorNames names a response's errors for its log line:
// "NOT_FOUND/RESOURCE_NOT_FOUND,...".
func errorNames(errs gqlerror.List) string {
	names := make([]string, 0, len(errs))
	for _, e := range errs {
		if ae, ok := errors.AsType[*apperr.Error](e); ok {
			names = append(names, ae.Type.Qualified())
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names, ",")
}
