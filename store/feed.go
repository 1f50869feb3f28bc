package store

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Receiver is told of the changes made on the other instances, and of the
// feed's interruptions (events.Hub).
type Receiver interface {
	// Deliver hands on the topics another instance changed.
	Deliver(topics ...string)
	// Lost says that the feed is interrupted: changes made elsewhere are not
	// seen until Resumed.
	Lost()
	// Resumed says that the feed is back: whatever was missed meanwhile must
	// be read again.
	Resumed()
}

// Feed carries change notices between the instances on one PostgreSQL
// database: Send publishes this instance's with pg_notify, and one
// connection of its own, outside the pool, LISTENs and hands the other
// instances' to a Receiver. When that connection is lost, the Receiver is
// told at once; the feed reconnects with backoff, and tells it again when
// it is back. Notices that cannot be sent wait and are sent again; past
// maxPendingTopics they give way to events' Everything, so that nothing is
// lost silently.
type Feed struct {
	db       *DB
	config   *pgx.ConnConfig
	channel  string // feedChannel and the schema: NOTIFY reaches the whole database
	to       Receiver
	log      *slog.Logger
	instance string // this instance, so that its own notices are not delivered twice

	mu      sync.Mutex
	pending map[string]struct{}
	wake    chan struct{}

	stop context.CancelFunc
	done sync.WaitGroup
}

// The feed's channel and timing.
const (
	// feedChannel starts the channel's name; the schema ends it, so that
	// deployments (and tests) in other schemas of the database hear nothing.
	feedChannel = "faultline_changes:"
	// feedQuiet is how long the listening connection may stay silent before
	// it is pinged, so that a connection that died without a word is noticed.
	feedQuiet       = 10 * time.Second
	feedPingTimeout = 3 * time.Second
	feedMinBackoff  = 100 * time.Millisecond
	feedMaxBackoff  = 2 * time.Second
	// maxPayload keeps a notice within PostgreSQL's 8000 bytes.
	maxPayload = 7900
	// maxPendingTopics bounds the notices waiting to be sent.
	maxPendingTopics = 10_000
	// everything is events.Everything: every subscriber reads again.
	everything = "*"
	// maxChannel is PostgreSQL's longest identifier, in bytes.
	maxChannel = 63
)

// StartFeed starts the feed of a PostgreSQL database, delivering to to; on
// SQLite, where one process owns the database, there is none (nil).
func (db *DB) StartFeed(ctx context.Context, to Receiver, log *slog.Logger) (*Feed, error) {
	if db.pg == nil {
		return nil, nil
	}
	cctx, cancel := db.call(ctx)
	defer cancel()
	var schema string
	if err := db.q.QueryRowContext(cctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("starting the change feed: %w", err)
	}
	channel := feedChannel + schema
	if len(channel) > maxChannel {
		channel = channel[:maxChannel]
	}
	listenCtx, stop := context.WithCancel(context.Background())
	f := &Feed{
		db: db, config: db.pg, channel: channel, to: to, log: log, instance: crand.Text()[:16],
		pending: map[string]struct{}{}, wake: make(chan struct{}, 1), stop: stop,
	}
	f.done.Add(2)
	go f.listen(listenCtx)
	go f.send(listenCtx)
	return f, nil
}

// Send queues notices for the other instances; it never blocks.
func (f *Feed) Send(topics ...string) {
	f.mu.Lock()
	f.queueLocked(topics)
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *Feed) queueLocked(topics []string) {
	for _, t := range topics {
		f.pending[t] = struct{}{}
	}
	if len(f.pending) > maxPendingTopics {
		clear(f.pending)
		f.pending[everything] = struct{}{}
	}
}

