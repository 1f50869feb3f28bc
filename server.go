// Command faultline serves the faultline GraphQL API: `go run .` starts it in
// development mode on an embedded SQLite database with demo data.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "faultline:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	banner(log, cfg, ln.Addr())
	// The first SIGINT or SIGTERM starts a graceful shutdown; after it, the
	// signals' default action applies again, so a second one kills.
	go func() {
		<-ctx.Done()
		stop()
	}()
	return a.Serve(ctx, ln)
}

func newLogger(cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stdout, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stdout, opts))
}

// banner says where the server listens and, in development, where to explore it.
func banner(log *slog.Logger, cfg config.Config, addr net.Addr) {
	base := "http://" + hostPort(addr)
	attrs := []any{slog.String("env", cfg.Env), slog.String("graphql", base+"/query")}
	if cfg.Playground {
		attrs = append(attrs, slog.String("playground", base+"/"))
	}
	log.Info("faultline is listening", attrs...)
	if cfg.Playground {
		fmt.Fprintf(os.Stderr, "\n  faultline (%s) — playground: %s/  ·  GraphQL: %s/query\n\n", cfg.Env, base, base)
	}
}

// hostPort makes a listen address clickable: an unspecified host becomes localhost.
func hostPort(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
