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
// a local OTLP receiver that discards them), and with both. For each
// request the four servers' sub-benchmarks run one after the other, and
// -count repeats the whole turn, so that the machine's drift falls on all
// four alike. Figures: docs/operations.md, Cost.
func BenchmarkTelemetry(b *testing.B) {
	discard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	b.Cleanup(discard.Close)
	start := func(metrics bool) *app.App {
		var opts []testserver.Option
		if metrics {
			opts = append(opts, testserver.Env("FAULTLINE_ADMIN_ADDR", "127.0.0.1:0"))
		}
		cfg, _ := testserver.Config(b, opts...)
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(b, err)
		b.Cleanup(func() { _ = a.Close() })
		require.Equal(b, metrics, a.Metrics != nil)
		return a
	}
	type server struct {
		name string
		app  *app.App
	}
	servers := []server{{"off", start(false)}, {"metrics", start(true)}}
	// OpenTelemetry's variables are read when an app is built: these two trace.
	b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", discard.URL)
	b.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
	b.Setenv("OTEL_TRACES_SAMPLER_ARG", "0.1")
	servers = append(servers, server{"tracing-10pc", start(false)}, server{"both", start(true)})

	for _, r := range []struct{ name, body, user, want string }{
		{"me-ok", `{"query":"{ me { id email role } }"}`, app.DemoUserEmail, `"role":"USER"`},
		{"admin-403", `{"query":"{ users(first: 1) { edges { node { id } } } }"}`, app.DemoUserEmail, "INSUFFICIENT_ROLE"},
		{"garbage-401", `{"query":"{ me { id } }"}`, "", "TOKEN_MALFORMED"},
	} {
		for _, s := range servers {
			token := "garbage"
			if r.user != "" {
				token = loginAs(b, s.app, r.user)
			}
			b.Run(r.name+"/"+s.name, func(b *testing.B) {
				rec := httptest.NewRecorder()
				s.app.Handler.ServeHTTP(rec, post(r.body, token))
				require.True(b, strings.Contains(rec.Body.String(), r.want), rec.Body.String())
				b.ReportAllocs()
				for b.Loop() {
					s.app.Handler.ServeHTTP(httptest.NewRecorder(), post(r.body, token))
				}
			})
		}
	}
}
