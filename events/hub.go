// Package events carries notices of committed changes to the subscriptions
// that follow them. A notice names a topic (an order, a user's wallet, a
// user) and nothing else: a subscriber reads the current state itself, so a
// notice lost or merged with another costs an intermediate state, never the
// current one. The Hub fans notices out within the process; a Relay (on
// PostgreSQL, package store's LISTEN/NOTIFY feed) carries them to the other
// instances on the same database and back.
package events

import (
	"sync"
)

// Topics of the notices.
func Order(orderID string) string { return "order:" + orderID }

// Wallet is the topic of a user's wallet.
func Wallet(userID string) string { return "wallet:" + userID }

// User is the topic of a user's access: a suspension, a deletion, a session
// ended.
func User(userID string) string { return "user:" + userID }

// Everything is the topic that every subscriber follows: a relay that could
// not send every notice sends it instead, and every subscriber reads again.
const Everything = "*"

// Kinds of what a subscriber learns (Subscription.Take).
const (
	// Changed: what the subscriber follows changed; read it again.
	Changed uint32 = 1 << iota
	// Access: the subscriber's user changed; check the caller again.
	Access
	// Gap: notices may have been missed (the relay was interrupted, or
	// sent Everything); read everything again.
	Gap
	// Lost: the relay from the other instances is interrupted; until a
	// Gap, changes made elsewhere are not seen.
	Lost
)

// Relay carries the notices of this process to the other instances.
type Relay interface {
	Send(topics ...string)
}

// Hub fans notices out to this process's subscriptions, and hands the
// notices of changes made here to Relay.
type Hub struct {
	Relay Relay // nil: a single process (SQLite)

	mu     sync.Mutex
	topics map[string]map[*Subscription]uint32 // topic → its subscribers and the kind each learns
	all    map[*Subscription]struct{}
	lost   bool
	notice uint64 // the number of the latest notice delivered
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{topics: map[string]map[*Subscription]uint32{}, all: map[*Subscription]struct{}{}}
}

// Subscription is one subscriber's view of the hub: C receives a value
// whenever there is something to Take; notices that arrive before it is
// taken merge.
type Subscription struct {
	C <-chan struct{}

	hub     *Hub
	c       chan struct{}
	watches map[string]uint32

	mu      sync.Mutex
	pending uint32
	notice  uint64 // the latest notice learned and not yet taken
}

// Subscribe follows topics: changed (what the subscriber reads) and access
// (its caller's user). A subscriber that joins while the relay is
// interrupted learns Lost at once.
func (h *Hub) Subscribe(changed []string, access string) *Subscription {
	c := make(chan struct{}, 1)
	s := &Subscription{C: c, hub: h, c: c, watches: make(map[string]uint32, len(changed)+1)}
	for _, t := range changed {
		s.watches[t] |= Changed
	}
	if access != "" {
		s.watches[access] |= Access
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for t, kind := range s.watches {
		subs := h.topics[t]
		if subs == nil {
			subs = map[*Subscription]uint32{}
			h.topics[t] = subs
		}
		subs[s] = kind
	}
	h.all[s] = struct{}{}
	if h.lost {
		s.notify(Lost, h.notice)
	}
	return s
}

// Close stops the subscription; it learns nothing more.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	for t := range s.watches {
		if subs := h.topics[t]; subs != nil {
			delete(subs, s)
			if len(subs) == 0 {
				delete(h.topics, t)
			}
		}
	}
	delete(h.all, s)
}

// Take returns what the subscription learned since the last Take (Changed,
// Access, Gap, Lost), and forgets it; notice numbers the latest notice it
// learned. Subscribers that take the same notice number were woken by one
// notice, so they may share the read it calls for: any read begun after
// that notice's delivery sees its change.
func (s *Subscription) Take() (kinds uint32, notice uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kinds, notice = s.pending, s.notice
	s.pending = 0
	return kinds, notice
}

// Interrupted reports whether the relay is interrupted now (between Lost
// and Resumed).
func (s *Subscription) Interrupted() bool {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.hub.lost
}

func (s *Subscription) notify(kind uint32, notice uint64) {
	s.mu.Lock()
	s.pending |= kind
	s.notice = notice
	s.mu.Unlock()
	select {
	case s.c <- struct{}{}:
	default: // one is waiting already; Take returns both
	}
}

// Publish is the notice of a change made in this process: this process's
// subscribers learn it, and the relay carries it to the others.
func (h *Hub) Publish(topics ...string) {
	h.Deliver(topics...)
	if h.Relay != nil {
		h.Relay.Send(topics...)
	}
}

// Deliver hands notices to this process's subscribers only: the relay's
// notices of changes made elsewhere.
func (h *Hub) Deliver(topics ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notice++
	for _, t := range topics {
		if t == Everything {
			h.gapLocked()
			continue
		}
		for s, kind := range h.topics[t] {
			s.notify(kind, h.notice)
		}
	}
}

// Lost says that the relay is interrupted: every subscriber learns it.
func (h *Hub) Lost() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lost = true
	h.notice++
	h.allLocked(Lost)
}

// Resumed says that the relay is back after an interruption: every
// subscriber learns of the gap and reads again.
func (h *Hub) Resumed() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lost = false
	h.notice++
	h.gapLocked()
}

func (h *Hub) gapLocked() { h.allLocked(Gap) }

// allLocked tells every subscriber kind, as the current notice.
func (h *Hub) allLocked(kind uint32) {
	for s := range h.all {
		s.notify(kind, h.notice)
	}
}

// Subscribers is how many subscriptions follow the hub.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.all)
}

// OrderChanged implements shop.Publisher.
func (h *Hub) OrderChanged(orderID string) { h.Publish(Order(orderID)) }

// WalletChanged implements shop.Publisher.
func (h *Hub) WalletChanged(userID string) { h.Publish(Wallet(userID)) }

// UserChanged implements auth.Publisher.
func (h *Hub) UserChanged(userID string) { h.Publish(User(userID)) }
