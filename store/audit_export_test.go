package store

import "context"

// InTxForAuditTest runs fn in one write transaction, so the external tests
// can append audit entries in a caller's transaction (Tx.AppendAudit) and
// bulk-load the log for the benchmarks.
func (db *DB) InTxForAuditTest(ctx context.Context, fn func(tx *Tx) error) error {
	return db.inTx(ctx, fn)
}
