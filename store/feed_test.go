package store_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/pgtest"
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/store"
)

// receiver records what a feed tells it.
type receiver struct {
	mu               sync.Mutex
	topics           []string
	lost, resumed    int
	delivered, state chan struct{}
}

func newReceiver() *receiver {
	return &receiver{delivered: make(chan struct{}, 100), state: make(chan struct{}, 100)}
}

func (r *receiver) Deliver(topics ...string) {
	r.mu.Lock()
	r.topics = append(r.topics, topics...)
	r.mu.Unlock()
	r.delivered <- struct{}{}
}

func (r *receiver) Lost() {
	r.mu.Lock()
	r.lost++
	r.mu.Unlock()
	r.state <- struct{}{}
}

func (r *receiver) Resumed() {
	r.mu.Lock()
	r.resumed++
	r.mu.Unlock()
	r.state <- struct{}{}
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.topics)
	slices.Sort(out)
	return out
}

func (r *receiver) counts() (lost, resumed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lost, r.resumed
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func openFeed(t *testing.T, url string, to store.Receiver) (*store.DB, *store.Feed) {
	t.Helper()
	db, err := store.Open(context.Background(), url, store.Options{QueryTimeout: time.Second})
	require.NoError(t, err)
	feed, err := db.StartFeed(context.Background(), to, quietLog)
	require.NoError(t, err)
	require.NotNil(t, feed)
	t.Cleanup(func() {
		feed.Close()
		db.Close()
	})
	return db, feed
}

// listening sends from until to has heard it: both ends are connected.
func listening(t *testing.T, from *store.Feed, to *receiver) {
	t.Helper()
	require.Eventually(t, func() bool {
		from.Send("probe")
		select {
		case <-to.delivered:
			return true
		case <-time.After(100 * time.Millisecond):
			return false
		}
	}, 10*time.Second, time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	for len(to.delivered) > 0 {
		<-to.delivered
	}
	to.mu.Lock()
	to.topics = nil
	to.mu.Unlock()
}

// TestTheFeedCarriesNoticesBetweenInstances: a notice sent through one
// instance's feed reaches the other instances on the same database and
// schema, and not the sender itself, nor another schema.
func TestTheFeedCarriesNoticesBetweenInstances(t *testing.T) {
	base := testdb.PostgresOnly(t)
	url := testdb.PostgresSchema(t, base)
	ra, rb, other := newReceiver(), newReceiver(), newReceiver()
	_, a := openFeed(t, url, ra)
	_, b := openFeed(t, url, rb)
	_, elsewhere := openFeed(t, testdb.PostgresSchema(t, base), other)
	listening(t, a, rb)
	listening(t, b, ra)
	other.mu.Lock()
	other.topics = nil
	other.mu.Unlock()

	a.Send("order:1", "wallet:2")
	a.Send("order:1") // merged with the first while unsent, or sent again: either is a notice
	require.Eventually(t, func() bool {
		got := rb.got()
		return slices.Contains(got, "order:1") && slices.Contains(got, "wallet:2")
	}, 5*time.Second, 10*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	assert.Empty(t, ra.got(), "the sender does not hear itself")
	assert.Empty(t, other.got(), "another schema hears nothing")
	_ = elsewhere

	// Many notices at once are split to fit PostgreSQL's payload limit.
	var many []string
	for i := range 1000 {
		many = append(many, "wallet:0193a1b2-7c4d-7e8f-9a0b-"+string(rune('a'+i%26))+time.Duration(i).String())
	}
	b.Send(many...)
	require.Eventually(t, func() bool { return len(ra.got()) >= len(many) }, 10*time.Second, 10*time.Millisecond)
	lost, resumed := ra.counts()
	assert.Zero(t, lost+resumed)
}

// TestTheFeedSurvivesARestartOfTheDatabase: when the server stops, each
// feed's receiver learns it at once (Lost); once the server is back the
// feeds reconnect by themselves and the receivers learn it (Resumed), so
// that they read again whatever they may have missed (a notice sent while
// a feed was not listening is one of those); then notices flow again.
func TestTheFeedSurvivesARestartOfTheDatabase(t *testing.T) {
	cluster := pgtest.Start(t)
	ra, rb := newReceiver(), newReceiver()
	_, a := openFeed(t, cluster.URL(), ra)
	_, b := openFeed(t, cluster.URL(), rb)
	listening(t, a, rb)
	listening(t, b, ra)

	cluster.Stop()
	for _, r := range []*receiver{ra, rb} {
		select {
		case <-r.state:
		case <-time.After(5 * time.Second):
			t.Fatal("the feed did not notice the outage")
		}
		lost, _ := r.counts()
		assert.Equal(t, 1, lost)
	}
	a.Send("order:sent-while-down") // waits, and is sent once the server is back

	cluster.Restart()
	for _, r := range []*receiver{ra, rb} {
		select {
		case <-r.state:
		case <-time.After(15 * time.Second):
			t.Fatal("the feed did not come back")
		}
		lost, resumed := r.counts()
		assert.Equal(t, []int{1, 1}, []int{lost, resumed})
	}
	for _, c := range []struct {
		from *store.Feed
		to   *receiver
	}{{a, rb}, {b, ra}} {
		c.from.Send("order:after")
		require.Eventually(t, func() bool { return slices.Contains(c.to.got(), "order:after") }, 10*time.Second, 20*time.Millisecond)
	}
}
