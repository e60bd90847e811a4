// Package store keeps Haven's data in SQLite (embedded, the default) or
// PostgreSQL (production), with the same SQL for both.
//
// Queries are written once with ? placeholders and rebound for PostgreSQL.
// Driver errors are mapped to Haven's error codes in one place (errors.go).
// Migrations are embedded per dialect and numbered; Open refuses nothing,
// but the server asks SchemaCurrent before it serves.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver (pure Go)

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/password"
)

// Dialect names the SQL database behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is Haven's database. SQLite gets a writer pool of one connection, so
// writers queue in Go instead of failing on a busy database, and a separate
// reader pool; PostgreSQL uses one pool for both.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	vault   haven.Vault
	auth    *AuthSettings

	// auditOff stops the store logging its own writes (benchmarks only).
	auditOff  bool
	lifecycle *lifecycle.Config

	dummyMu     sync.Mutex
	dummy       string
	dummyParams password.Params

	// Now returns the current time; tests set it to move the clock.
	Now func() time.Time

	// Prepared statements of the SQLite pools (nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
}

// Open connects to the database named by dsn: a postgres:// or
// postgresql:// URL, or else a SQLite file path. It checks that the database
// answers but does not migrate it.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("open database: no database given")
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, errors.New("open database: the PostgreSQL URL is not valid")
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{dialect: Postgres, write: pool, read: pool, Now: now}
	if err := db.ping(ctx); err != nil {
		pool.Close()
		// The URL may hold a password: name only the host and database.
		return nil, fmt.Errorf("open database: cannot reach PostgreSQL at %s%s: %w", u.Host, u.Path, errors.Unwrap(err))
	}
	return db, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("open database: folder %s does not exist", dir)
		}
	}
	// WAL lets readers work while one writer writes; the busy timeout
	// absorbs short lock waits; foreign keys are off in SQLite by default.
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)", "synchronous(NORMAL)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	read.SetMaxOpenConns(8)
	db := &DB{dialect: SQLite, write: write, read: read, Now: now,
		writeStmts: newStmtCache(write), readStmts: newStmtCache(read)}
	// The writer must create the file before a read-only connection opens it.
	if err := pingDB(ctx, write); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: cannot open SQLite file %s: %w", path, err)
	}
	if _, err := write.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS haven_probe (x INTEGER); DROP TABLE haven_probe"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: cannot write SQLite file %s: %w", path, err)
	}
	if err := pingDB(ctx, read); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func (db *DB) ping(ctx context.Context) error { return pingDB(ctx, db.write) }

func pingDB(ctx context.Context, d *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return d.PingContext(ctx)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.ping(ctx) }

// Dialect returns which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// SetVault sets the vault that seals identifying fields. Reads and writes
// of persons and notes fail until it is set.
func (db *DB) SetVault(v haven.Vault) { db.vault = v }

// Close closes both pools.
func (db *DB) Close() error {
	db.writeStmts.close()
	db.readStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ... Queries never
// carry a literal question mark, so a plain scan is enough.
func (db *DB) rebind(query string) string {
	if db.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Tx wraps a transaction so the store's helpers rebind its queries.
type Tx struct {
	*sql.Tx
	db *DB
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := tx.db.writeStmts.lookup(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, tx.db.rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := tx.db.writeStmts.lookup(q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, tx.db.rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := tx.db.writeStmts.lookup(q); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, tx.db.rebind(q), args...)
}

// inTx runs fn in one write transaction, committing if it returns nil and
// rolling back otherwise. Every write of several rows goes through it.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	// Statements first met in this transaction are prepared once the
	// writer's connection is free again, waiting a short while at most:
	// a statement left unprepared is only parsed again next time.
	defer func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		db.writeStmts.flush(fctx)
	}()
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapError(err))
	}
	// A panic in fn must not leave the writer's connection held.
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	tx := &Tx{Tx: sqlTx, db: db}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapError(err))
	}
	return nil
}

// readQuery runs a read on the reader pool.
func (db *DB) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.rebind(q), args...)
}

func (db *DB) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.rebind(q), args...)
}

// readStmt returns the reader's prepared statement of q, preparing it at
// its first use (readers hold no connection the preparation waits for).
func (db *DB) readStmt(ctx context.Context, q string) *sql.Stmt {
	st := db.readStmts.lookup(q)
	if st == nil && db.readStmts != nil {
		db.readStmts.flush(context.WithoutCancel(ctx))
		st = db.readStmts.lookup(q)
	}
	return st
}

func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, db.rebind(q), args...)
}

// Exec runs a raw statement on the writer. It exists for tests and
// benchmarks that must reach under the store, and is not for application use.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.exec(ctx, q, args...)
}

// QueryRow runs a raw query on the reader, for tests and tools.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.readRow(ctx, q, args...)
}

// RawQuery runs a raw query on the reader, for tests and tools.
func (db *DB) RawQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.readQuery(ctx, q, args...)
}

// Vault returns the vault the store seals with, or nil.
func (db *DB) Vault() haven.Vault { return db.vault }
