package app_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

// TestGracefulShutdown runs App.Serve on a real listener: a request in
// flight when the drain starts finishes with its data; a request that arrives
// on a kept-alive connection during the drain gets SHUTTING_DOWN; /readyz
// fails; Serve returns once the in-flight request is done.
func TestGracefulShutdown(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var once atomic.Bool
	slowOnce := withFault(func(ctx context.Context) error {
		if once.CompareAndSwap(false, true) {
			close(entered)
			<-release // a query that is still running when the signal comes
		}
		return nil
	})
	cfg, opts := testserver.Config(t, slowOnce, testserver.Env("FAULTLINE_SHUTDOWN_TIMEOUT", "10s"),
		testserver.Env("FAULTLINE_DRAIN_DELAY", "300ms"))
	logs := &testserver.Logs{}
	a, err := app.New(context.Background(), cfg, logs.Logger(), opts...)
	require.NoError(t, err)
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()

	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	// A kept-alive connection opened before the drain.
	late := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	warm, err := late.Get(base + "/healthz")
	require.NoError(t, err)
	warm.Body.Close()

	inFlight := make(chan *http.Response, 1)
	go func() {
		res, err := http.Post(base+"/query", "application/json", strings.NewReader(`{"query":"{ products(first: 2) { edges { cursor } } }"}`))
		if err == nil {
			inFlight <- res
		}
		close(inFlight)
	}()
	<-entered
	stop() // SIGTERM
	require.Eventually(t, a.Gate.Closing, 5*time.Second, 5*time.Millisecond)

	// During the drain delay, a request on the old connection is refused, typed.
	res, err := late.Post(base+"/query", "application/json", strings.NewReader(`{"query":"{ products { edges { cursor } } }"}`))
	require.NoError(t, err)
	defer res.Body.Close()
	var refused struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&refused))
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Len(t, refused.Errors, 1)
	assert.Equal(t, "SHUTTING_DOWN", refused.Errors[0].Extensions["type"])
	assert.Equal(t, "SERVICE_UNAVAILABLE", refused.Errors[0].Extensions["code"])
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
	assert.True(t, res.Close, "Connection: close sends the client elsewhere")
	ready, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	ready.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, ready.StatusCode)

	select {
	case err := <-served:
		t.Fatalf("Serve returned before the in-flight request finished: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	got := <-inFlight
	require.NotNil(t, got, "the in-flight request got an answer")
	defer got.Body.Close()
	assert.Equal(t, http.StatusOK, got.StatusCode)
	var body struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	require.NoError(t, json.NewDecoder(got.Body).Decode(&body))
	assert.Empty(t, body.Errors)
	assert.NotNil(t, body.Data["products"])

	require.NoError(t, <-served)
	var msgs []string
	for _, l := range logs.Lines() {
		msgs = append(msgs, l["msg"].(string))
	}
	assert.Contains(t, msgs, "shutting down")
	assert.Contains(t, msgs, "stopped")
}

func TestReadinessFailsWhileDraining(t *testing.T) {
	srv := testserver.Start(t)
	srv.App.Gate.Close()
	res, err := http.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	res, err = http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "the process is still alive")

	q := srv.Query(t, `{ products { edges { cursor } } }`, nil)
	e := q.Error(t)
	assert.Equal(t, "SHUTTING_DOWN", e.Extensions.Type)
	assert.Equal(t, 503, q.Status, "a refusal always carries its own status")
}