// Close stops listening and sends what is still queued, for at most the
// store's query timeout.
func (f *Feed) Close() {
	if f == nil {
		return
	}
	f.stop()
	f.done.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), f.db.timeout)
	defer cancel()
	if topics := f.take(); len(topics) > 0 {
		if err := f.notify(ctx, topics); err != nil {
			f.log.Warn("change notices not sent to the other instances at shutdown", slog.Int("topics", len(topics)), slog.Any("error", err))
		}
	}
}

func (f *Feed) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	topics := make([]string, 0, len(f.pending))
	for t := range f.pending {
		topics = append(topics, t)
	}
	clear(f.pending)
	return topics
}

// send publishes the queued notices as they come; when the database
// refuses, they wait and are tried again with backoff.
func (f *Feed) send(ctx context.Context) {
	defer f.done.Done()
	backoff, failing := feedMinBackoff, false
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		}
		for topics := f.take(); len(topics) > 0; topics = f.take() {
			err := f.notify(ctx, topics)
			if err == nil {
				if failing {
					f.log.Info("change notices reach the other instances again")
				}
				backoff, failing = feedMinBackoff, false
				continue
			}
			f.mu.Lock()
			f.queueLocked(topics)
			f.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			if !failing {
				f.log.Warn("change notices cannot reach the other instances; retrying", slog.Any("error", err))
				failing = true
			}
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, feedMaxBackoff)
		}
	}
}

// notify sends topics in as few notices as fit: "<instance> <topic> <topic> ...".
func (f *Feed) notify(ctx context.Context, topics []string) error {
	var b strings.Builder
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		cctx, cancel := f.db.call(ctx)
		defer cancel()
		_, err := f.db.q.ExecContext(cctx, `SELECT pg_notify($1, $2)`, f.channel, b.String())
		b.Reset()
		return err
	}
	for _, t := range topics {
		if b.Len() > 0 && b.Len()+1+len(t) > maxPayload {
			if err := flush(); err != nil {
				return err
			}
		}
		if b.Len() == 0 {
			b.WriteString(f.instance)
		}
		b.WriteByte(' ')
		b.WriteString(t)
	}
	return flush()
}

// listen keeps one connection LISTENing, reconnecting with backoff; the
// Receiver learns of every interruption and of every recovery.
func (f *Feed) listen(ctx context.Context) {
	defer f.done.Done()
	backoff, lost := feedMinBackoff, false
	for {
		err := f.listenOnce(ctx, func() {
			backoff = feedMinBackoff
			if lost {
				lost = false
				f.log.Info("listening for the other instances' changes again")
				f.to.Resumed()
			}
		})
		if ctx.Err() != nil {
			return
		}
		if !lost {
			lost = true
			f.log.Warn("lost the connection that listens for the other instances' changes; reconnecting", slog.Any("error", err))
			f.to.Lost()
		}
		// Jitter, so that instances do not all come back at the same instant.
		if !sleep(ctx, backoff/2+rand.N(backoff/2+1)) {
			return
		}
		backoff = min(2*backoff, feedMaxBackoff)
	}
}

// listenOnce connects, LISTENs, calls up, and delivers notices until the
// connection fails.
func (f *Feed) listenOnce(ctx context.Context, up func()) error {
	cctx, cancel := context.WithTimeout(ctx, f.db.timeout)
	conn, err := pgx.ConnectConfig(cctx, f.config)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{f.channel}.Sanitize()); err != nil {
		return err
	}
	up()
	for {
		wctx, cancel := context.WithTimeout(ctx, feedQuiet)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			f.receive(n.Payload)
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			pctx, cancel := context.WithTimeout(ctx, feedPingTimeout)
			err = conn.Ping(pctx)
			cancel()
			if err == nil {
				continue
			}
		}
		return err
	}
}

// receive hands another instance's notice to the Receiver.
func (f *Feed) receive(payload string) {
	from, rest, _ := strings.Cut(payload, " ")
	if from == f.instance || rest == "" {
		return
	}
	f.to.Deliver(strings.Fields(rest)...)
}

// sleep waits d, or less if ctx ends first (then false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
