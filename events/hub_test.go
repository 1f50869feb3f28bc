package events_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/events"
)

type relay struct {
	mu   sync.Mutex
	sent []string
}

func (r *relay) Send(topics ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, topics...)
}

// woken waits for s to be told something and takes it.
func woken(t *testing.T, s *events.Subscription) uint32 {
	t.Helper()
	select {
	case <-s.C:
		kinds, _ := s.Take()
		return kinds
	case <-time.After(time.Second):
		t.Fatal("not woken")
		return 0
	}
}

func asleep(t *testing.T, s *events.Subscription) {
	t.Helper()
	select {
	case <-s.C:
		kinds, _ := s.Take()
		t.Fatalf("woken: %b", kinds)
	default:
	}
}

func TestAHubTellsEachSubscriberWhatConcernsIt(t *testing.T) {
	r := &relay{}
	h := events.NewHub()
	h.Relay = r
	order := h.Subscribe([]string{events.Order("o1")}, events.User("u1"))
	wallet := h.Subscribe([]string{events.Wallet("u1")}, events.User("u1"))
	other := h.Subscribe([]string{events.Wallet("u2")}, events.User("u2"))
	assert.Equal(t, 3, h.Subscribers())

	h.OrderChanged("o1")
	assert.Equal(t, events.Changed, woken(t, order))
	asleep(t, wallet)
	asleep(t, other)

	h.UserChanged("u1")
	assert.Equal(t, events.Access, woken(t, order))
	assert.Equal(t, events.Access, woken(t, wallet))
	asleep(t, other)

	// Notices not yet taken merge into one wake.
	h.WalletChanged("u1")
	h.WalletChanged("u1")
	h.UserChanged("u1")
	assert.Equal(t, events.Changed|events.Access, woken(t, wallet))
	asleep(t, wallet)
	assert.Equal(t, events.Access, woken(t, order))

	assert.Equal(t, []string{"order:o1", "user:u1", "wallet:u1", "wallet:u1", "user:u1"}, r.sent,
		"changes made here go to the other instances")

	// What comes from elsewhere is delivered here, and not sent back.
	h.Deliver(events.Wallet("u2"))
	assert.Equal(t, events.Changed, woken(t, other))
	assert.Len(t, r.sent, 5)

	order.Close()
	h.OrderChanged("o1")
	asleep(t, order)
	assert.Equal(t, 2, h.Subscribers())
}

func TestSubscribersWokenByOneNoticeTakeOneNumber(t *testing.T) {
	h := events.NewHub()
	a := h.Subscribe([]string{events.Wallet("u1")}, events.User("u1"))
	b := h.Subscribe([]string{events.Wallet("u1")}, events.User("u1"))
	h.WalletChanged("u1")
	<-a.C
	<-b.C
	_, na := a.Take()
	_, nb := b.Take()
	assert.Equal(t, na, nb, "one notice: one read may serve both")

	h.WalletChanged("u1")
	<-a.C
	_, na2 := a.Take()
	assert.Greater(t, na2, na, "a later notice has a later number")

	h.WalletChanged("u1")
	h.UserChanged("u1")
	<-b.C
	kinds, nb2 := b.Take()
	assert.Equal(t, events.Changed|events.Access, kinds)
	assert.Greater(t, nb2, na2, "notices merged: the latest number counts")

	h.Lost()
	h.Resumed()
	<-a.C
	kinds, na3 := a.Take()
	assert.Equal(t, events.Changed|events.Access|events.Lost|events.Gap, kinds)
	assert.Greater(t, na3, nb2)
}

func TestAnInterruptedRelayTellsEverySubscriber(t *testing.T) {
	h := events.NewHub()
	a := h.Subscribe([]string{events.Wallet("u1")}, events.User("u1"))
	b := h.Subscribe([]string{events.Order("o1")}, "")

	h.Lost()
	for _, s := range []*events.Subscription{a, b} {
		assert.Equal(t, events.Lost, woken(t, s))
		assert.True(t, s.Interrupted())
	}
	late := h.Subscribe([]string{events.Order("o2")}, "")
	assert.Equal(t, events.Lost, woken(t, late), "a subscriber joining during the interruption learns it")

	h.Resumed()
	for _, s := range []*events.Subscription{a, b, late} {
		assert.Equal(t, events.Gap, woken(t, s), "read everything again")
		assert.False(t, s.Interrupted())
	}

	h.Deliver(events.Everything)
	for _, s := range []*events.Subscription{a, b, late} {
		assert.Equal(t, events.Gap, woken(t, s))
	}
}

func TestAHubIsSafeForConcurrentUse(t *testing.T) {
	h := events.NewHub()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 200 {
				s := h.Subscribe([]string{events.Wallet("u")}, events.User("u"))
				h.WalletChanged("u")
				if i%2 == 0 {
					h.Lost()
					h.Resumed()
				}
				require.NotZero(t, woken(t, s))
				s.Close()
			}
		})
	}
	wg.Wait()
	assert.Zero(t, h.Subscribers())
}
