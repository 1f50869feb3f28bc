// Package config reads faultline's settings from the environment (README,
// Settings). Every error names the variable at fault.
package config

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Modes of FAULTLINE_ENV.
const (
	Development = "development"
	Production  = "production"
)

// Config is every setting of a faultline process.
type Config struct {
	Env             string        // FAULTLINE_ENV
	Addr            string        // FAULTLINE_ADDR, or :PORT
	DatabaseURL     string        // DATABASE_URL
	DBTimeout       time.Duration // FAULTLINE_DB_TIMEOUT
	Playground      bool          // FAULTLINE_PLAYGROUND
	Introspection   bool          // FAULTLINE_INTROSPECTION
	MaxBodyBytes    int64         // FAULTLINE_MAX_BODY_BYTES
	MaxComplexity   int           // FAULTLINE_MAX_COMPLEXITY
	MaxDepth        int           // FAULTLINE_MAX_DEPTH
	RequestTimeout  time.Duration // FAULTLINE_REQUEST_TIMEOUT
	RateLimit       int           // FAULTLINE_RATE_LIMIT: requests per second per client address; 0 is off
	StrictStatus    bool          // FAULTLINE_HTTP_STATUS=strict
	ShutdownTimeout time.Duration // FAULTLINE_SHUTDOWN_TIMEOUT
	DrainDelay      time.Duration // FAULTLINE_DRAIN_DELAY
	SeedDemo        bool          // FAULTLINE_SEED_DEMO
	LogLevel        slog.Level    // FAULTLINE_LOG_LEVEL
	LogFormat       string        // FAULTLINE_LOG_FORMAT: text or json

	JWTSecret       []byte        // FAULTLINE_JWT_SECRET; generated in development when unset
	JWTSecretIsTemp bool          // the secret was generated for this process
	JWTIssuer       string        // FAULTLINE_JWT_ISSUER
	JWTAudience     string        // FAULTLINE_JWT_AUDIENCE
	AccessTTL       time.Duration // FAULTLINE_ACCESS_TTL
	RefreshTTL      time.Duration // FAULTLINE_REFRESH_TTL
	SessionMaxAge   time.Duration // FAULTLINE_SESSION_MAX_AGE: a session's absolute lifetime, at least RefreshTTL
	DemoPassword    string        // FAULTLINE_DEMO_PASSWORD; generated when unset

	// AdminAddr serves /metrics and pprof (FAULTLINE_ADMIN_ADDR, or the
	// deprecated FAULTLINE_DEBUG_ADDR when AdminFromDebugAddr); off when
	// empty, never the public address.
	AdminAddr          string
	AdminFromDebugAddr bool
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (FAULTLINE_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix

	// CORSOrigins are the cross-origin callers allowed (FAULTLINE_CORS_ORIGINS):
	// "*" for any, none for same-origin only.
	CORSOrigins      []string
	APQ              bool   // FAULTLINE_APQ: automatic persisted queries
	TrustedDocuments string // FAULTLINE_TRUSTED_DOCUMENTS: a manifest's path; only its documents run
	BatchMax         int    // FAULTLINE_BATCH_MAX: operations per batched request; 0 refuses batches

	// Subscriptions (README, Subscriptions).
	WSMaxSubscriptions   int           // FAULTLINE_WS_MAX_SUBSCRIPTIONS: at once per WebSocket connection
	WSInitTimeout        time.Duration // FAULTLINE_WS_INIT_TIMEOUT: from the upgrade to connection_init
	WSIdleTimeout        time.Duration // FAULTLINE_WS_IDLE_TIMEOUT: a connection without subscriptions is closed; 0 never
	KeepAlive            time.Duration // FAULTLINE_SUBSCRIPTION_KEEPALIVE: WebSocket pings, SSE comments; 0 none
	SubscriptionsPerUser int           // FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER: one user's on one instance
	SubscriptionDBGrace  time.Duration // FAULTLINE_SUBSCRIPTION_DB_GRACE: how long a stream waits for the database
}

// MinJWTSecretBytes is the shortest FAULTLINE_JWT_SECRET accepted (HS256).
const MinJWTSecretBytes = 32

// Development reports whether the process runs in development mode.
func (c Config) Development() bool { return c.Env == Development }

// Load reads the settings through getenv (os.Getenv in main).
func Load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{Env: r.choice("FAULTLINE_ENV", Development, Development, Production)}
	dev := c.Development()

	c.Addr = getenv("FAULTLINE_ADDR")
	if c.Addr == "" {
		c.Addr = ":8080"
		if port := getenv("PORT"); port != "" {
			c.Addr = ":" + port
		}
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		r.fail("FAULTLINE_ADDR", "want host:port or :port, got %q", c.Addr)
	}
	c.DatabaseURL = getenv("DATABASE_URL")
	c.DBTimeout = r.duration("FAULTLINE_DB_TIMEOUT", 5*time.Second)
	c.Playground = r.boolean("FAULTLINE_PLAYGROUND", dev)
	c.Introspection = r.boolean("FAULTLINE_INTROSPECTION", dev)
	c.MaxBodyBytes = int64(r.positive("FAULTLINE_MAX_BODY_BYTES", 1<<20))
	c.MaxComplexity = r.positive("FAULTLINE_MAX_COMPLEXITY", 10_000)
	c.MaxDepth = r.positive("FAULTLINE_MAX_DEPTH", 15)
	c.RequestTimeout = r.duration("FAULTLINE_REQUEST_TIMEOUT", 10*time.Second)
	c.RateLimit = r.positive("FAULTLINE_RATE_LIMIT", 0)
	c.StrictStatus = r.choice("FAULTLINE_HTTP_STATUS", "graphql", "graphql", "strict") == "strict"
	c.ShutdownTimeout = r.duration("FAULTLINE_SHUTDOWN_TIMEOUT", 15*time.Second)
	c.DrainDelay = r.nonNegativeDuration("FAULTLINE_DRAIN_DELAY", 0)
	c.SeedDemo = r.boolean("FAULTLINE_SEED_DEMO", dev)
	logFormat := "json"
	if dev {
		logFormat = "text"
	}
	c.LogFormat = r.choice("FAULTLINE_LOG_FORMAT", logFormat, "text", "json")
	c.JWTIssuer = r.text("FAULTLINE_JWT_ISSUER", "faultline")
	c.JWTAudience = r.text("FAULTLINE_JWT_AUDIENCE", "faultline")
	c.AccessTTL = r.duration("FAULTLINE_ACCESS_TTL", 15*time.Minute)
	c.RefreshTTL = r.duration("FAULTLINE_REFRESH_TTL", 168*time.Hour)
	c.SessionMaxAge = r.duration("FAULTLINE_SESSION_MAX_AGE", 720*time.Hour)
	if c.SessionMaxAge < c.RefreshTTL {
		r.fail("FAULTLINE_SESSION_MAX_AGE", "want at least FAULTLINE_REFRESH_TTL (%s), got %s", c.RefreshTTL, c.SessionMaxAge)
	}
	c.DemoPassword = getenv("FAULTLINE_DEMO_PASSWORD")
	c.AdminAddr, c.AdminFromDebugAddr = r.adminAddr(c.Addr)
	c.TrustedProxies = r.prefixes("FAULTLINE_TRUSTED_PROXIES")
	c.CORSOrigins = r.origins("FAULTLINE_CORS_ORIGINS", dev)
	c.APQ = r.boolean("FAULTLINE_APQ", true)
	c.TrustedDocuments = getenv("FAULTLINE_TRUSTED_DOCUMENTS")
	c.BatchMax = r.nonNegative("FAULTLINE_BATCH_MAX", 0)
	c.WSMaxSubscriptions = r.positive("FAULTLINE_WS_MAX_SUBSCRIPTIONS", 20)
	c.WSInitTimeout = r.duration("FAULTLINE_WS_INIT_TIMEOUT", 10*time.Second)
	c.WSIdleTimeout = r.nonNegativeDuration("FAULTLINE_WS_IDLE_TIMEOUT", 5*time.Minute)
	c.KeepAlive = r.nonNegativeDuration("FAULTLINE_SUBSCRIPTION_KEEPALIVE", 15*time.Second)
	c.SubscriptionsPerUser = r.positive("FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER", 50)
	c.SubscriptionDBGrace = r.duration("FAULTLINE_SUBSCRIPTION_DB_GRACE", 30*time.Second)
	if c.DemoPassword != "" && len(c.DemoPassword) < 8 {
		r.fail("FAULTLINE_DEMO_PASSWORD", "want at least 8 characters")
	}
	switch secret := getenv("FAULTLINE_JWT_SECRET"); {
	case len(secret) >= MinJWTSecretBytes:
		c.JWTSecret = []byte(secret)
	case secret != "":
		r.fail("FAULTLINE_JWT_SECRET", "want at least %d bytes, got %d", MinJWTSecretBytes, len(secret))
	case dev:
		c.JWTSecret, c.JWTSecretIsTemp = make([]byte, MinJWTSecretBytes), true
		_, _ = rand.Read(c.JWTSecret)
	default:
		r.fail("FAULTLINE_JWT_SECRET", "required in production: set it to a random secret of at least %d bytes", MinJWTSecretBytes)
	}
	if v := getenv("FAULTLINE_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			r.fail("FAULTLINE_LOG_LEVEL", "want debug, info, warn or error, got %q", v)
		}
	}
	return c, errors.Join(r.errs...)
}

