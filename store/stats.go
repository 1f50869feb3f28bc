package store

import "time"

// PoolStats are the figures of the database's connection pool, read when
// metrics are scraped: database/sql's on SQLite, pgxpool's on PostgreSQL
// (where database/sql only borrows from the pool).
type PoolStats struct {
	MaxOpen  int           // the most connections the pool may open
	Open     int           // connections open, idle or in use
	Idle     int           // connections open and unused
	InUse    int           // connections serving a call now
	Waits    int64         // calls that had to wait for a connection, since the start
	WaitTime time.Duration // the time they waited, in total
}

// PoolStats reads the pool's figures now.
func (db *DB) PoolStats() PoolStats {
	if db.pool != nil {
		s := db.pool.Stat()
		return PoolStats{
			MaxOpen: int(s.MaxConns()), Open: int(s.TotalConns()), Idle: int(s.IdleConns()), InUse: int(s.AcquiredConns()),
			Waits: s.EmptyAcquireCount(), WaitTime: s.EmptyAcquireWaitTime(),
		}
	}
	s := db.sql.Stats()
	return PoolStats{
		MaxOpen: s.MaxOpenConnections, Open: s.OpenConnections, Idle: s.Idle, InUse: s.InUse,
		Waits: s.WaitCount, WaitTime: s.WaitDuration,
	}
}
