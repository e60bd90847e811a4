package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds a cache: queries built with a variable number
// of placeholders are few, but must not grow it without end.
const maxCachedStatements = 512

// stmtCache keeps the prepared statements of a SQLite pool, so that the
// driver does not parse the same SQL text at every call: parsing was a
// quarter of the time of a lifecycle event. PostgreSQL's driver caches
// statements itself.
//
// The writer pool has one connection, held by a transaction while it runs,
// so a statement first met inside a transaction cannot be prepared then:
// it is noted, and prepared once the transaction has ended (flush).
type stmtCache struct {
	pool   *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// lookup returns the prepared statement of q, or nil after noting q to be
// prepared by the next flush.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[q]; ok {
		return s
	}
	if len(c.stmts)+len(c.wanted) < maxCachedStatements {
		c.wanted[q] = true
	}
	return nil
}

// flush prepares the statements noted since the last flush. It must not
// run while the caller holds a connection of the pool. A statement that
// fails to prepare is simply not cached: the call that needs it runs the
// text and reports the error.
func (c *stmtCache) flush(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	var queries []string
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		s, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[q]; ok {
			s.Close()
		} else {
			c.stmts[q] = s
		}
		c.mu.Unlock()
	}
}

// close closes every cached statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.stmts {
		s.Close()
		delete(c.stmts, q)
	}
}
