package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

var _ haven.NonPunishmentService = (*DB)(nil)

func findingRef(id string) haven.FieldRef {
	return haven.FieldRef{Table: "non_punishment", RecordID: id, Field: "finding"}
}

// RecordNonPunishment stores a finding, numbered per case. The offences
// may name the person and what she was made to do, so the finding is
// sealed; only its date stays readable.
func (db *DB) RecordNonPunishment(ctx context.Context, f *haven.NonPunishmentFinding) error {
	u := haven.UserFromContext(ctx)
	if u == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	if err := f.Validate(db.Now()); err != nil {
		return err
	}
	f.ID, f.CreatedBy, f.CreatedAt = newID(), u.ID, db.Now()
	var n int
	if err := db.readRow(ctx, `SELECT COUNT(*) FROM non_punishment WHERE case_id = ?`, f.CaseID).Scan(&n); err != nil {
		return fmt.Errorf("record non-punishment: %w", mapError(err))
	}
	f.Number = n + 1
	plain, err := json.Marshal(f)
	if err != nil {
		return err
	}
	sealed, err := db.vault.Seal(ctx, haven.CompartmentCare, findingRef(f.ID), plain)
	if err != nil {
		return fmt.Errorf("record non-punishment: %w", err)
	}
	logEntry, err := db.auditEvent(ctx, "nonpunishment.record", audit.KindCase, f.CaseID, haven.AuditAllowed)
	if err != nil {
		return fmt.Errorf("record non-punishment: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO non_punishment (id, case_id, number, decided_on, finding_enc, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, f.ID, f.CaseID, f.Number, f.DecidedOn, sealed, f.CreatedBy, f.CreatedAt); err != nil {
			return fmt.Errorf("record non-punishment: %w", mapError(err))
		}
		return tx.logWrite(ctx, logEntry)
	})
}

// ListNonPunishment returns a case's findings, in order, opened.
func (db *DB) ListNonPunishment(ctx context.Context, caseID string) ([]*haven.NonPunishmentFinding, error) {
	rows, err := db.readQuery(ctx, `SELECT id, finding_enc FROM non_punishment WHERE case_id = ? ORDER BY number`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list non-punishment: %w", mapError(err))
	}
	defer rows.Close()
	out := []*haven.NonPunishmentFinding{}
	for rows.Next() {
		var (
			id     string
			sealed []byte
		)
		if err := rows.Scan(&id, &sealed); err != nil {
			return nil, fmt.Errorf("list non-punishment: %w", err)
		}
		plain, err := db.vault.Open(ctx, haven.CompartmentCare, findingRef(id), sealed)
		if err != nil {
			return nil, fmt.Errorf("list non-punishment: %w", err)
		}
		var f haven.NonPunishmentFinding
		if err := json.Unmarshal(plain, &f); err != nil {
			return nil, fmt.Errorf("list non-punishment: %w", err)
		}
		out = append(out, &f)
	}
	return out, mapError(rows.Err())
}
