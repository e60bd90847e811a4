package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

var (
	_ haven.AuditLog = (*DB)(nil)
	_ haven.AuditLog = (*Tx)(nil)
)

// AppendAudit appends e to the access log in a transaction of its own. Use
// Tx.AppendAudit to log a write in the same transaction as the write, so
// that one never commits without the other.
func (db *DB) AppendAudit(ctx context.Context, e haven.AuditEvent) error {
	if err := db.PrepareAudit(ctx); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.AppendAudit(ctx, e) })
}

// AppendAudit appends e to the access log inside the caller's transaction.
// The store assigns e.Seq and, if e.Time is zero, the time. It reads the
// head row and inserts one row; a trigger moves the head.
//
// On PostgreSQL the head row stays locked until the transaction ends, so
// appends queue instead of forking the chain. Append last, just before the
// commit: the lock is then held for the shortest time, and a transaction
// never waits for the head while holding rows that another appender wants
// (which PostgreSQL would break as a deadlock). On SQLite the single writer
// connection already serialises every write.
func (tx *Tx) AppendAudit(ctx context.Context, e haven.AuditEvent) error {
	_, err := tx.appendAudit(ctx, e)
	return err
}

const (
	auditHeadQuery   = `SELECT seq, hash FROM audit_head WHERE id = 1`
	auditInsertQuery = `INSERT INTO audit_log (seq, logged_at, user_id, action, purpose, record_ref, outcome, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

func (tx *Tx) appendAudit(ctx context.Context, e haven.AuditEvent) (audit.Entry, error) {
	if e.Time.IsZero() {
		e.Time = tx.db.Now()
	}
	audit.Normalize(&e)
	if err := audit.Validate(e); err != nil {
		return audit.Entry{}, fmt.Errorf("append audit: %w", err)
	}
	var (
		prevSeq  int64
		prevHash []byte
		head     *sql.Row
	)
	stmts := tx.db.auditStatements()
	switch {
	case stmts != nil:
		head = tx.StmtContext(ctx, stmts.head).QueryRowContext(ctx)
	case tx.db.dialect == Postgres:
		head = tx.queryRow(ctx, auditHeadQuery+` FOR UPDATE`)
	default:
		head = tx.queryRow(ctx, auditHeadQuery)
	}
	if err := head.Scan(&prevSeq, &prevHash); err != nil {
		return audit.Entry{}, fmt.Errorf("append audit: read head: %w", mapError(err))
	}
	if len(prevHash) != audit.HashSize {
		return audit.Entry{}, fmt.Errorf("append audit: the head row holds a %d-byte hash", len(prevHash))
	}
	e.Seq = prevSeq + 1
	h := audit.ChainHash(audit.Hash(prevHash), e)
	args := []any{e.Seq, e.Time, e.UserID, e.Action, e.Purpose, e.RecordRef, e.Outcome, h[:]}
	var err error
	if stmts != nil {
		_, err = tx.StmtContext(ctx, stmts.insert).ExecContext(ctx, args...)
	} else {
		_, err = tx.exec(ctx, auditInsertQuery, args...)
	}
	if err != nil {
		return audit.Entry{}, fmt.Errorf("append audit: %w", mapError(err))
	}
	return audit.Entry{Event: e, Hash: h[:]}, nil
}

// auditStmts are an append's two statements, prepared once. On SQLite,
// preparing the insert compiles the head trigger into it and costs more
// than running it; PostgreSQL's driver (pgx) already caches prepared
// statements per connection.
type auditStmts struct {
	head, insert *sql.Stmt
}

// auditStmtCache holds each SQLite DB's prepared statements. It lives
// outside DB so that this file is all the audit log adds to the store; a
// weak key and a cleanup drop a DB's statements with the DB.
var auditStmtCache sync.Map // weak.Pointer[DB] → *auditStmts

func (db *DB) auditStatements() *auditStmts {
	if db.dialect != SQLite {
		return nil
	}
	if st, ok := auditStmtCache.Load(weak.Make(db)); ok {
		return st.(*auditStmts)
	}
	return nil
}

// PrepareAudit prepares the statements of an append, so that appends in a
// caller's transaction need not. Call it at start, outside any
// transaction: SQLite has one writer connection, which a transaction
// holds. DB.AppendAudit calls it; until it has run, appends are correct
// but slower.
func (db *DB) PrepareAudit(ctx context.Context) error {
	if db.dialect != SQLite || db.auditStatements() != nil {
		return nil
	}
	head, err := db.write.PrepareContext(ctx, auditHeadQuery)
	if err != nil {
		return fmt.Errorf("prepare audit: %w", mapError(err))
	}
	insert, err := db.write.PrepareContext(ctx, auditInsertQuery)
	if err != nil {
		head.Close()
		return fmt.Errorf("prepare audit: %w", mapError(err))
	}
	k := weak.Make(db)
	if _, loaded := auditStmtCache.LoadOrStore(k, &auditStmts{head: head, insert: insert}); loaded {
		head.Close()
		insert.Close()
		return nil
	}
	runtime.AddCleanup(db, func(k weak.Pointer[DB]) {
		if st, ok := auditStmtCache.LoadAndDelete(k); ok {
			st.(*auditStmts).head.Close()
			st.(*auditStmts).insert.Close()
		}
	}, k)
	return nil
}

const auditColumns = `seq, logged_at, user_id, action, purpose, record_ref, outcome, hash`

// AuditEntries streams every entry of the log in seq order, one row at a
// time, so a verifier reads a million entries in constant memory. It reads
// every row, whatever its seq, so a forged seq 0 is seen too.
func (db *DB) AuditEntries(ctx context.Context) iter.Seq2[audit.Entry, error] {
	return db.auditEntries(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
}

// auditEntriesAfter streams the entries after seq.
func (db *DB) auditEntriesAfter(ctx context.Context, seq int64) iter.Seq2[audit.Entry, error] {
	return db.auditEntries(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq > ? ORDER BY seq`, seq)
}

