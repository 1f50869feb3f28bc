package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/config"
	"github.com/faultline/faultline/internal/jwttest"
	"github.com/faultline/faultline/internal/testserver"
)

// BenchmarkServeHTTP measures the server alone (no client, no network): one
// request through the whole handler, for bench.sh's scenarios. Its B/op and
// allocs/op are the server's own. Figures: docs/benchmarks.md.
func BenchmarkServeHTTP(b *testing.B) {
	a, cfg := benchApp(b)
	login := httptest.NewRecorder()
	a.Handler.ServeHTTP(login, post(`{"query":"mutation { login(email: \"user@faultline.dev\", password: \"`+a.DemoPassword+`\") { accessToken } }"}`, ""))
	token := between(login.Body.String(), `"accessToken":"`, `"`)
	require.NotEmpty(b, token)
	for _, c := range []struct{ name, body, token, want string }{
		{"me-ok", `{"query":"{ me { id email role } }"}`, token, `"role":"USER"`},
		// A browser on another origin: the same request with the CORS headers.
		{"me-ok-cors", `{"query":"{ me { id email role } }"}`, token, `"role":"USER"`},
		{"admin-403", `{"query":"{ users(first: 1) { edges { node { id } } } }"}`, token, "INSUFFICIENT_ROLE"},
		{"expired-401", `{"query":"{ me { id } }"}`, expiredLike(b, token, cfg.JWTSecret), "TOKEN_EXPIRED"},
		{"garbage-401", `{"query":"{ me { id } }"}`, "garbage", "TOKEN_MALFORMED"},
	} {
		req := func() *http.Request {
			r := post(c.body, c.token)
			if strings.HasSuffix(c.name, "-cors") {
				r.Header.Set("Origin", "http://127.0.0.1:5173")
			}
			return r
		}
		b.Run(c.name, func(b *testing.B) {
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req())
			require.Contains(b, rec.Body.String(), c.want)
			if strings.HasSuffix(c.name, "-cors") {
				require.Equal(b, "*", rec.Header().Get("Access-Control-Allow-Origin"))
			}
			b.ReportAllocs()
			for b.Loop() {
				a.Handler.ServeHTTP(httptest.NewRecorder(), req())
			}
		})
	}
}

// BenchmarkErrorsPerResponse measures how the cost of one response grows
// with the number of field errors in it: products(first: n) where each
// product's createdBy.email is FORBIDDEN to the USER asking (10 aliases of
// 100 for n = 1000, which the cap cuts to 100 errors plus TOO_MANY_ERRORS),
// beside the same list asking createdBy.name, which fails nowhere.
// Figures: docs/benchmarks.md.
func BenchmarkErrorsPerResponse(b *testing.B) {
	a, _ := benchApp(b)
	admin, user := loginAs(b, a, app.DemoAdminEmail), loginAs(b, a, app.DemoUserEmail)
	for i := 0; ; i++ {
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, post(`{"query":"{ products(first: 100) { edges { cursor } } }"}`, user)) // admins see banned ones too
		if strings.Count(rec.Body.String(), `"cursor"`) >= 100 {
			break
		}
		rec = httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, post(fmt.Sprintf(`{"query":"mutation { createProduct(input: {name: \"Bench %03d\", priceCents: 100, categories: [\"bench\"]}) { id } }"}`, i), admin))
		require.NotContains(b, rec.Body.String(), `"errors"`)
	}
	query := func(n int, field string) string {
		page, aliases := n, 1
		if n > 100 {
			page, aliases = 100, n/100
		}
		var q strings.Builder
		q.WriteString(`{"query":"{`)
		for i := range aliases {
			fmt.Fprintf(&q, " p%d: products(first: %d) { edges { node { id createdBy { %s } } } }", i, page, field)
		}
		q.WriteString(` }"}`)
		return q.String()
	}
	for _, n := range []int{1, 10, 100, 1000} {
		for _, c := range []struct{ name, field string }{{"errors", "email"}, {"none", "name"}} {
			b.Run(fmt.Sprintf("%s=%d", c.name, n), func(b *testing.B) {
				body := query(n, c.field)
				rec := httptest.NewRecorder()
				a.Handler.ServeHTTP(rec, post(body, user))
				want := 0
				if c.field == "email" {
					want = min(n, 100)
				}
				require.Equal(b, want, strings.Count(rec.Body.String(), "INSUFFICIENT_ROLE"), "%.300s", rec.Body.String())
				require.Equal(b, n > 100 && c.field == "email", strings.Contains(rec.Body.String(), "TOO_MANY_ERRORS"))
				b.ReportAllocs()
				for b.Loop() {
					a.Handler.ServeHTTP(httptest.NewRecorder(), post(body, user))
				}
			})
		}
	}
}

// benchApp is a faultline on a fresh database, configured as bench.sh runs
// it (development: text logs, which go nowhere here), without a listener.
func benchApp(b *testing.B) (*app.App, config.Config) {
	cfg, _ := testserver.Config(b)
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(b, err)
	b.Cleanup(func() { _ = a.Close() })
	return a, cfg
}

// loginAs logs a demo user in through the handler and returns the access token.
func loginAs(b *testing.B, a *app.App, email string) string {
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, post(`{"query":"mutation { login(email: \"`+email+`\", password: \"`+a.DemoPassword+`\") { accessToken } }"}`, ""))
	token := between(rec.Body.String(), `"accessToken":"`, `"`)
	require.NotEmpty(b, token, rec.Body.String())
	return token
}

// expiredLike re-signs token's claims with an expiry an hour ago, as
// bench.sh forges its expired token.
func expiredLike(b *testing.B, token string, secret []byte) string {
	claims := jwttest.ClaimsOf(b, token)
	claims["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	claims["exp"] = time.Now().Add(-time.Hour).Unix()
	return jwttest.Sign(b, jwt.SigningMethodHS256, secret, auth.AccessTokenType, claims)
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
