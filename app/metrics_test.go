package app_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/internal/testserver"
	fop "github.com/faultline/faultline/operation"
	"github.com/faultline/faultline/telemetry"
)

// metrics is one scrape of /metrics.
type metrics struct {
	raw      []byte
	families map[string]*dto.MetricFamily
}

// scrape GETs /metrics from the admin server over HTTP and parses it.
func scrape(t *testing.T, admin *httptest.Server) metrics {
	t.Helper()
	res, err := admin.Client().Get(admin.URL + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(raw))
	require.NoError(t, err, "%s", raw)
	return metrics{raw: raw, families: families}
}

// value is the series of name with exactly labels (name, value pairs): a
// counter's or gauge's value, a histogram's count; ok is false when there is
// no such series.
func (m metrics) value(name string, labels ...string) (v float64, ok bool) {
	f := m.families[name]
	if f == nil {
		return 0, false
	}
	for _, s := range f.GetMetric() {
		if len(s.GetLabel())*2 != len(labels) {
			continue
		}
		match := true
		for i, l := range s.GetLabel() {
			if l.GetName() != labels[2*i] || l.GetValue() != labels[2*i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case s.Counter != nil:
			return s.Counter.GetValue(), true
		case s.Gauge != nil:
			return s.Gauge.GetValue(), true
		case s.Histogram != nil:
			return float64(s.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func (m metrics) must(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	v, ok := m.value(name, labels...)
	require.True(t, ok, "no series %s%v in:\n%s", name, labels, m.raw)
	return v
}

// promtoolCheck runs `promtool check metrics` (Debian's prometheus package)
// on a scrape: it must find nothing to complain about.
func promtoolCheck(t *testing.T, m metrics) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is not installed, and CI=true: .ci/run installs Debian's prometheus package")
		}
		t.Skip("promtool is not installed (Debian: apt-get install prometheus): the lint is skipped")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(m.raw)
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "promtool check metrics: %s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "promtool check metrics")
}

// TestMetricsAreScrapedOnTheAdminAddress: /metrics on the admin handler
// passes promtool and has every series from the first scrape: every
// catalogued (code, type) at 0 before any request, every operation kind and
// outcome, every limit; then each request moves exactly its own series.
func TestMetricsAreScrapedOnTheAdminAddress(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_ADMIN_ADDR", "127.0.0.1:0"),
		throttles(func(th *auth.Throttles) { th.LoginPair = auth.Rate{Limit: 1, Window: time.Minute} }))
	require.NotNil(t, srv.App.Admin)
	admin := httptest.NewServer(srv.App.Admin)
	t.Cleanup(admin.Close)

	first := scrape(t, admin)
	promtoolCheck(t, first)
	for _, e := range apperr.Catalog() {
		v, ok := first.value("faultline_errors_total", "code", string(e.Code), "type", string(e.Type))
		assert.True(t, ok, "%s/%s is there from the first scrape", e.Code, e.Type)
		assert.Zero(t, v, "%s/%s", e.Code, e.Type)
	}
	assert.Len(t, first.families["faultline_errors_total"].GetMetric(), len(apperr.Catalog()), "the catalogued pairs, no other")
	for _, k := range fop.Kinds {
		for _, o := range fop.Outcomes {
			assert.Zero(t, first.must(t, "faultline_operations_total", "operation", k.String(), "outcome", o.String()))
			assert.Zero(t, first.must(t, "faultline_operation_duration_seconds", "operation", k.String(), "outcome", o.String()))
		}
	}
	for _, l := range telemetry.Limits {
		assert.Zero(t, first.must(t, "faultline_limit_refusals_total", "limit", l))
	}
	assert.Zero(t, first.must(t, "faultline_refresh_reuse_detections_total"))
	assert.Zero(t, first.must(t, "faultline_subscriptions_active"))
	assert.GreaterOrEqual(t, first.must(t, "faultline_password_hash_slots"), 1.0)
	assert.Zero(t, first.must(t, "faultline_password_hashes_running"))
	assert.Zero(t, first.must(t, "faultline_password_hashes_waiting"))
	first.must(t, "faultline_password_hashes_total")
	first.must(t, "faultline_db_connections", "state", "idle")
	first.must(t, "faultline_db_connections", "state", "in_use")
	first.must(t, "faultline_db_connections_max")
	first.must(t, "faultline_db_connection_waits_total")
	first.must(t, "faultline_db_connection_wait_seconds_total")
	first.must(t, "faultline_db_statements_total")
	first.must(t, "go_goroutines")
	_, ok := first.value("faultline_rate_limit_instances")
	assert.False(t, ok, "without FAULTLINE_RATE_LIMIT there is nothing to share")

	hashes := first.must(t, "faultline_password_hashes_total")
	statements := first.must(t, "faultline_db_statements_total")

	// One request of each outcome.
	require.Empty(t, srv.Query(t, `{ __typename }`, nil).Body.Errors)
	assert.Equal(t, "RESOURCE_NOT_FOUND", srv.Query(t, `{ product(id: "nope") { id } }`, nil).Error(t).Extensions.Type)
	assert.Equal(t, "SYNTAX_ERROR", srv.Query(t, `{ nope`, nil).Error(t).Extensions.Type)
	assert.Equal(t, "UNSUPPORTED_MEDIA_TYPE", srv.Post(t, []byte(`{}`), "Content-Type", "text/plain").Error(t).Extensions.Type)
	const failing = `mutation { login(email: "ghost@example.com", password: "wrong-password") { accessToken } }`
	assert.Equal(t, "INVALID_CREDENTIALS", srv.Query(t, failing, nil).Error(t).Extensions.Type)
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", srv.Query(t, failing, nil).Error(t).Extensions.Type)
	s := loginUser(t, srv)
	mustSession(t, refresh(t, srv, s.RefreshToken), "refreshToken")
	assert.Equal(t, "TOKEN_REVOKED", refresh(t, srv, s.RefreshToken).Error(t).Extensions.Type, "a reuse")
	srv.App.Metrics.Subscriptions().Inc()

	after := scrape(t, admin)
	promtoolCheck(t, after)
	for _, c := range []struct {
		code, typ string
		want      float64
	}{
		{"NOT_FOUND", "RESOURCE_NOT_FOUND", 1},
		{"GRAPHQL_PARSE_FAILED", "SYNTAX_ERROR", 1},
		{"BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE", 1},
		{"UNAUTHENTICATED", "INVALID_CREDENTIALS", 1},
		{"RATE_LIMITED", "TOO_MANY_LOGIN_ATTEMPTS", 1},
		{"UNAUTHENTICATED", "TOKEN_REVOKED", 1},
		{"INTERNAL_SERVER_ERROR", "INTERNAL", 0},
	} {
		assert.Equal(t, c.want, after.must(t, "faultline_errors_total", "code", c.code, "type", c.typ), "%s/%s", c.code, c.typ)
	}
	for _, c := range []struct {
		kind, outcome string
		want          float64
	}{
		{"query", "ok", 1},
		{"query", "partial", 1},
		{"none", "rejected", 1},
		{"none", "refused", 1},
		{"mutation", "partial", 3}, // the wrong password, the throttled one, the reuse
		{"mutation", "ok", 2},      // the login and the first refresh
		{"query", "error", 0},
	} {
		assert.Equal(t, c.want, after.must(t, "faultline_operations_total", "operation", c.kind, "outcome", c.outcome), "%s %s", c.kind, c.outcome)
		assert.Equal(t, c.want, after.must(t, "faultline_operation_duration_seconds", "operation", c.kind, "outcome", c.outcome),
			"%s %s: one observation per operation", c.kind, c.outcome)
	}
	assert.Equal(t, 1.0, after.must(t, "faultline_limit_refusals_total", "limit", "login_pair"))
	assert.Zero(t, after.must(t, "faultline_limit_refusals_total", "limit", "login_email"))
	assert.Equal(t, 1.0, after.must(t, "faultline_refresh_reuse_detections_total"))
	assert.Equal(t, 1.0, after.must(t, "faultline_subscriptions_active"), "the gauge the subscriptions code moves")
	assert.Equal(t, hashes+2, after.must(t, "faultline_password_hashes_total"), "the wrong password and the login; the throttled one hashed nothing")
	assert.Greater(t, after.must(t, "faultline_db_statements_total"), statements)
	assert.GreaterOrEqual(t, after.must(t, "faultline_db_connections", "state", "idle")+after.must(t, "faultline_db_connections", "state", "in_use"), 1.0)

	// Nothing of the admin address is served on the public one.
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		res, err := srv.Client().Get(srv.URL + path)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusNotFound, res.StatusCode, "%s on the public address", path)
	}
	res, err := admin.Client().Get(admin.URL + "/debug/pprof/")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "pprof is on the admin address")
}