func (db *DB) auditEntries(ctx context.Context, q string, args ...any) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		rows, err := db.readQuery(ctx, q, args...)
		if err != nil {
			yield(audit.Entry{}, fmt.Errorf("read audit log: %w", mapError(err)))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var e audit.Entry
			ev := &e.Event
			if err := rows.Scan(&ev.Seq, &ev.Time, &ev.UserID, &ev.Action, &ev.Purpose, &ev.RecordRef, &ev.Outcome, &e.Hash); err != nil {
				yield(audit.Entry{}, fmt.Errorf("read audit log: %w", err))
				return
			}
			ev.Time = ev.Time.UTC()
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(audit.Entry{}, fmt.Errorf("read audit log: %w", err))
		}
	}
}

// FindAuditByRecordRef returns the entries about one record, oldest first:
// who read or changed it, who was refused, and why. ref comes from the
// vault (vault.RecordRef); the log holds no record ids.
func (db *DB) FindAuditByRecordRef(ctx context.Context, ref string) ([]haven.AuditEvent, error) {
	if ref == "" {
		return nil, haven.Errorf(haven.EINVALID, "No record reference given.")
	}
	// record_ref <> '' lets both databases use the partial index.
	var out []haven.AuditEvent
	for e, err := range db.auditEntries(ctx, `SELECT `+auditColumns+` FROM audit_log
		WHERE record_ref = ? AND record_ref <> '' ORDER BY seq`, ref) {
		if err != nil {
			return nil, fmt.Errorf("find audit by record: %w", err)
		}
		out = append(out, e.Event)
	}
	return out, nil
}

// VerifyAudit checks the whole log against cp, signed by pub (see
// audit.Verify). A *audit.VerifyError names the first bad entry.
func (db *DB) VerifyAudit(ctx context.Context, cp *audit.Checkpoint, pub audit.PublicKey) (audit.Result, error) {
	return audit.Verify(db.AuditEntries(ctx), cp, pub)
}

