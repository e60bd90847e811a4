package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func openCacheDB(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func cached(c *stmtCache) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)
}

// TestStatementsPreparedInTransactionsAreKept checks that a statement
// first met inside a transaction is prepared once the writer is free, and
// used by the next transactions; and that reads prepare theirs at once.
func TestStatementsPreparedInTransactionsAreKept(t *testing.T) {
	db := openCacheDB(t)
	ctx := context.Background()
	insert := `INSERT INTO kv (k, v) VALUES (?, ?)`
	for i := range 3 {
		err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, insert, fmt.Sprint("k", i), i)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if db.writeStmts.lookup(insert) == nil {
			t.Fatalf("after transaction %d the insert is not prepared", i)
		}
	}
	var n int
	if err := db.readRow(ctx, `SELECT COUNT(*) FROM kv`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if db.readStmts.lookup(`SELECT COUNT(*) FROM kv`) == nil {
		t.Fatal("the read is not prepared")
	}
	// A statement that cannot be prepared is not kept, and its caller
	// gets the driver's error.
	bad := `SELECT nope FROM kv`
	if err := db.readRow(ctx, bad).Scan(&n); err == nil {
		t.Fatal("a bad statement ran")
	}
	if db.readStmts.lookup(bad) != nil {
		t.Fatal("a bad statement was kept")
	}
	// A rolled-back transaction leaves nothing behind but its statements.
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, insert, "k9", 9); err != nil {
			return err
		}
		return fmt.Errorf("changed my mind")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if err := db.readRow(ctx, `SELECT COUNT(*) FROM kv`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows after a rollback, %v", n, err)
	}
}

// TestStatementCacheIsBounded sends more distinct statements than the cache
// holds: the surplus runs unprepared, and the cache stops growing.
func TestStatementCacheIsBounded(t *testing.T) {
	db := openCacheDB(t)
	ctx := context.Background()
	for i := range maxCachedStatements + 20 {
		var v int
		if err := db.readRow(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&v); err != nil || v != i {
			t.Fatalf("statement %d: %d, %v", i, v, err)
		}
	}
	if n := cached(db.readStmts); n != maxCachedStatements {
		t.Fatalf("%d statements kept, want %d", n, maxCachedStatements)
	}
}

// TestStatementCacheConcurrently reads and writes from many goroutines
// through the same cached statements (run it with -race).
func TestStatementCacheConcurrently(t *testing.T) {
	db := openCacheDB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := range 20 {
		wg.Go(func() {
			err := db.inTx(ctx, func(tx *Tx) error {
				_, err := tx.exec(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, fmt.Sprint("g", g), g)
				return err
			})
			if err != nil {
				errs <- err
			}
			var n int
			if err := db.readRow(ctx, `SELECT COUNT(*) FROM kv WHERE v >= ?`, 0).Scan(&n); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := db.readRow(ctx, `SELECT COUNT(*) FROM kv`).Scan(&n); err != nil || n != 20 {
		t.Fatalf("%d rows, %v", n, err)
	}
}