type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
}

func (r *reader) text(name, def string) string {
	if v := r.getenv(name); v != "" {
		return v
	}
	return def
}

func (r *reader) choice(name, def string, allowed ...string) string {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	r.fail(name, "want one of %s, got %q", strings.Join(allowed, ", "), v)
	return def
}

func (r *reader) boolean(name string, def bool) bool {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	switch strings.ToLower(v) {
	case "1", "true", "on", "yes":
		return true
	case "0", "false", "off", "no":
		return false
	}
	r.fail(name, "want true or false, got %q", v)
	return def
}

func (r *reader) positive(name string, def int) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		r.fail(name, "want a positive integer, got %q", v)
		return def
	}
	return n
}

func (r *reader) nonNegative(name string, def int) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		r.fail(name, "want a whole number, 0 or more, got %q", v)
		return def
	}
	return n
}

// origins reads a comma-separated list of origins (scheme://host[:port],
// one "*" wildcard in the host allowed, as https://*.example.com) or "*";
// unset, any origin in development and none in production.
func (r *reader) origins(name string, dev bool) []string {
	v := strings.TrimSpace(r.getenv(name))
	switch {
	case v == "" && dev, v == "*":
		return []string{"*"}
	case v == "":
		return nil
	}
	var out []string
	for part := range strings.SplitSeq(v, ",") {
		o := strings.TrimSpace(part)
		if o == "" {
			continue
		}
		u, err := url.Parse(strings.Replace(o, "*.", "wildcard.", 1))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Count(o, "*") > 1 {
			r.fail(name, "want origins such as https://app.example.com or http://localhost:5173, comma-separated, or *; got %q", o)
			continue
		}
		out = append(out, strings.ToLower(o))
	}
	return out
}