// TestRateLimitRefusalsAreCounted: a refusal by FAULTLINE_RATE_LIMIT is a
// refused operation of no type, a TOO_MANY_REQUESTS, and a request_rate
// refusal; the live instances sharing the limit are there too.
func TestRateLimitRefusalsAreCounted(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_ADMIN_ADDR", "127.0.0.1:0"), testserver.Env("FAULTLINE_RATE_LIMIT", "1"))
	admin := httptest.NewServer(srv.App.Admin)
	t.Cleanup(admin.Close)
	require.Empty(t, srv.Query(t, `{ __typename }`, nil).Body.Errors)
	assert.Equal(t, "TOO_MANY_REQUESTS", srv.Query(t, `{ __typename }`, nil).Error(t).Extensions.Type)

	m := scrape(t, admin)
	promtoolCheck(t, m)
	assert.Equal(t, 1.0, m.must(t, "faultline_limit_refusals_total", "limit", "request_rate"))
	assert.Equal(t, 1.0, m.must(t, "faultline_errors_total", "code", "RATE_LIMITED", "type", "TOO_MANY_REQUESTS"))
	assert.Equal(t, 1.0, m.must(t, "faultline_operations_total", "operation", "none", "outcome", "refused"))
	assert.Equal(t, 1.0, m.must(t, "faultline_operations_total", "operation", "query", "outcome", "ok"))
	assert.Equal(t, 1.0, m.must(t, "faultline_rate_limit_instances"))
}

