// Package app wires faultline together: configuration → store → domain →
// GraphQL engine → HTTP. server.go runs it; tests start it with httptest.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/config"
	"github.com/faultline/faultline/events"
	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/httpapi"
	"github.com/faultline/faultline/internal/clientip"
	"github.com/faultline/faultline/operation"
	"github.com/faultline/faultline/persisted"
	"github.com/faultline/faultline/playground"
	"github.com/faultline/faultline/shop"
	"github.com/faultline/faultline/store"
	"github.com/faultline/faultline/telemetry"
)

// App is a faultline server: its database, its services, its HTTP handler
// and its drain gate.
type App struct {
	Config   config.Config
	DB       *store.DB
	Accounts *auth.Accounts
	Gate     *operation.Gate
	Handler  http.Handler
	Log      *slog.Logger

	// Admin serves /metrics and pprof on FAULTLINE_ADMIN_ADDR (admin.go);
	// nil, like Metrics, when that is unset.
	Admin   http.Handler
	Metrics *telemetry.Metrics
	// RateLimit is FAULTLINE_RATE_LIMIT's, shared among the instances on
	// the database (instances.go); nil when off.
	RateLimit *operation.RateLimit

	// DemoPassword is the password of the demo users (development).
	DemoPassword string
	// Events fans change notices out to the subscriptions (and, on
	// PostgreSQL, to and from the other instances through feed).
	Events *events.Hub

	trusted       *persisted.Manifest // FAULTLINE_TRUSTED_DOCUMENTS
	stopJanitor   context.CancelFunc
	tracing       *telemetry.Tracing // nil when off
	instanceID    string             // this process in the instances table
	stopInstances func()
	feed          *store.Feed
}

// Option adjusts the wiring before the handler is built; tests use it to
// inject faults that cannot be caused for real.
type Option func(*Wiring)

// Wiring is what the handler is built from.
type Wiring struct {
	Products shop.ProductStore
	Orders   shop.OrderStore // orders and wallets
	// Throttles are the login and register limits (auth.DefaultThrottles).
	Throttles auth.Throttles
}

// New opens and migrates the database, seeds demo data when configured, and
// builds the handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	tokens, err := auth.NewTokens(cfg.JWTSecret, cfg.JWTIssuer, cfg.JWTAudience, cfg.AccessTTL)
	if err != nil {
		return nil, fmt.Errorf("FAULTLINE_JWT_SECRET: %w", err)
	}
	if cfg.JWTSecretIsTemp {
		log.Warn("FAULTLINE_JWT_SECRET is not set: using an ephemeral secret, so tokens die with this process")
	}
	var trusted *persisted.Manifest
	if cfg.TrustedDocuments != "" {
		if trusted, err = persisted.LoadManifest(cfg.TrustedDocuments); err != nil {
			return nil, fmt.Errorf("FAULTLINE_TRUSTED_DOCUMENTS: %w", err)
		}
		log.Info("trusted documents: only the manifest's operations run", slog.Int("operations", trusted.Len()))
	}
	passwords, err := auth.NewPasswords(auth.OWASPMinimum)
	if err != nil {
		return nil, err
	}
	tracing, err := telemetry.NewTracing(ctx, log)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{QueryTimeout: cfg.DBTimeout})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	hub := events.NewHub()
	a := &App{
		Config: cfg, DB: db, Gate: &operation.Gate{}, Log: log, trusted: trusted, tracing: tracing, Events: hub,
		Accounts: &auth.Accounts{Store: db, Tokens: tokens, Passwords: passwords, RefreshTTL: cfg.RefreshTTL,
			SessionMaxAge: cfg.SessionMaxAge, Events: hub},
	}
	if cfg.RateLimit > 0 {
		a.RateLimit = operation.NewRateLimit(cfg.RateLimit)
	}
	if cfg.AdminAddr != "" {
		a.Metrics = telemetry.NewMetrics(telemetry.Sources{DB: db, Passwords: passwords, RateLimit: a.RateLimit})
		a.Accounts.Observer = a.Metrics
		a.Admin = telemetry.Admin(a.Metrics, log)
	}
	if cfg.SeedDemo {
		if err := a.seedDemo(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("seeding demo data: %w", err)
		}
	}
	w := Wiring{Products: db, Orders: db, Throttles: auth.DefaultThrottles}
	for _, o := range opts {
		o(&w)
	}
	a.Accounts.Throttles = w.Throttles
	feed, err := db.StartFeed(ctx, hub, log) // PostgreSQL: the other instances' changes
	if err != nil {
		db.Close()
		return nil, err
	}
	if feed != nil {
		a.feed, hub.Relay = feed, feed
	}
	a.Handler = tracing.Handler(a.routes(w, &auth.Authenticator{Tokens: tokens, Sessions: db, SessionMaxAge: cfg.SessionMaxAge}))
	if a.RateLimit != nil {
		a.joinInstances(ctx)
	}
	janitorCtx, stop := context.WithCancel(context.Background())
	a.stopJanitor = stop
	go a.janitor(janitorCtx, 10*time.Minute)
	return a, nil
}

