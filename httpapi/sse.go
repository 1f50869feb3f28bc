package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/faultline/faultline/operation"
)

// SSE serves GraphQL over Server-Sent Events at /query: graphql-sse's
// distinct connections mode (a POST with Accept: text/event-stream and a
// JSON body; each result a "next" event, then "complete"), through gqlgen's
// transport.SSE. A request is checked as every POST is (CORS, admission,
// Content-Type, size, body) before the stream starts, and refused in the
// envelope over plain HTTP with its own status; once streaming, every error
// goes out presented in a next event, and the token is the Authorization
// header's, read per request.
type SSE struct {
	HTTP      *Transport    // the checks and refusals of every POST
	KeepAlive time.Duration // a comment line this often (FAULTLINE_SUBSCRIPTION_KEEPALIVE); 0: none
}

var _ graphql.Transport = (*SSE)(nil)

// sseVia is the Via of every SSE operation.
var sseVia = &operation.Via{Method: "SSE"}

// Supports implements graphql.Transport: a POST that accepts an event stream.
func (t *SSE) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// Do implements graphql.Transport.
func (t *SSE) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := operation.WithVia(r.Context(), sseVia)
	refuse := func(resp *graphql.Response) { t.HTTP.write(w, r, resp, ContentTypeJSON, allowed(resp)) }
	if _, refused := t.HTTP.CORS.handle(w, r); refused != nil {
		refuse(dispatchError(ctx, exec, refused))
		return
	}
	if ae := t.HTTP.Admission.Admit(ctx); ae != nil {
		refuse(dispatchError(ctx, exec, ae))
		return
	}
	body, ae := t.HTTP.readBody(r)
	if ae == nil {
		ae = decodeParams(body, &graphql.RawParams{})
	}
	if ae != nil {
		refuse(dispatchError(ctx, exec, ae))
		return
	}
	// A stream outlives the server's read and write timeouts, which are for
	// answers (past the read timeout, net/http would end the request).
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	r = r.WithContext(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	transport.SSE{KeepAlivePingInterval: t.KeepAlive}.Do(w, r, presenting{GraphExecutor: exec})
}
