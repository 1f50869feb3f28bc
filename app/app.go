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
	"github.com/99designs/gqlgen/graphql/playground"

	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/config"
	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/httpapi"
	"github.com/faultline/faultline/shop"
	"github.com/faultline/faultline/store"
)

// App is a faultline server: its database, its services, its HTTP handler
// and its drain gate.
type App struct {
	Config   config.Config
	DB       *store.DB
	Accounts *auth.Accounts
	Gate     *httpapi.Gate
	Handler  http.Handler
	Log      *slog.Logger

	// DemoPassword is the password of the demo users (development).
	DemoPassword string

	stopJanitor context.CancelFunc
}

// Option adjusts the wiring before the handler is built; tests use it to
// inject faults that cannot be caused for real.
type Option func(*Wiring)

// Wiring is what the handler is built from.
type Wiring struct {
	Products shop.ProductStore
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
	passwords, err := auth.NewPasswords(auth.OWASPMinimum)
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
	a := &App{
		Config: cfg, DB: db, Gate: &httpapi.Gate{}, Log: log,
		Accounts: &auth.Accounts{Store: db, Tokens: tokens, Passwords: passwords, RefreshTTL: cfg.RefreshTTL},
	}
	if cfg.SeedDemo {
		if err := a.seedDemo(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("seeding demo data: %w", err)
		}
	}
	w := Wiring{Products: db}
	for _, o := range opts {
		o(&w)
	}
	a.Handler = a.routes(w, &auth.Authenticator{Tokens: tokens, Users: db})
	janitorCtx, stop := context.WithCancel(context.Background())
	a.stopJanitor = stop
	go a.janitor(janitorCtx, 10*time.Minute)
	return a, nil
}

// routes builds the HTTP handler.
func (a *App) routes(w Wiring, authn *auth.Authenticator) http.Handler {
	resolver := &graph.Resolver{
		Catalog:  &shop.Catalog{Store: w.Products},
		Sales:    &shop.Orders{Store: a.DB},
		Wallets:  &shop.Wallets{Store: a.DB},
		Accounts: a.Accounts,
		Auth:     authn,
	}
	gql := graph.NewServer(resolver, graph.Options{
		MaxComplexity: a.Config.MaxComplexity,
		MaxDepth:      a.Config.MaxDepth,
		Introspection: a.Config.Introspection,
		Log:           a.Log,
	})
	var limit *httpapi.RateLimit
	if a.Config.RateLimit > 0 {
		limit = httpapi.NewRateLimit(a.Config.RateLimit)
	}
	gql.AddTransport(&httpapi.Transport{
		RateLimit:    limit,
		MaxBodyBytes: a.Config.MaxBodyBytes,
		TokenLimit:   graph.ParserTokenLimit,
		Timeout:      a.Config.RequestTimeout,
		Strict:       a.Config.StrictStatus,
		Gate:         a.Gate,
		Log:          a.Log,
		Hooks: []httpapi.ResponseHook{func(r *http.Request, _ *graphql.Response, h http.Header) {
			auth.Challenge(r.Context(), h)
		}},
	})

	mux := http.NewServeMux()
	mux.Handle("/query", gql)
	mux.HandleFunc("GET /healthz", httpapi.Healthz)
	mux.Handle("GET /readyz", httpapi.Readyz(a.Gate, a.DB.Ping))
	if a.Config.Playground {
		// The query, variables and headers live in the URL, so a playground
		// link with an Authorization header can be shared (or opened by a test).
		mux.Handle("GET /{$}", playground.Handler("faultline", "/query", playground.WithGraphiqlPersistStateInURL(true)))
	}
	return httpapi.Scope(mux, authn.WithRequest)
}

// janitor removes refresh tokens long expired (an expired one is still
// recognised, as TOKEN_EXPIRED, for one refresh lifetime) and login attempts
// out of the throttling window.
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
		if err := a.DB.DeleteExpired(ctx, now.Add(-a.Config.RefreshTTL), now.Add(-auth.LoginWindow)); err != nil && ctx.Err() == nil {
			a.Log.Warn("cleaning expired tokens", slog.Any("error", err))
		}
	}
}

// Close stops the janitor and releases the database.
func (a *App) Close() error {
	if a.stopJanitor != nil {
		a.stopJanitor()
	}
	return a.DB.Close()
}
