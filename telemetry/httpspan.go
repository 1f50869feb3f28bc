package telemetry

import (
	"bufio"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// tracerScope names the tracer of request spans.
const tracerScope = "github.com/faultline/faultline/telemetry"

// traceContext reads W3C traceparent and tracestate.
var traceContext = propagation.TraceContext{}

// routes are the paths a span is named after; any other is named by its
// method alone, so that span names stay few whatever clients ask for.
var routes = []string{"/query", "/healthz", "/readyz", "/"}

// routeNames are the span names of the usual methods on routes, made once.
var routeNames = func() map[[2]string]string {
	names := map[[2]string]string{}
	for _, path := range routes {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodOptions} {
			names[[2]string{method, path}] = method + " " + path
		}
	}
	return names
}()

// requestSpanName is a request span's name, and whether its path is a
// route; method is spanMethod's.
func requestSpanName(method, path string) (string, bool) {
	if name, ok := routeNames[[2]string{method, path}]; ok {
		return name, true
	}
	route := slices.Contains(routes, path)
	switch {
	case method == otherMethod:
		return "HTTP", route // semantic conventions: an unknown method's span is "HTTP"
	case route:
		return method + " " + path, true
	}
	return method, false
}

// methods are the HTTP methods a span names; any other is otherMethod, so
// that a client cannot choose a span's name (net/http accepts any token,
// up to the header's limit).
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace}

const otherMethod = "_OTHER" // the semantic conventions' http.request.method for the rest

func spanMethod(method string) string {
	if slices.Contains(methods, method) {
		return method
	}
	return otherMethod
}

// maxSpanPath bounds url.path on a span: the path is the client's, and
// spans wait in memory for their export.
const maxSpanPath = 256

func spanPath(path string) string {
	if len(path) > maxSpanPath {
		return strings.ToValidUTF8(path[:maxSpanPath], "")
	}
	return path
}

var traceparentKey = http.CanonicalHeaderKey("traceparent")

// Handler gives every request a server span, continuing an incoming
// traceparent, with its method, route and status (status Error for a 5xx);
// the operation and store spans are its children. Only a sampled request
// pays for more than the sampling decision (made before any span for a
// request that starts its trace: sampling.go): an unsampled one runs with
// its context and writer untouched. With tracing off it is next itself.
//
// This is not otelhttp's handler: that one wraps every writer and records
// metrics of its own, which faultline has in Prometheus already.
func (t *Tracing) Handler(next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var parent trace.SpanContext
		var id trace.TraceID
		if len(r.Header[traceparentKey]) == 0 {
			low := rand.Uint64() // the part of the trace id the decision reads
			if !t.recorder.sampling.roots.sampled(low) {
				next.ServeHTTP(w, r)
				return
			}
			id = traceIDWith(low)
		} else {
			ctx = traceContext.Extract(ctx, propagation.HeaderCarrier(r.Header))
			parent, id = parentOf(ctx)
		}
		method := spanMethod(r.Method)
		name, route := requestSpanName(method, r.URL.Path)
		ctx, span, _ := t.tracer.start(ctx, parent, id, name, trace.SpanKindServer, time.Time{})
		if span == nil { // the caller's trace is not sampled: nothing below records either
			next.ServeHTTP(w, r)
			return
		}
		defer span.End()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		// One call, after the response, with the span's own method: its
		// attributes stay on the stack.
		attrs := [4]attribute.KeyValue{semconv.HTTPRequestMethodKey.String(method), semconv.URLPath(spanPath(r.URL.Path)),
			semconv.HTTPResponseStatusCode(sw.status), semconv.HTTPRoute(r.URL.Path)}
		n := 3
		if route {
			n = 4
		}
		span.mu.Lock()
		span.setAttributes(attrs[:n])
		span.mu.Unlock()
		if sw.status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(sw.status))
		}
	})
}

// statusWriter remembers the status written; it keeps flushing and
// hijacking (Server-Sent Events, WebSocket) working through it.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.status, w.wroteHeader = http.StatusSwitchingProtocols, true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
