package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ServeAdmin serves the admin handler (metrics and pprof) on ln, an
// address of its own (FAULTLINE_ADMIN_ADDR), until ctx ends. The caller ends
// it after Serve, so that the drain can be watched.
func (a *App) ServeAdmin(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Admin,
		ReadHeaderTimeout: 5 * time.Second,
		// No WriteTimeout: a CPU profile or an execution trace takes as long as it was asked to.
		IdleTimeout: 120 * time.Second,
		ErrorLog:    slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	_ = srv.Close()
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
