// Package testserver starts a real faultline (real SQLite file, real HTTP on
// loopback) for tests, captures its logs, and checks responses against the
// envelope (README, Errors).
package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/config"
	"github.com/faultline/faultline/internal/requestid"
	"github.com/faultline/faultline/internal/testdb"
)

// Server is a running faultline.
type Server struct {
	*httptest.Server
	App  *app.App
	Logs *Logs
}

// Option changes how a Server starts.
type Option func(*setup)

type setup struct {
	env  map[string]string
	opts []app.Option
}

// Env sets an environment variable of the server's configuration.
func Env(name, value string) Option {
	return func(s *setup) { s.env[name] = value }
}

// With passes an app.Option (a fault-injecting store, for instance).
func With(o app.Option) Option {
	return func(s *setup) { s.opts = append(s.opts, o) }
}

// Config returns the configuration a Server with these options would run.
func Config(t testing.TB, opts ...Option) (config.Config, []app.Option) {
	t.Helper()
	s := setup{env: map[string]string{
		"FAULTLINE_ENV": "development",
		"DATABASE_URL":  testdb.DatabaseURL(t),
	}}
	for _, o := range opts {
		o(&s)
	}
	cfg, err := config.Load(func(k string) string { return s.env[k] })
	require.NoError(t, err)
	return cfg, s.opts
}

// Start starts a faultline and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg, appOpts := Config(t, opts...)
	logs := &Logs{}
	a, err := app.New(context.Background(), cfg, logs.Logger(), appOpts...)
	require.NoError(t, err)
	srv := &Server{Server: httptest.NewServer(a.Handler), App: a, Logs: logs}
	t.Cleanup(func() {
		srv.Close()
		_ = a.Close()
	})
	return srv
}

// Request is a GraphQL request body.
type Request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName,omitempty"`
	Variables     map[string]any `json:"variables,omitempty"`
}

// Query POSTs a GraphQL request; headers are name, value pairs.
func (s *Server) Query(t testing.TB, query string, variables map[string]any, headers ...string) *Response {
	t.Helper()
	body, err := json.Marshal(Request{Query: query, Variables: variables})
	require.NoError(t, err)
	return s.Post(t, body, append([]string{"Content-Type", "application/json"}, headers...)...)
}

// Post POSTs a raw body to /query; headers are name, value pairs.
func (s *Server) Post(t testing.TB, body []byte, headers ...string) *Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	return s.Do(t, req, headers...)
}

// Do sends req with headers (name, value pairs) and reads the response.
func (s *Server) Do(t testing.TB, req *http.Request, headers ...string) *Response {
	t.Helper()
	require.Zero(t, len(headers)%2, "headers come in name, value pairs")
	for i := 0; i < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := s.Client().Do(req)
	require.NoError(t, err)
	return Read(t, res)
}

// Read reads and decodes an HTTP response from faultline.
func Read(t testing.TB, res *http.Response) *Response {
	t.Helper()
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	r := &Response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.Contains(res.Header.Get("Content-Type"), "json") && !bytes.HasPrefix(raw, []byte("[")) { // a batch's array is the caller's to read
		require.NoError(t, json.Unmarshal(raw, &r.Body), "body: %s", raw)
	}
	return r
}

// Response is what the server answered.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   Body
}

// Body is a decoded GraphQL response.
type Body struct {
	Data       map[string]json.RawMessage `json:"data"`
	Errors     []Error                    `json:"errors"`
	Extensions map[string]any             `json:"extensions"`
	HasData    bool                       `json:"-"`
}

// UnmarshalJSON records whether the data key was present at all.
func (b *Body) UnmarshalJSON(raw []byte) error {
	type plain Body
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return err
	}
	_, b.HasData = keys["data"]
	return json.Unmarshal(raw, (*plain)(b))
}

// Error is one entry of errors.
type Error struct {
	Message    string           `json:"message"`
	Path       []any            `json:"path"`
	Locations  []map[string]int `json:"locations"`
	Extensions Extensions       `json:"extensions"`
}

// Extensions is an error's extensions.
type Extensions struct {
	Code       string                  `json:"code"`
	Type       string                  `json:"type"`
	Status     int                     `json:"status"`
	RequestID  string                  `json:"requestId"`
	Details    map[string]any          `json:"details"`
	Fields     []apperr.FieldViolation `json:"fields"`
	RetryAfter int                     `json:"retryAfter"`
}

// Error returns the only error of the response, after checking the envelope.
func (r *Response) Error(t testing.TB) Error {
	t.Helper()
	CheckEnvelope(t, r)
	require.Len(t, r.Body.Errors, 1, "body: %s", r.Raw)
	return r.Body.Errors[0]
}

// Field decodes one root field of data into v.
func (r *Response) Field(t testing.TB, name string, v any) {
	t.Helper()
	raw, ok := r.Body.Data[name]
	require.True(t, ok, "no data.%s in %s", name, r.Raw)
	require.NoError(t, json.Unmarshal(raw, v))
}

// CheckEnvelope asserts that every error of r has the contract's shape: a
// code, a type of that code from the catalog, the catalog's status, and the
// request id of the X-Request-ID header; and that no driver or Go text
// leaks into messages.
func CheckEnvelope(t testing.TB, r *Response) {
	t.Helper()
	id := r.Header.Get(requestid.Header)
	assert.True(t, requestid.Valid(id), "X-Request-ID %q", id)
	for _, e := range r.Body.Errors {
		entry, ok := apperr.Lookup(apperr.Type(e.Extensions.Type))
		if !assert.True(t, ok, "type %q is not in the catalog: %s", e.Extensions.Type, r.Raw) {
			continue
		}
		assert.Equal(t, string(entry.Code), e.Extensions.Code, "code of %s", e.Extensions.Type)
		assert.Equal(t, entry.Status, e.Extensions.Status, "status of %s", e.Extensions.Type)
		assert.Equal(t, id, e.Extensions.RequestID, "requestId")
		assert.NotEmpty(t, e.Message)
		for _, leak := range []string{"sql", "sqlite", "panic", "goroutine", ".go:", "runtime."} {
			assert.NotContains(t, strings.ToLower(e.Message), leak, "message leaks internals")
		}
		if entry.Fields {
			assert.NotEmpty(t, e.Extensions.Fields, "%s carries fields", e.Extensions.Type)
		}
		if entry.RetryAfter {
			assert.Positive(t, e.Extensions.RetryAfter, "%s carries retryAfter", e.Extensions.Type)
		}
		for _, d := range entry.Details {
			if !entry.IsOptional(d.Key) {
				assert.Contains(t, e.Extensions.Details, d.Key, "%s carries details.%s", e.Extensions.Type, d.Key)
			}
		}
	}
}

// Logs collects a server's JSON log lines.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Logger returns a logger that writes into l.
func (l *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Write implements io.Writer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Lines returns every line logged so far, decoded.
func (l *Logs) Lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(l.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// For returns the lines logged for one request id.
func (l *Logs) For(requestID string) []map[string]any {
	var out []map[string]any
	for _, m := range l.Lines() {
		if m["request_id"] == requestID {
			out = append(out, m)
		}
	}
	return out
}
