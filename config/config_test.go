package config_test

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/config"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	require.NoError(t, err)
	assert.Len(t, c.JWTSecret, 32, "development generates an ephemeral secret")
	assert.True(t, c.JWTSecretIsTemp)
	c.JWTSecret = nil
	assert.Equal(t, config.Config{
		Env: "development", Addr: ":8080", Playground: true, Introspection: true,
		MaxBodyBytes: 1 << 20, MaxComplexity: 10_000, MaxDepth: 15,
		RequestTimeout: 10 * time.Second, ShutdownTimeout: 15 * time.Second, DBTimeout: 5 * time.Second,
		SeedDemo: true, LogLevel: slog.LevelInfo, LogFormat: "text",
		JWTSecretIsTemp: true, JWTIssuer: "faultline", JWTAudience: "faultline",
		AccessTTL: 15 * time.Minute, RefreshTTL: 168 * time.Hour, SessionMaxAge: 720 * time.Hour,
		CORSOrigins: []string{"*"}, APQ: true,
		WSMaxSubscriptions: 20, WSInitTimeout: 10 * time.Second, WSIdleTimeout: 5 * time.Minute,
		KeepAlive: 15 * time.Second, SubscriptionsPerUser: 50, SubscriptionDBGrace: 30 * time.Second,
	}, c)

	other, err := config.Load(env(nil))
	require.NoError(t, err)
	assert.NotEqual(t, c.JWTSecret, other.JWTSecret)

	p, err := config.Load(env(map[string]string{"FAULTLINE_ENV": "production", "PORT": "9000",
		"FAULTLINE_JWT_SECRET": strings.Repeat("s", 32)}))
	require.NoError(t, err)
	assert.Equal(t, ":9000", p.Addr)
	assert.False(t, p.Playground)
	assert.False(t, p.Introspection)
	assert.False(t, p.SeedDemo)
	assert.Equal(t, "json", p.LogFormat)
	assert.Equal(t, []byte(strings.Repeat("s", 32)), p.JWTSecret)
	assert.False(t, p.JWTSecretIsTemp)
}

func TestProductionNeedsAStrongSecret(t *testing.T) {
	_, err := config.Load(env(map[string]string{"FAULTLINE_ENV": "production"}))
	assert.ErrorContains(t, err, "FAULTLINE_JWT_SECRET")
	_, err = config.Load(env(map[string]string{"FAULTLINE_ENV": "production", "FAULTLINE_JWT_SECRET": strings.Repeat("s", 31)}))
	assert.ErrorContains(t, err, "FAULTLINE_JWT_SECRET: want at least 32 bytes, got 31")
	_, err = config.Load(env(map[string]string{"FAULTLINE_JWT_SECRET": "short"}))
	assert.ErrorContains(t, err, "FAULTLINE_JWT_SECRET", "a weak secret is refused in development too")
}

func TestSettings(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"FAULTLINE_ADDR": "127.0.0.1:1234", "PORT": "9000", "DATABASE_URL": "sqlite:///tmp/x.db",
		"FAULTLINE_PLAYGROUND": "off", "FAULTLINE_INTROSPECTION": "false",
		"FAULTLINE_MAX_BODY_BYTES": "2048", "FAULTLINE_MAX_COMPLEXITY": "50", "FAULTLINE_MAX_DEPTH": "4",
		"FAULTLINE_REQUEST_TIMEOUT": "250ms", "FAULTLINE_HTTP_STATUS": "STRICT",
		"FAULTLINE_LOG_LEVEL": "debug", "FAULTLINE_LOG_FORMAT": "json", "FAULTLINE_RATE_LIMIT": "50",
	}))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1234", c.Addr, "FAULTLINE_ADDR wins over PORT")
	assert.Equal(t, "sqlite:///tmp/x.db", c.DatabaseURL)
	assert.False(t, c.Playground)
	assert.False(t, c.Introspection)
	assert.EqualValues(t, 2048, c.MaxBodyBytes)
	assert.Equal(t, 50, c.MaxComplexity)
	assert.Equal(t, 4, c.MaxDepth)
	assert.Equal(t, 250*time.Millisecond, c.RequestTimeout)
	assert.True(t, c.StrictStatus)
	assert.Equal(t, slog.LevelDebug, c.LogLevel)
	assert.Equal(t, 50, c.RateLimit)
}

