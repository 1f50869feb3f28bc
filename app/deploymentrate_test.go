package app_test

import (
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testserver"
)

// TestTheRateLimitHoldsForTheDeployment: two instances on one PostgreSQL
// database with FAULTLINE_RATE_LIMIT=40 share it (20 a second each), so a
// client whose requests a load balancer spreads over both is admitted 40 a
// second in all, within 10 %, measured over four seconds of requests far
// beyond that; when one instance stops, the other takes the whole rate.
func TestTheRateLimitHoldsForTheDeployment(t *testing.T) {
	base := testdb.PostgresOnly(t)
	const rate = 40
	db := testdb.PostgresSchema(t, base)
	opts := []testserver.Option{testserver.Env("DATABASE_URL", db), testserver.Env("FAULTLINE_RATE_LIMIT", "40")}
	a, b := testserver.Start(t, opts...), testserver.Start(t, opts...)
	require.Eventually(t, func() bool { return a.App.RateLimit.Instances() == 2 && b.App.RateLimit.Instances() == 2 },
		10*time.Second, 50*time.Millisecond, "each instance counts both")

	var (
		admittedN, refusedN atomic.Int64
		counting            atomic.Bool
	)
	get := func(srv *testserver.Server) {
		res, err := srv.Client().Get(srv.URL + "/query?query=" + url.QueryEscape(`{ __typename }`))
		if err != nil {
			return
		}
		_ = res.Body.Close()
		if !counting.Load() {
			return
		}
		switch res.StatusCode {
		case http.StatusOK:
			admittedN.Add(1)
		case http.StatusTooManyRequests:
			refusedN.Add(1)
		default:
			t.Errorf("status %d", res.StatusCode)
		}
	}
	// A load balancer spreading one client's requests: each worker
	// alternates between the two instances, as fast as they answer.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if i%2 == 0 {
					get(a)
				} else {
					get(b)
				}
			}
		})
	}
	time.Sleep(time.Second) // the burst (one second's worth, shared) is spent
	counting.Store(true)
	start := time.Now()
	time.Sleep(4 * time.Second)
	counting.Store(false)
	took := time.Since(start)
	close(stop)
	wg.Wait()

	perSecond := float64(admittedN.Load()) / took.Seconds()
	t.Logf("admitted %d (%.1f/s), refused %d, over %v", admittedN.Load(), perSecond, refusedN.Load(), took)
	require.Greater(t, refusedN.Load(), 4*admittedN.Load(), "the client asked far more than the rate")
	assert.InEpsilon(t, rate, perSecond, 0.10, "the deployment admits its rate, not twice it")

	b.Close()
	require.NoError(t, b.App.Close())
	require.Eventually(t, func() bool { return a.App.RateLimit.Instances() == 1 }, 10*time.Second, 50*time.Millisecond,
		"a stopped instance leaves the count")
}
