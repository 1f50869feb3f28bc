// Command subbench measures subscriptions on loopback: the latency from a
// payOrder to n subscribers of the payer's wallet, the memory of the server
// with 0 connections, n idle connections and n subscriptions, and how many
// connections (connect, connection_init, connection_ack) it opens a second.
// It builds faultline, starts it (two instances on one PostgreSQL with
// -postgres and -instances 2: subscribers on B, the payments through A),
// prints the figures as Markdown tables for docs/benchmarks.md, and stops.
// Every loop is bounded; every address is on loopback.
//
//	go run ./internal/tools/subbench -n 1000 -rounds 30
//	go run ./internal/tools/subbench -postgres "$TEST_DATABASE_URL" -instances 2
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

const (
	password = "subbench-demo-password"
	wallet   = `subscription { walletUpdated { balanceCents } }`
)

func main() {
	n := flag.Int("n", 1000, "connections, each with one subscription")
	rounds := flag.Int("rounds", 30, "payments whose arrival is timed")
	workers := flag.Int("workers", 32, "connections opened at once")
	postgres := flag.String("postgres", "", "a PostgreSQL URL (a schema is made for the run); SQLite when empty")
	instances := flag.Int("instances", 1, "1, or 2 on PostgreSQL: subscribers on B, the payments through A")
	profiles := flag.String("pprof", "", "a folder for the server's heap profiles (idle, subscribed), its goroutines when idle and its CPU profile of the rounds")
	flag.Parse()
	if *instances == 2 && *postgres == "" {
		log.Fatal("-instances 2 needs -postgres")
	}
	if err := run(*n, *rounds, *workers, *postgres, *instances, *profiles); err != nil {
		log.Fatal(err)
	}
}