func TestEveryBadValueIsNamed(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"FAULTLINE_ENV": "staging", "FAULTLINE_ADDR": "nope", "FAULTLINE_PLAYGROUND": "maybe",
		"FAULTLINE_MAX_BODY_BYTES": "-1", "FAULTLINE_MAX_DEPTH": "x", "FAULTLINE_REQUEST_TIMEOUT": "10",
		"FAULTLINE_HTTP_STATUS": "rest", "FAULTLINE_LOG_LEVEL": "loud", "FAULTLINE_DRAIN_DELAY": "-1s",
		"FAULTLINE_ACCESS_TTL": "forever", "FAULTLINE_DEMO_PASSWORD": "short", "FAULTLINE_RATE_LIMIT": "0",
	}))
	require.Error(t, err)
	for _, name := range []string{"FAULTLINE_ENV", "FAULTLINE_ADDR", "FAULTLINE_PLAYGROUND", "FAULTLINE_MAX_BODY_BYTES",
		"FAULTLINE_MAX_DEPTH", "FAULTLINE_REQUEST_TIMEOUT", "FAULTLINE_HTTP_STATUS", "FAULTLINE_LOG_LEVEL", "FAULTLINE_DRAIN_DELAY", "FAULTLINE_ACCESS_TTL", "FAULTLINE_DEMO_PASSWORD", "FAULTLINE_RATE_LIMIT"} {
		assert.ErrorContains(t, err, name)
	}
}

// TestASessionOutlivesItsRefreshTokens: FAULTLINE_SESSION_MAX_AGE is a Go
// duration of at least FAULTLINE_REFRESH_TTL, or the configuration fails
// naming it.
func TestASessionOutlivesItsRefreshTokens(t *testing.T) {
	c, err := config.Load(env(map[string]string{"FAULTLINE_SESSION_MAX_AGE": "2s", "FAULTLINE_REFRESH_TTL": "1s"}))
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, c.SessionMaxAge)
	c, err = config.Load(env(map[string]string{"FAULTLINE_SESSION_MAX_AGE": "168h"}))
	require.NoError(t, err, "equal to the refresh lifetime is enough")
	assert.Equal(t, 168*time.Hour, c.SessionMaxAge)

	_, err = config.Load(env(map[string]string{"FAULTLINE_SESSION_MAX_AGE": "24h"}))
	assert.ErrorContains(t, err, "FAULTLINE_SESSION_MAX_AGE: want at least FAULTLINE_REFRESH_TTL (168h0m0s), got 24h0m0s")
	_, err = config.Load(env(map[string]string{"FAULTLINE_SESSION_MAX_AGE": "1h", "FAULTLINE_REFRESH_TTL": "2h"}))
	assert.ErrorContains(t, err, "FAULTLINE_SESSION_MAX_AGE")
	for _, bad := range []string{"forever", "30", "-1h", "0s"} {
		_, err = config.Load(env(map[string]string{"FAULTLINE_SESSION_MAX_AGE": bad}))
		assert.ErrorContains(t, err, "FAULTLINE_SESSION_MAX_AGE", bad)
	}
}

func TestCORSOrigins(t *testing.T) {
	prod := map[string]string{"FAULTLINE_ENV": "production", "FAULTLINE_JWT_SECRET": strings.Repeat("s", 32)}
	with := func(base map[string]string, k, v string) map[string]string {
		m := map[string]string{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		return m
	}
	c, err := config.Load(env(prod))
	require.NoError(t, err)
	assert.Empty(t, c.CORSOrigins, "production allows no other origin unless told")

	c, err = config.Load(env(with(prod, "FAULTLINE_CORS_ORIGINS", "https://App.example.com, http://localhost:5173,https://*.example.org")))
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example.com", "http://localhost:5173", "https://*.example.org"}, c.CORSOrigins)

	c, err = config.Load(env(with(prod, "FAULTLINE_CORS_ORIGINS", "*")))
	require.NoError(t, err)
	assert.Equal(t, []string{"*"}, c.CORSOrigins)

	for _, bad := range []string{"app.example.com", "https://app.example.com/path", "ftp://x.example", "https://*.*.example.com", "https://"} {
		_, err := config.Load(env(with(prod, "FAULTLINE_CORS_ORIGINS", bad)))
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "FAULTLINE_CORS_ORIGINS", bad)
	}
}

func TestBatchMaxAndAPQ(t *testing.T) {
	c, err := config.Load(env(map[string]string{"FAULTLINE_BATCH_MAX": "10", "FAULTLINE_APQ": "false"}))
	require.NoError(t, err)
	assert.Equal(t, 10, c.BatchMax)
	assert.False(t, c.APQ)
	_, err = config.Load(env(map[string]string{"FAULTLINE_BATCH_MAX": "-1"}))
	assert.ErrorContains(t, err, "FAULTLINE_BATCH_MAX")
}

