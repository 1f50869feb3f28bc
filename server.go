// Command faultline serves the faultline GraphQL API: `go run .` starts it in
// development mode on an embedded SQLite database with demo data.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/config"
	"github.com/faultline/faultline/internal/logbuf"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "faultline:", err)
		os.Exit(1)
	}
}

// gcPercent is GOGC unless the environment sets it. faultline's live heap is
// about 1 MB, so at Go's default of 100 the collector aims at its 4 MB
// minimum and runs every few milliseconds under load: gctrace showed 7 % of
// the CPU spent collecting. At 200 it runs half as often, which measured 10
// to 15 % more requests per second on one core for the same peak RSS (the
// argon2 block of a login sets that peak; docs/benchmarks.md, Speed).
// Higher values measured slower again: the heap then outgrows the caches.
const gcPercent = 200

func run() error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	logOut := logbuf.New(os.Stdout)
	defer logOut.Close()
	log := newLogger(cfg, logOut)

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
	if cfg.AdminAddr != "" {
		stopAdmin, err := serveAdmin(a, log, cfg)
		if err != nil {
			return err
		}
		defer stopAdmin()
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

// serveAdmin serves metrics and pprof on FAULTLINE_ADMIN_ADDR until the
// returned stop, which run calls once the public server has drained.
func serveAdmin(a *app.App, log *slog.Logger, cfg config.Config) (stop func(), err error) {
	name := "FAULTLINE_ADMIN_ADDR"
	if cfg.AdminFromDebugAddr {
		name = "FAULTLINE_DEBUG_ADDR"
		log.Warn("FAULTLINE_DEBUG_ADDR is deprecated: set FAULTLINE_ADMIN_ADDR, which serves /metrics as well as pprof")
	}
	ln, err := net.Listen("tcp", cfg.AdminAddr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	base := "http://" + hostPort(ln.Addr())
	log.Info("admin is listening", slog.String("metrics", base+"/metrics"), slog.String("pprof", base+"/debug/pprof/"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.ServeAdmin(ctx, ln); err != nil {
			log.Error("admin stopped", slog.Any("error", err))
		}
	}()
	return func() { cancel(); <-done }, nil
}

// newLogger logs to out, which batches the lines (logbuf): a busy server
// does not make a system call per request.
func newLogger(cfg config.Config, out io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
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
