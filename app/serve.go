package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves the handler on ln until ctx ends, then shuts down gracefully:
// the gate closes (readiness fails; requests that still arrive get
// SHUTTING_DOWN with Connection: close) for Config.DrainDelay, so that a load
// balancer notices; then the listener closes, the requests in flight finish
// within Config.ShutdownTimeout, and whatever still runs after that is cut off.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      a.Config.RequestTimeout + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", slog.Duration("drain", a.Config.DrainDelay), slog.Duration("grace", a.Config.ShutdownTimeout))
	a.Gate.Close()
	time.Sleep(a.Config.DrainDelay)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		a.Log.Warn("requests still running at the end of the grace period were cut off", slog.Any("error", err))
		_ = srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.Log.Info("stopped")
	return nil
}