// TestTheAdminAddress: FAULTLINE_ADMIN_ADDR (metrics and pprof) is off
// unless set, FAULTLINE_DEBUG_ADDR is its deprecated alias, and neither may
// be the public address.
func TestTheAdminAddress(t *testing.T) {
	c, err := config.Load(env(map[string]string{"FAULTLINE_ADMIN_ADDR": "127.0.0.1:9090"}))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9090", c.AdminAddr)
	assert.False(t, c.AdminFromDebugAddr)

	c, err = config.Load(env(map[string]string{"FAULTLINE_DEBUG_ADDR": "127.0.0.1:6060"}))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:6060", c.AdminAddr, "the deprecated alias still works")
	assert.True(t, c.AdminFromDebugAddr)

	c, err = config.Load(env(map[string]string{"FAULTLINE_ADMIN_ADDR": ":9090", "FAULTLINE_DEBUG_ADDR": ":9090"}))
	require.NoError(t, err)
	assert.Equal(t, ":9090", c.AdminAddr)

	for _, bad := range []map[string]string{
		{"FAULTLINE_ADMIN_ADDR": "9090"},
		{"FAULTLINE_ADMIN_ADDR": ":8080"},
		{"FAULTLINE_ADMIN_ADDR": "127.0.0.1:8080"},
		{"FAULTLINE_ADDR": "127.0.0.1:7000", "FAULTLINE_ADMIN_ADDR": "127.0.0.1:7000"},
		{"FAULTLINE_ADDR": "127.0.0.1:7000", "FAULTLINE_ADMIN_ADDR": "0.0.0.0:7000"},
	} {
		_, err := config.Load(env(bad))
		assert.ErrorContains(t, err, "FAULTLINE_ADMIN_ADDR", bad)
	}
	_, err = config.Load(env(map[string]string{"FAULTLINE_ADMIN_ADDR": ":9090", "FAULTLINE_DEBUG_ADDR": ":6060"}))
	assert.ErrorContains(t, err, "FAULTLINE_DEBUG_ADDR: a deprecated alias of FAULTLINE_ADMIN_ADDR")

	c, err = config.Load(env(map[string]string{"FAULTLINE_ADDR": "127.0.0.1:7000", "FAULTLINE_ADMIN_ADDR": "127.0.0.2:7000"}))
	require.NoError(t, err, "another interface on the same port is another address")
	assert.Equal(t, "127.0.0.2:7000", c.AdminAddr)
}

func TestTrustedProxies(t *testing.T) {
	c, err := config.Load(env(map[string]string{"FAULTLINE_TRUSTED_PROXIES": " 10.0.0.0/8, 2001:db8::/32,192.0.2.7 ,"}))
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("192.0.2.7/32"),
	}, c.TrustedProxies)

	c, err = config.Load(env(nil))
	require.NoError(t, err)
	assert.Empty(t, c.TrustedProxies, "nobody is trusted unless named")

	_, err = config.Load(env(map[string]string{"FAULTLINE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}))
	assert.ErrorContains(t, err, `FAULTLINE_TRUSTED_PROXIES: want CIDRs such as 10.0.0.0/8 or 2001:db8::/32, comma-separated; got "proxy.internal"`)
}

// TestSubscriptionSettings: the limits and timings of subscriptions, each a
// setting named in its error; 0 turns the idle timeout and the keep-alive off.
func TestSubscriptionSettings(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"FAULTLINE_WS_MAX_SUBSCRIPTIONS": "3", "FAULTLINE_WS_INIT_TIMEOUT": "2s", "FAULTLINE_WS_IDLE_TIMEOUT": "0",
		"FAULTLINE_SUBSCRIPTION_KEEPALIVE": "0s", "FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER": "7",
		"FAULTLINE_SUBSCRIPTION_DB_GRACE": "1500ms",
	}))
	require.NoError(t, err)
	assert.Equal(t, 3, c.WSMaxSubscriptions)
	assert.Equal(t, 2*time.Second, c.WSInitTimeout)
	assert.Zero(t, c.WSIdleTimeout)
	assert.Zero(t, c.KeepAlive)
	assert.Equal(t, 7, c.SubscriptionsPerUser)
	assert.Equal(t, 1500*time.Millisecond, c.SubscriptionDBGrace)

	bad := map[string]string{
		"FAULTLINE_WS_MAX_SUBSCRIPTIONS": "0", "FAULTLINE_WS_INIT_TIMEOUT": "0s", "FAULTLINE_WS_IDLE_TIMEOUT": "-1m",
		"FAULTLINE_SUBSCRIPTION_KEEPALIVE": "often", "FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER": "-2",
		"FAULTLINE_SUBSCRIPTION_DB_GRACE": "30",
	}
	_, err = config.Load(env(bad))
	require.Error(t, err)
	for name := range bad {
		assert.ErrorContains(t, err, name)
	}
}
