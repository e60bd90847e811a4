package store

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

var _ haven.ProtectionService = (*DB)(nil)

// RecordProtection records an asylum or statelessness procedure lodged for
// a case. Both kinds may run at once.
func (db *DB) RecordProtection(ctx context.Context, p *haven.ProtectionProcedure) error {
	if err := p.Validate(db.Now()); err != nil {
		return err
	}
	p.ID, p.Status, p.CreatedAt = newID(), haven.ProtectionPending, db.Now()
	logEntry, err := db.auditEvent(ctx, "protection.record", audit.KindCase, p.CaseID, haven.AuditAllowed)
	if err != nil {
		return fmt.Errorf("record protection: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO protection_procedures (id, case_id, kind, status, lodged_on, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			p.ID, p.CaseID, string(p.Kind), p.Status, p.LodgedOn, p.CreatedAt); err != nil {
			return fmt.Errorf("record protection: %w", mapError(err))
		}
		return tx.logWrite(ctx, logEntry)
	})
}

// DecideProtection records the decision on a pending procedure.
func (db *DB) DecideProtection(ctx context.Context, caseID, id string, d haven.ProtectionDecision) (*haven.ProtectionProcedure, error) {
	list, err := db.ListProtection(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var p *haven.ProtectionProcedure
	for _, x := range list {
		if x.ID == id {
			p = x
		}
	}
	if p == nil {
		return nil, haven.Errorf(haven.ENOTFOUND, "Not found.")
	}
	if p.Status != haven.ProtectionPending {
		return nil, haven.Errorf(haven.ECONFLICT, "The procedure was already decided.")
	}
	if err := d.Validate(p, db.Now()); err != nil {
		return nil, err
	}
	logEntry, err := db.auditEvent(ctx, "protection.decide", audit.KindCase, caseID, haven.AuditAllowed)
	if err != nil {
		return nil, fmt.Errorf("decide protection: %w", err)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE protection_procedures SET status = ?, decided_on = ? WHERE id = ? AND status = ?`,
			d.Status, d.DecidedOn, id, haven.ProtectionPending)
		if err != nil {
			return mapError(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return haven.Errorf(haven.ECONFLICT, "The procedure was already decided.")
		}
		return tx.logWrite(ctx, logEntry)
	})
	if err != nil {
		return nil, fmt.Errorf("decide protection: %w", err)
	}
	p.Status, p.DecidedOn = d.Status, d.DecidedOn
	return p, nil
}

// ListProtection returns a case's procedures, oldest first.
func (db *DB) ListProtection(ctx context.Context, caseID string) ([]*haven.ProtectionProcedure, error) {
	rows, err := db.readQuery(ctx, `SELECT id, case_id, kind, status, lodged_on, decided_on, created_at
		FROM protection_procedures WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list protection: %w", mapError(err))
	}
	defer rows.Close()
	out := []*haven.ProtectionProcedure{}
	for rows.Next() {
		var p haven.ProtectionProcedure
		if err := rows.Scan(&p.ID, &p.CaseID, &p.Kind, &p.Status, &p.LodgedOn, &p.DecidedOn, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("list protection: %w", err)
		}
		out = append(out, &p)
	}
	return out, mapError(rows.Err())
}