// adminAddr reads FAULTLINE_ADMIN_ADDR, or its deprecated alias
// FAULTLINE_DEBUG_ADDR (fromDebug), a host:port that cannot be the public
// address.
func (r *reader) adminAddr(public string) (addr string, fromDebug bool) {
	addr, debug := r.getenv("FAULTLINE_ADMIN_ADDR"), r.getenv("FAULTLINE_DEBUG_ADDR")
	name := "FAULTLINE_ADMIN_ADDR"
	switch {
	case addr != "" && debug != "" && debug != addr:
		r.fail("FAULTLINE_DEBUG_ADDR", "a deprecated alias of FAULTLINE_ADMIN_ADDR, which is set to %q: unset it", addr)
	case addr == "" && debug != "":
		addr, fromDebug, name = debug, true, "FAULTLINE_DEBUG_ADDR"
	}
	if addr == "" {
		return "", false
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		r.fail(name, "want host:port or :port, got %q", addr)
		return "", false
	}
	if pubHost, pubPort, err := net.SplitHostPort(public); err == nil && port == pubPort && port != "0" &&
		(host == pubHost || isAnyHost(host) || isAnyHost(pubHost)) {
		r.fail(name, "must not be the public address FAULTLINE_ADDR (%s): metrics and pprof are for operators only", public)
		return "", false
	}
	return addr, fromDebug
}

// isAnyHost reports whether a listen host means every interface.
func isAnyHost(host string) bool {
	ip := net.ParseIP(host)
	return host == "" || ip != nil && ip.IsUnspecified()
}

// prefixes reads comma-separated CIDRs (10.0.0.0/8, 2001:db8::/32); a bare
// address is a prefix of its own.
func (r *reader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for part := range strings.SplitSeq(r.getenv(name), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(part)
		if err != nil {
			addr, aerr := netip.ParseAddr(part)
			if aerr != nil {
				r.fail(name, "want CIDRs such as 10.0.0.0/8 or 2001:db8::/32, comma-separated; got %q", part)
				continue
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		out = append(out, prefix)
	}
	return out
}

func (r *reader) nonNegativeDuration(name string, def time.Duration) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.fail(name, "want a Go duration such as 5s (0 for none), got %q", v)
		return def
	}
	return d
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "want a positive Go duration such as 10s, got %q", v)
		return def
	}
	return d
}