// routes builds the HTTP handler.
func (a *App) routes(w Wiring, authn *auth.Authenticator) http.Handler {
	resolver := &graph.Resolver{
		Catalog:  &shop.Catalog{Store: w.Products},
		Sales:    &shop.Orders{Store: w.Orders, Events: a.Events},
		Wallets:  &shop.Wallets{Store: w.Orders, Events: a.Events},
		Accounts: a.Accounts,
		Auth:     authn,
		Streams: &graph.Streams{Hub: a.Events, PerUser: a.Config.SubscriptionsPerUser,
			DBGrace: a.Config.SubscriptionDBGrace, Draining: a.Gate.Done(), Active: a.Metrics.Subscriptions()},
	}
	opts := graph.Options{
		MaxComplexity: a.Config.MaxComplexity,
		MaxDepth:      a.Config.MaxDepth,
		Introspection: a.Config.Introspection,
		Log:           a.Log,
	}
	admission := &operation.Admission{Gate: a.Gate, RateLimit: a.RateLimit}
	gql := graph.NewServer(resolver, opts)
	every := &operation.Every{
		Timeout:   a.Config.RequestTimeout,
		Strict:    a.Config.StrictStatus,
		Log:       a.Log,
		Present:   graph.NewPresenter(opts).Present,
		Admission: admission,
	}
	if a.Metrics != nil {
		every.Observe = a.Metrics
	}
	gql.Use(every)
	gql.Use(&persisted.Documents{APQ: a.Config.APQ, Store: a.DB, Trusted: a.trusted})
	httpTransport := &httpapi.Transport{
		Log:          a.Log,
		MaxBodyBytes: a.Config.MaxBodyBytes,
		Strict:       a.Config.StrictStatus,
		Admission:    admission,
		CORS:         httpapi.NewCORS(a.Config.CORSOrigins),
		BatchMax:     a.Config.BatchMax,
		Hooks: []httpapi.ResponseHook{func(r *http.Request, _ *graphql.Response, h http.Header) {
			auth.Challenge(r.Context(), h)
		}},
	}
	// gqlgen hands a request to the first transport that supports it, and
	// httpTransport supports every one: the streams come first.
	gql.AddTransport(&httpapi.WebSocket{
		HTTP:             httpTransport,
		Connect:          authn.WithToken,
		Operation:        authn.Fresh,
		MaxSubscriptions: a.Config.WSMaxSubscriptions,
		InitTimeout:      a.Config.WSInitTimeout,
		IdleTimeout:      a.Config.WSIdleTimeout,
		KeepAlive:        a.Config.KeepAlive,
		MaxMessageBytes:  a.Config.MaxBodyBytes,
	})
	gql.AddTransport(&httpapi.SSE{HTTP: httpTransport, KeepAlive: a.Config.KeepAlive})
	gql.AddTransport(httpTransport)

	mux := http.NewServeMux()
	mux.Handle("/query", gql)
	mux.HandleFunc("GET /healthz", httpapi.Healthz)
	mux.Handle("GET /readyz", httpapi.Readyz(a.Gate, a.DB.Ping))
	if a.Config.Playground {
		// GraphiQL and its assets come from the binary; nothing lives in the URL.
		mux.Handle("GET /{$}", playground.Page("/query"))
		mux.Handle("GET "+playground.AssetsPath, playground.Assets)
	}
	return httpapi.ScopeBehind(clientip.NewProxies(a.Config.TrustedProxies), mux, authn.WithRequest)
}

// janitor removes refresh tokens long expired (an expired one is still
// recognised, as TOKEN_EXPIRED, for one refresh lifetime) and throttle hits
// older than the longest throttle window.
func (a *App) janitor(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now().UTC()
		if err := a.DB.DeleteExpired(ctx, now.Add(-a.Config.RefreshTTL), now.Add(-a.Accounts.Throttles.LongestWindow())); err != nil && ctx.Err() == nil {
			a.Log.Warn("cleaning expired tokens", slog.Any("error", err))
		}
	}
}

// Close stops the janitor and the feed (sending the notices still queued),
// leaves the instances table, exports the spans still buffered and releases
// the database.
func (a *App) Close() error {
	if a.stopJanitor != nil {
		a.stopJanitor()
	}
	a.feed.Close()
	if a.stopInstances != nil {
		a.stopInstances()
		a.stopInstances = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.tracing.Shutdown(ctx); err != nil {
		a.Log.Warn("exporting the last spans", slog.Any("error", err))
	}
	a.tracing = nil
	return a.DB.Close()
}