// CreateAuditCheckpoint signs the current head of the log and stores the
// checkpoint. It first checks the latest checkpoint's signature and that
// every entry after it chains from it, so a checkpoint never vouches for
// entries changed since the last one; the work is proportional to the
// entries since then. With nothing new it returns the latest checkpoint.
func (db *DB) CreateAuditCheckpoint(ctx context.Context, signer audit.Signer) (audit.Checkpoint, error) {
	pub, err := signer.AuditPublicKey(ctx)
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("create audit checkpoint: %w", err)
	}
	latest, err := db.LatestAuditCheckpoint(ctx)
	switch {
	case haven.ErrorCode(err) == haven.ENOTFOUND:
		latest = audit.Checkpoint{Size: 0, Head: audit.EmptyHash}
	case err != nil:
		return audit.Checkpoint{}, fmt.Errorf("create audit checkpoint: %w", err)
	default:
		if err := latest.Verify(pub); err != nil {
			return audit.Checkpoint{}, fmt.Errorf("create audit checkpoint: the latest checkpoint is not valid; run 'haven audit verify': %w", err)
		}
	}
	size, head, err := audit.Extend(db.auditEntriesAfter(ctx, latest.Size), latest.Size, latest.Head)
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("create audit checkpoint: the entries after seq %d do not chain from the latest checkpoint; run 'haven audit verify': %w", latest.Size, err)
	}
	if size == latest.Size && latest.Signature != nil {
		return latest, nil
	}
	cp, err := audit.Sign(ctx, signer, size, head, db.Now())
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("create audit checkpoint: %w", err)
	}
	// Two instances may sign the same size at once: the first row stays.
	if _, err := db.exec(ctx, `INSERT INTO audit_checkpoints (size, head, signed_at, key_id, signature)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (size) DO NOTHING`,
		cp.Size, cp.Head[:], cp.Time, cp.KeyID, cp.Signature); err != nil {
		return audit.Checkpoint{}, fmt.Errorf("create audit checkpoint: %w", mapError(err))
	}
	stored, err := scanCheckpoint(db.write.QueryRowContext(ctx, db.rebind(`SELECT `+checkpointColumns+` FROM audit_checkpoints WHERE size = ?`), cp.Size))
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("create audit checkpoint: %w", mapError(err))
	}
	return stored, nil
}

const checkpointColumns = `size, head, signed_at, key_id, signature`

func scanCheckpoint(s interface{ Scan(...any) error }) (audit.Checkpoint, error) {
	var (
		c    audit.Checkpoint
		head []byte
		at   time.Time
	)
	if err := s.Scan(&c.Size, &head, &at, &c.KeyID, &c.Signature); err != nil {
		return audit.Checkpoint{}, err
	}
	if len(head) != audit.HashSize {
		return audit.Checkpoint{}, errors.New("a stored checkpoint's head is not a SHA-256 hash")
	}
	copy(c.Head[:], head)
	c.Time = at.UTC()
	return c, nil
}

// LatestAuditCheckpoint returns the checkpoint of the largest size, or an
// ENOTFOUND error if none was made yet. Its signature is not checked here.
func (db *DB) LatestAuditCheckpoint(ctx context.Context) (audit.Checkpoint, error) {
	// Read on the writer: a checkpoint made a moment ago must be seen.
	c, err := scanCheckpoint(db.write.QueryRowContext(ctx,
		`SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY size DESC LIMIT 1`))
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("latest audit checkpoint: %w", mapError(err))
	}
	return c, nil
}

// ListAuditCheckpoints returns every stored checkpoint, smallest first.
func (db *DB) ListAuditCheckpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	rows, err := db.readQuery(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY size`)
	if err != nil {
		return nil, fmt.Errorf("list audit checkpoints: %w", mapError(err))
	}
	defer rows.Close()
	var out []audit.Checkpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("list audit checkpoints: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit checkpoints: %w", err)
	}
	return out, nil
}
