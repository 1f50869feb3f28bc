package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/store"
)

// poolCollector reads the database pool's figures once per scrape.
type poolCollector struct {
	db interface {
		PoolStats() store.PoolStats
		Queries() int64
	}
}

var (
	dbConnections = prometheus.NewDesc("faultline_db_connections",
		"Database connections open now, by state (idle, in_use).", []string{"state"}, nil)
	dbConnectionsMax = prometheus.NewDesc("faultline_db_connections_max",
		"The most connections the database pool may open.", nil, nil)
	dbWaits = prometheus.NewDesc("faultline_db_connection_waits_total",
		"Store calls that had to wait for a free connection.", nil, nil)
	dbWaitSeconds = prometheus.NewDesc("faultline_db_connection_wait_seconds_total",
		"Time store calls spent waiting for a free connection.", nil, nil)
	dbStatements = prometheus.NewDesc("faultline_db_statements_total",
		"SQL statements run.", nil, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbConnections, dbConnectionsMax, dbWaits, dbWaitSeconds, dbStatements} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.PoolStats()
	ch <- prometheus.MustNewConstMetric(dbConnections, prometheus.GaugeValue, float64(s.Idle), "idle")
	ch <- prometheus.MustNewConstMetric(dbConnections, prometheus.GaugeValue, float64(s.InUse), "in_use")
	ch <- prometheus.MustNewConstMetric(dbConnectionsMax, prometheus.GaugeValue, float64(s.MaxOpen))
	ch <- prometheus.MustNewConstMetric(dbWaits, prometheus.CounterValue, float64(s.Waits))
	ch <- prometheus.MustNewConstMetric(dbWaitSeconds, prometheus.CounterValue, s.WaitTime.Seconds())
	ch <- prometheus.MustNewConstMetric(dbStatements, prometheus.CounterValue, float64(c.db.Queries()))
}

// passwordsCollector reads the argon2id queue's figures once per scrape.
type passwordsCollector struct {
	p interface{ Stats() auth.PasswordStats }
}

var (
	hashSlots = prometheus.NewDesc("faultline_password_hash_slots",
		"How many argon2id derivations may run at once (half the CPUs).", nil, nil)
	hashesRunning = prometheus.NewDesc("faultline_password_hashes_running",
		"argon2id derivations (hashes and verifications) running now.", nil, nil)
	hashesWaiting = prometheus.NewDesc("faultline_password_hashes_waiting",
		"argon2id derivations waiting for a slot now.", nil, nil)
	hashesDone = prometheus.NewDesc("faultline_password_hashes_total",
		"argon2id derivations finished.", nil, nil)
)

func (c passwordsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{hashSlots, hashesRunning, hashesWaiting, hashesDone} {
		ch <- d
	}
}

func (c passwordsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.p.Stats()
	ch <- prometheus.MustNewConstMetric(hashSlots, prometheus.GaugeValue, float64(s.Slots))
	ch <- prometheus.MustNewConstMetric(hashesRunning, prometheus.GaugeValue, float64(s.Running))
	ch <- prometheus.MustNewConstMetric(hashesWaiting, prometheus.GaugeValue, float64(s.Waiting))
	ch <- prometheus.MustNewConstMetric(hashesDone, prometheus.CounterValue, float64(s.Done))
}
