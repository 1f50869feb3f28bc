package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

// BenchmarkServeHTTP measures the server alone (no client, no network): one
// request through the whole handler, for bench.sh's scenarios. Its B/op and
// allocs/op are the server's own. Figures: docs/benchmarks.md.
func BenchmarkServeHTTP(b *testing.B) {
	cfg, _ := testserver.Config(b)
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(b, err)
	b.Cleanup(func() { _ = a.Close() })
	login := httptest.NewRecorder()
	a.Handler.ServeHTTP(login, post(`{"query":"mutation { login(email: \"user@faultline.dev\", password: \"`+a.DemoPassword+`\") { accessToken } }"}`, ""))
	token := between(login.Body.String(), `"accessToken":"`, `"`)
	require.NotEmpty(b, token)
	for _, c := range []struct{ name, body, token, want string }{
		{"me-ok", `{"query":"{ me { id email role } }"}`, token, `"role":"USER"`},
		{"admin-403", `{"query":"{ users(first: 1) { edges { node { id } } } }"}`, token, "INSUFFICIENT_ROLE"},
		{"garbage-401", `{"query":"{ me { id } }"}`, "garbage", "TOKEN_MALFORMED"},
	} {
		b.Run(c.name, func(b *testing.B) {
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, post(c.body, c.token))
			require.Contains(b, rec.Body.String(), c.want)
			b.ReportAllocs()
			for b.Loop() {
				a.Handler.ServeHTTP(httptest.NewRecorder(), post(c.body, c.token))
			}
		})
	}
}

func post(body, token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

func between(s, start, end string) string {
	i := bytes.Index([]byte(s), []byte(start))
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := bytes.Index([]byte(s), []byte(end))
	if j < 0 {
		return ""
	}
	return s[:j]
}