func run(n, rounds, workers int, postgres string, instances int, profiles string) error {
	dir, err := os.MkdirTemp("", "subbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := build(dir)
	if err != nil {
		return err
	}
	db := "sqlite://" + filepath.Join(dir, "faultline.db")
	if postgres != "" {
		var drop func()
		if db, drop, err = schema(postgres); err != nil {
			return err
		}
		defer drop()
	}
	env := []string{
		"DATABASE_URL=" + db,
		"FAULTLINE_JWT_SECRET=" + rand.Text() + rand.Text(),
		"FAULTLINE_DEMO_PASSWORD=" + password,
		"FAULTLINE_LOG_FORMAT=json",
		// Every subscriber is the demo user, on one instance.
		fmt.Sprintf("FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER=%d", n+10),
	}
	b, err := start(bin, dir, env...)
	if err != nil {
		return err
	}
	defer b.stop()
	a := b
	if instances == 2 {
		if a, err = start(bin, dir, env...); err != nil {
			return err
		}
		defer a.stop()
	}
	token, err := b.login("user@faultline.dev", password)
	if err != nil {
		return err
	}
	// One order a round, placed now and paid in the round; the wallet holds
	// enough for them all.
	var products struct {
		Products struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if err := a.query(`{ products(first: 1) { edges { node { id } } } }`, nil, token, &products); err != nil {
		return err
	}
	if len(products.Products.Edges) == 0 {
		return errors.New("the catalog is empty")
	}
	product := products.Products.Edges[0].Node.ID
	orders := make([]string, rounds+1)
	totals := make([]int, rounds+1)
	for i := range orders {
		var placed struct {
			PlaceOrder struct {
				ID         string
				TotalCents int
			}
		}
		if err := a.query(`mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id totalCents } }`,
			map[string]any{"p": product}, token, &placed); err != nil {
			return err
		}
		orders[i], totals[i] = placed.PlaceOrder.ID, placed.PlaceOrder.TotalCents
	}
	need := 0
	for _, t := range totals {
		need += t
	}
	for ; need > 0; need -= 1_000_000 { // topUp's most at a time
		if err := a.query(`mutation($c: Int!) { topUp(amountCents: $c) { balanceCents } }`,
			map[string]any{"c": min(need, 1_000_000)}, token, nil); err != nil {
			return err
		}
	}
	pay := func(i int) error {
		return a.query(`mutation($id: ID!) { payOrder(id: $id) { status } }`, map[string]any{"id": orders[i]}, token, nil)
	}
	if err := pay(rounds); err != nil { // warms the path up
		return err
	}
	var me struct {
		Me struct{ Wallet struct{ BalanceCents int } }
	}
	if err := b.query(`{ me { wallet { balanceCents } } }`, nil, token, &me); err != nil {
		return err
	}
	balance := me.Me.Wallet.BalanceCents
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	mem0, err := b.settled()
	if err != nil {
		return err
	}
	conns, took, err := open(ctx, b.base, token, n, workers)
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	if err != nil {
		return err
	}
	idle, err := b.settled()
	if err != nil {
		return err
	}
	if profiles != "" {
		if err := b.profile("/debug/pprof/heap", filepath.Join(profiles, "heap-idle.pb.gz")); err != nil {
			return err
		}
		if err := b.profile("/debug/pprof/goroutine?debug=1", filepath.Join(profiles, "goroutines-idle.txt")); err != nil {
			return err
		}
	}

	// Subscribe every connection; the first state of each is the barrier.
	rec := &recorder{n: n}
	first := rec.begin(balance)
	for i, c := range conns {
		if err := c.subscribe(ctx, "w", wallet); err != nil {
			return fmt.Errorf("subscribe %d: %w", i, err)
		}
		go func() { _ = c.follow(ctx, rec.arrived) }()
	}
	if missing := rec.wait(first, 30*time.Second); missing > 0 {
		return fmt.Errorf("%d of %d subscriptions sent no first state", missing, n)
	}
	subscribed, err := b.settled()
	if err != nil {
		return err
	}
	if profiles != "" {
		if err := b.profile("/debug/pprof/heap", filepath.Join(profiles, "heap-subscribed.pb.gz")); err != nil {
			return err
		}
	}

	// The rounds: a payment each, timed from the mutation's send.
	var cpu sync.WaitGroup
	if profiles != "" {
		seconds := max(1, rounds*300/1000)
		cpu.Go(func() {
			_ = b.profile(fmt.Sprintf("/debug/pprof/profile?seconds=%d", seconds), filepath.Join(profiles, "cpu-rounds.pb.gz"))
		})
		time.Sleep(100 * time.Millisecond)
	}
	var lat, last, mutation []time.Duration
	missed := 0
	for i := range rounds {
		balance -= totals[i]
		r := rec.begin(balance)
		if err := pay(i); err != nil {
			return err
		}
		mutation = append(mutation, time.Since(r.t0))
		missing := rec.wait(r, 10*time.Second)
		missed += missing
		if missing == n {
			return fmt.Errorf("round %d: no subscriber received the payment", i)
		}
		got := r.lat[:n-missing]
		lat = append(lat, got...)
		last = append(last, slices.Max(got))
		time.Sleep(200 * time.Millisecond)
	}
	cpu.Wait()

	engine := "SQLite"
	if postgres != "" {
		engine = "PostgreSQL"
	}
	where := "one instance"
	if instances == 2 {
		where = "subscribers on B, payments through A"
	}
	fmt.Printf("\n%d subscribers of one wallet, %s, %s; %d rounds\n\n", n, engine, where, rounds)
	fmt.Println("| from payOrder's send to each arrival | p50 | p90 | p99 | max | missed |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| every subscriber (%d samples) | %s | %s | %s | %s | %d |\n", len(lat), ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), ms(slices.Max(lat)), missed)
	fmt.Printf("| the last subscriber of each round | %s | %s | %s | %s | |\n", ms(pct(last, 50)), ms(pct(last, 90)), ms(pct(last, 99)), ms(slices.Max(last)))
	fmt.Printf("| payOrder's own round trip | %s | %s | %s | %s | |\n", ms(pct(mutation, 50)), ms(pct(mutation, 90)), ms(pct(mutation, 99)), ms(slices.Max(mutation)))

	fmt.Printf("\nThe server (B) after a collection\n\n")
	fmt.Println("| state | VmRSS | Go heap in use | goroutine stacks | goroutines |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	for _, row := range []struct {
		name string
		m    memory
	}{{"no connection", mem0}, {fmt.Sprintf("%d idle connections", n), idle}, {fmt.Sprintf("%d subscriptions", n), subscribed}} {
		fmt.Printf("| %s | %.1f MiB | %.1f MiB | %.1f MiB | %.0f |\n", row.name, row.m.rss/(1<<20), row.m.heap/(1<<20), row.m.stacks/(1<<20), row.m.goroutines)
	}
	fmt.Println()
	fmt.Println("| each | VmRSS | Go heap + stacks | of which stacks | goroutines |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	per := func(x, y memory) string {
		each := func(f float64) float64 { return f / float64(n) / 1024 }
		return fmt.Sprintf("%.1f KiB | %.1f KiB | %.1f KiB | %.1f", each(y.rss-x.rss), each(y.heap+y.stacks-x.heap-x.stacks), each(y.stacks-x.stacks), (y.goroutines-x.goroutines)/float64(n))
	}
	fmt.Printf("| idle connection | %s |\n", per(mem0, idle))
	fmt.Printf("| subscription, beyond its connection | %s |\n", per(idle, subscribed))

	fmt.Printf("\nConnections opened: %d (connect, connection_init, connection_ack), %d at once: %s, %.0f a second\n",
		n, workers, took.Round(time.Millisecond), float64(n)/took.Seconds())
	return nil
}

// open dials n connections, workers at once, and returns them with the time it took.
func open(ctx context.Context, base, token string, n, workers int) ([]*conn, time.Duration, error) {
	conns := make([]*conn, n)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n && failed.Load() == nil; i = int(next.Add(1)) - 1 {
				dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				c, err := dial(dctx, base, token)
				cancel()
				if err != nil {
					err = fmt.Errorf("connection %d: %w", i, err)
					failed.Store(&err)
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	opened := slices.DeleteFunc(conns, func(c *conn) bool { return c == nil })
	if err := failed.Load(); err != nil {
		return opened, took, *err
	}
	return opened, took, nil
}

// recorder times the arrivals of one round at a time: each round's payment
// makes a balance of its own.
type recorder struct {
	n       int
	current atomic.Pointer[round]
}

type round struct {
	want int
	t0   time.Time
	lat  []time.Duration
	got  atomic.Int32
	done chan struct{}
}

func (rec *recorder) begin(want int) *round {
	r := &round{want: want, t0: time.Now(), lat: make([]time.Duration, rec.n), done: make(chan struct{})}
	rec.current.Store(r)
	return r
}

func (rec *recorder) arrived(balance int, at time.Time) {
	r := rec.current.Load()
	if r == nil || balance != r.want {
		return
	}
	i := int(r.got.Add(1)) - 1
	if i >= rec.n {
		return
	}
	r.lat[i] = at.Sub(r.t0)
	if i == rec.n-1 {
		close(r.done)
	}
}

// wait waits for every subscriber's arrival, or d; it returns how many did not arrive.
func (rec *recorder) wait(r *round, d time.Duration) int {
	select {
	case <-r.done:
	case <-time.After(d):
	}
	return rec.n - int(min(r.got.Load(), int32(rec.n)))
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Sorted(slices.Values(d))
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
