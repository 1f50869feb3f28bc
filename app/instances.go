package app

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"
)

// The deployment-wide rate limit (FAULTLINE_RATE_LIMIT): each instance
// beats a heartbeat into the instances table every instancePeriod and shares
// the limit among those seen within instanceStale (operation.RateLimit;
// docs/operations.md says why this design and what it gets wrong).
// An instance that stops leaves the table at once; one that dies is
// counted out after instanceStale.
const (
	instancePeriod = 2 * time.Second
	instanceStale  = 3*instancePeriod + instancePeriod/2
)

// joinInstances registers this process before it serves, so that its
// first requests are already held to its share, and keeps the count up to
// date until Close.
func (a *App) joinInstances(ctx context.Context) {
	a.instanceID = rand.Text()
	a.heartbeat(ctx)
	loopCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(instancePeriod)
		defer t.Stop()
		for {
			select {
			case <-loopCtx.Done():
				return
			case <-t.C:
				a.heartbeat(loopCtx)
			}
		}
	}()
	a.stopInstances = func() {
		stop()
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := a.DB.Leave(ctx, a.instanceID); err != nil {
			a.Log.Warn("leaving the instances table", slog.Any("error", err))
		}
	}
}

// heartbeat records this instance and shares the rate limit among the live
// ones; when the database does not answer, the last count stands.
func (a *App) heartbeat(ctx context.Context) {
	live, err := a.DB.Heartbeat(ctx, a.instanceID, time.Now(), instanceStale)
	if err != nil {
		if ctx.Err() == nil {
			a.Log.Warn("counting the instances sharing the rate limit", slog.Any("error", err))
		}
		return
	}
	a.RateLimit.SetInstances(live)
}