// TestWithoutAnAdminAddressThereAreNoMetrics: metrics are off unless
// FAULTLINE_ADMIN_ADDR is set, and the public address has no /metrics.
func TestWithoutAnAdminAddressThereAreNoMetrics(t *testing.T) {
	srv := testserver.Start(t)
	assert.Nil(t, srv.App.Admin)
	assert.Nil(t, srv.App.Metrics)
	srv.App.Metrics.Subscriptions().Inc() // a gauge that goes nowhere, for the subscriptions code to move regardless
	res, err := srv.Client().Get(srv.URL + "/metrics")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

// TestTheSubscriptionsGaugeFollowsTheStreams: an open subscription counts
// once on the gauge, over WebSocket, and not once it completes.
func TestTheSubscriptionsGaugeFollowsTheStreams(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_ADMIN_ADDR", "127.0.0.1:0"))
	admin := httptest.NewServer(srv.App.Admin)
	t.Cleanup(admin.Close)
	ws := connect(t, srv, loginUser(t, srv).AccessToken)
	ws.Subscribe("1", walletUpdated, nil)
	require.Equal(t, "next", ws.Next().Type, "the wallet as it is")
	assert.Equal(t, 1.0, scrape(t, admin).must(t, "faultline_subscriptions_active"))
	ws.Complete("1")
	assert.Eventually(t, func() bool { return scrape(t, admin).must(t, "faultline_subscriptions_active") == 0 },
		5*time.Second, 20*time.Millisecond, "none once it completes")
}
