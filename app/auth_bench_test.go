package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

// BenchmarkProtectedQuery is the round trip of bench.sh's three scenarios
// (and a garbage token) over loopback: { me { id email role } } with a valid
// USER token, users(first: 1) with it (INSUFFICIENT_ROLE), and me with an
// expired token. Figures: docs/benchmarks.md.
func BenchmarkProtectedQuery(b *testing.B) {
	cfg, _ := testserver.Config(b)
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(b, err)
	srv := httptest.NewServer(a.Handler)
	b.Cleanup(func() { srv.Close(); _ = a.Close() })

	tokenOf := func(body string) string {
		res, err := http.Post(srv.URL+"/query", "application/json", strings.NewReader(body))
		require.NoError(b, err)
		defer res.Body.Close()
		var out struct {
			Data struct {
				Login struct {
					AccessToken string `json:"accessToken"`
					User        struct{ ID string }
				} `json:"login"`
			} `json:"data"`
		}
		require.NoError(b, jsonDecode(res.Body, &out))
		return out.Data.Login.AccessToken + " " + out.Data.Login.User.ID
	}
	tok, userID, _ := strings.Cut(tokenOf(`{"query":"mutation { login(email: \"`+app.DemoUserEmail+`\", password: \"`+a.DemoPassword+`\") { accessToken user { id } } }"}`), " ")
	require.NotEmpty(b, userID)
	expiredTok := expiredLike(b, tok, cfg.JWTSecret)

	for _, c := range []struct{ name, query, token, want string }{
		{"me-ok", `{ me { id email role } }`, tok, `"role":"USER"`},
		{"admin-403", `{ users(first: 1) { edges { node { id } } } }`, tok, `"INSUFFICIENT_ROLE"`},
		{"expired-401", `{ me { id } }`, expiredTok, `"TOKEN_EXPIRED"`},
		{"garbage-401", `{ me { id } }`, "garbage", `"TOKEN_MALFORMED"`},
		{"missing-401", `{ me { id } }`, "", `"TOKEN_MISSING"`},
	} {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(gql(c.query))
			do := func() []byte {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/query", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				res, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				out, _ := io.ReadAll(res.Body)
				res.Body.Close()
				return out
			}
			require.Contains(b, string(do()), c.want)
			b.ReportAllocs()
			for b.Loop() {
				do()
			}
		})
	}
	b.Run("login", func(b *testing.B) {
		body := []byte(`{"query":"mutation { login(email: \"` + app.DemoAdminEmail + `\", password: \"` + a.DemoPassword + `\") { accessToken } }"}`)
		b.ReportAllocs()
		for b.Loop() {
			res, err := srv.Client().Post(srv.URL+"/query", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}
