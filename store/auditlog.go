package store

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

// SetAuditing turns the access log of the store's own writes on or off.
// It is on unless a benchmark measures what it costs.
func (db *DB) SetAuditing(on bool) { db.auditOff = !on }

// auditEvent prepares the log entry of an action on a record by the acting
// user. It runs before the write's transaction: computing the record
// reference may load a keyset, which on SQLite needs the writer that the
// transaction would hold.
func (db *DB) auditEvent(ctx context.Context, action, kind, id, outcome string) (haven.AuditEvent, error) {
	if db.auditOff {
		return haven.AuditEvent{}, nil
	}
	e := haven.AuditEvent{Action: action, Purpose: haven.PurposeFromContext(ctx), Outcome: outcome}
	if u := haven.UserFromContext(ctx); u != nil {
		e.UserID = u.ID
	}
	if id != "" {
		if db.vault == nil {
			return e, fmt.Errorf("audit %s: %w", action, errNoVault)
		}
		ref, err := db.vault.RecordRef(ctx, kind, id)
		if err != nil {
			return e, fmt.Errorf("audit %s: %w", action, err)
		}
		e.RecordRef = ref
	}
	return e, nil
}

// logWrite appends a prepared entry as the transaction's last statement,
// so the write and its log entry commit together or not at all.
func (tx *Tx) logWrite(ctx context.Context, e haven.AuditEvent) error {
	if e.Action == "" {
		return nil // auditing is off
	}
	return tx.AppendAudit(ctx, e)
}

// AuditAccess logs reads or refusals of records, one entry each, in one
// transaction: the server calls it for every record it shows or refuses.
func (db *DB) AuditAccess(ctx context.Context, action, outcome string, caseIDs ...string) error {
	if db.auditOff {
		return nil
	}
	events := make([]haven.AuditEvent, 0, len(caseIDs))
	for _, id := range caseIDs {
		e, err := db.auditEvent(ctx, action, audit.KindCase, id, outcome)
		if err != nil {
			return err
		}
		events = append(events, e)
	}
	if len(caseIDs) == 0 {
		e, err := db.auditEvent(ctx, action, "", "", outcome)
		if err != nil {
			return err
		}
		events = append(events, e)
	}
	if err := db.PrepareAudit(ctx); err != nil {
		return fmt.Errorf("audit access: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		for _, e := range events {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// AccessHistory returns who accessed a case and why, oldest first, so a
// caseworker can show a survivor who looked at her record.
func (db *DB) AccessHistory(ctx context.Context, caseID string) ([]haven.AuditEvent, error) {
	if db.vault == nil {
		return nil, errNoVault
	}
	ref, err := db.vault.RecordRef(ctx, audit.KindCase, caseID)
	if err != nil {
		return nil, fmt.Errorf("access history: %w", err)
	}
	return db.FindAuditByRecordRef(ctx, ref)
}

// AuditSize returns how many entries the access log holds.
func (db *DB) AuditSize(ctx context.Context) (int64, error) {
	var seq int64
	if err := db.readRow(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("audit size: %w", mapError(err))
	}
	return seq, nil
}
