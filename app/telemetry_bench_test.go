package app_test

import (
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

// BenchmarkTelemetry measures what metrics and traces cost a request:
// BenchmarkServeHTTP's requests with both off, with metrics on
// (FAULTLINE_ADMIN_ADDR), with tracing on sampling 10 % of the traces (to
// a local OTLP receiver that discards them), and with both. Figures:
// docs/operations.md, Cost.
func BenchmarkTelemetry(b *testing.B) {
	discard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	b.Cleanup(discard.Close)
	for _, c := range []struct {
		name             string
		metrics, tracing bool
	}{
		{"off", false, false},
		{"metrics", true, false},
		{"tracing-10pc", false, true},
		{"both", true, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			var opts []testserver.Option
			if c.metrics {
				opts = append(opts, testserver.Env("FAULTLINE_ADMIN_ADDR", "127.0.0.1:0"))
			}
			if c.tracing {
				b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", discard.URL)
				b.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
				b.Setenv("OTEL_TRACES_SAMPLER_ARG", "0.1")
			}
			cfg, _ := testserver.Config(b, opts...)
			a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			require.NoError(b, err)
			b.Cleanup(func() { _ = a.Close() })
			require.Equal(b, c.metrics, a.Metrics != nil)

			token := loginAs(b, a, app.DemoUserEmail)
			for _, r := range []struct{ name, body, token, want string }{
				{"me-ok", `{"query":"{ me { id email role } }"}`, token, `"role":"USER"`},
				{"admin-403", `{"query":"{ users(first: 1) { edges { node { id } } } }"}`, token, "INSUFFICIENT_ROLE"},
				{"garbage-401", `{"query":"{ me { id } }"}`, "garbage", "TOKEN_MALFORMED"},
			} {
				b.Run(r.name, func(b *testing.B) {
					rec := httptest.NewRecorder()
					a.Handler.ServeHTTP(rec, post(r.body, r.token))
					require.True(b, strings.Contains(rec.Body.String(), r.want), rec.Body.String())
					b.ReportAllocs()
					for b.Loop() {
						a.Handler.ServeHTTP(httptest.NewRecorder(), post(r.body, r.token))
					}
				})
			}
		})
	}
}
