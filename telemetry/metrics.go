// Package telemetry is what operators read of a running faultline:
// Prometheus metrics and the admin handler that serves them with pprof
// (FAULTLINE_ADMIN_ADDR), and OpenTelemetry traces exported over OTLP
// (OpenTelemetry's own OTEL_ variables). docs/operations.md lists every
// metric and span. Nothing is labelled with a value a client chooses: every
// label's values are fixed here, so the series are bounded by construction.
package telemetry

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/operation"
	"github.com/faultline/faultline/store"
)

// Metrics are one faultline's Prometheus metrics, in a registry of their
// own. They hear the operations (operation.Observer) and the accounts
// (auth.Observer), and read the database pool and the argon2id queue when
// scraped.
type Metrics struct {
	registry      *prometheus.Registry
	errors        map[apperr.Type]prometheus.Counter
	operations    [][]prometheus.Counter  // by operation.Kind, then operation.Outcome
	durations     [][]prometheus.Observer // the same
	refusals      map[string]prometheus.Counter
	requestRate   prometheus.Counter // refusals by the rate limit
	reused        prometheus.Counter
	subscriptions prometheus.Gauge
}

var (
	_ operation.Observer = (*Metrics)(nil)
	_ auth.Observer      = (*Metrics)(nil)
)

// Sources are what the metrics read when scraped.
type Sources struct {
	DB interface {
		PoolStats() store.PoolStats
		Queries() int64
	}
	Passwords interface{ Stats() auth.PasswordStats }
	RateLimit *operation.RateLimit // nil when FAULTLINE_RATE_LIMIT is off
}

// Limits are the values of faultline_limit_refusals_total's label: the
// rate limit, then the throttles' buckets.
var Limits = append([]string{"request_rate"}, auth.BucketKinds...)

// durationBuckets cover an operation from a cached query (well under a
// millisecond) to the request deadline (FAULTLINE_REQUEST_TIMEOUT, 10 s).
var durationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewMetrics registers every metric, every series of a fixed label set
// present from the start at 0: each catalogued (code, type), each operation
// kind and outcome, each limit.
func NewMetrics(src Sources) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{registry: reg, errors: map[apperr.Type]prometheus.Counter{}, refusals: map[string]prometheus.Counter{}}

	errorsVec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faultline_errors_total",
		Help: "Errors sent, by code and type: every entry of every response's errors, subscription events included.",
	}, []string{"code", "type"})
	for _, e := range apperr.Catalog() {
		m.errors[e.Type] = errorsVec.WithLabelValues(string(e.Code), string(e.Type))
	}

	opsVec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faultline_operations_total",
		Help: "GraphQL operations finished (each of a batch; a request refused before parsing is one), by operation type and outcome.",
	}, []string{"operation", "outcome"})
	durVec := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "faultline_operation_duration_seconds",
		Help:    "Time from a request's start to its operation's answer (a subscription: its whole life), by operation type and outcome.",
		Buckets: durationBuckets,
	}, []string{"operation", "outcome"})
	m.operations = make([][]prometheus.Counter, len(operation.Kinds))
	m.durations = make([][]prometheus.Observer, len(operation.Kinds))
	for _, k := range operation.Kinds {
		m.operations[k] = make([]prometheus.Counter, len(operation.Outcomes))
		m.durations[k] = make([]prometheus.Observer, len(operation.Outcomes))
		for _, o := range operation.Outcomes {
			m.operations[k][o] = opsVec.WithLabelValues(k.String(), o.String())
			m.durations[k][o] = durVec.WithLabelValues(k.String(), o.String())
		}
	}

	refusalsVec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faultline_limit_refusals_total",
		Help: "Operations refused by a limit: the per-client rate limit (request_rate) or a login or registration throttle's bucket.",
	}, []string{"limit"})
	for _, l := range Limits {
		m.refusals[l] = refusalsVec.WithLabelValues(l)
	}
	m.requestRate = m.refusals["request_rate"]
	m.reused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "faultline_refresh_reuse_detections_total",
		Help: "Spent refresh tokens presented again, each of which revoked its session.",
	})
	m.subscriptions = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "faultline_subscriptions_active",
		Help: "Subscriptions open now.",
	})

	reg.MustRegister(errorsVec, opsVec, durVec, refusalsVec, m.reused, m.subscriptions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.DB != nil {
		reg.MustRegister(poolCollector{src.DB})
	}
	if src.Passwords != nil {
		reg.MustRegister(passwordsCollector{src.Passwords})
	}
	if rl := src.RateLimit; rl != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "faultline_rate_limit_instances",
			Help: "Live instances on this database sharing FAULTLINE_RATE_LIMIT: each admits a client its rate divided by this.",
		}, func() float64 { return float64(rl.Instances()) }))
	}
	return m
}

// Registry is where the metrics are registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Sent implements operation.Observer: each error counts under its code and
// type (one that is not a domain error under INTERNAL, as the presenter
// words it).
func (m *Metrics) Sent(errs gqlerror.List) {
	for _, err := range errs {
		t := apperr.Internal
		if ae, ok := errors.AsType[*apperr.Error](err); ok {
			t = ae.Type
		}
		c, ok := m.errors[t]
		if !ok {
			c = m.errors[apperr.Internal]
		}
		c.Inc()
		if t == apperr.TooManyRequests {
			m.requestRate.Inc()
		}
	}
}

// Finished implements operation.Observer.
func (m *Metrics) Finished(kind operation.Kind, outcome operation.Outcome, took time.Duration) {
	m.operations[kind][outcome].Inc()
	m.durations[kind][outcome].Observe(took.Seconds())
}

// Throttled implements auth.Observer.
func (m *Metrics) Throttled(kind string) {
	if c, ok := m.refusals[kind]; ok {
		c.Inc()
	}
}

// RefreshReused implements auth.Observer.
func (m *Metrics) RefreshReused() { m.reused.Inc() }

// Gauge is what a subscriptions hub moves as subscriptions start and end.
type Gauge interface {
	Inc()
	Dec()
	Set(float64)
}

// Subscriptions is the gauge of open subscriptions
// (faultline_subscriptions_active), for the code that opens and closes
// them; without metrics (a nil Metrics) it is a gauge that goes nowhere.
func (m *Metrics) Subscriptions() Gauge {
	if m == nil {
		return nowhere{}
	}
	return m.subscriptions
}

type nowhere struct{}

func (nowhere) Inc()        {}
func (nowhere) Dec()        {}
func (nowhere) Set(float64) {}
