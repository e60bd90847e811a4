package store

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

var _ haven.BreakGlassService = (*DB)(nil)

func breakGlassRef(id string) haven.FieldRef {
	return haven.FieldRef{Table: "break_glass", RecordID: id, Field: "reason"}
}

// BreakGlass records an emergency access by the acting user. The reason
// may name the person, so it is sealed like a note.
func (db *DB) BreakGlass(ctx context.Context, b *haven.BreakGlass) error {
	if err := b.Validate(); err != nil {
		return err
	}
	u := haven.UserFromContext(ctx)
	if u == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	b.ID, b.UserID, b.CreatedAt = newID(), u.ID, db.Now()
	b.ExpiresAt = b.CreatedAt.Add(haven.BreakGlassDuration)
	reason, err := db.vault.Seal(ctx, haven.CompartmentCare, breakGlassRef(b.ID), []byte(b.Reason))
	if err != nil {
		return fmt.Errorf("break glass: %w", err)
	}
	logEntry, err := db.auditEvent(haven.WithPurpose(ctx, haven.PurposeBreakGlass), "breakglass.create", audit.KindCase, b.CaseID, haven.AuditAllowed)
	if err != nil {
		return fmt.Errorf("break glass: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO break_glass (id, case_id, user_id, reason_enc, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			b.ID, b.CaseID, b.UserID, reason, b.CreatedAt, b.ExpiresAt); err != nil {
			return fmt.Errorf("break glass: %w", mapError(err))
		}
		return tx.logWrite(ctx, logEntry)
	})
}

// ActiveBreakGlass returns the user's unexpired emergency access to a case.
func (db *DB) ActiveBreakGlass(ctx context.Context, caseID, userID string) (*haven.BreakGlass, error) {
	var b haven.BreakGlass
	err := db.readRow(ctx, `SELECT id, case_id, user_id, created_at, expires_at FROM break_glass
		WHERE case_id = ? AND user_id = ? AND expires_at > ? ORDER BY expires_at DESC LIMIT 1`, caseID, userID, db.Now()).
		Scan(&b.ID, &b.CaseID, &b.UserID, &b.CreatedAt, &b.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("active break glass: %w", mapError(err))
	}
	return &b, nil
}

// ListBreakGlass returns every emergency access to a case with its reason,
// for the owner organisation to review.
func (db *DB) ListBreakGlass(ctx context.Context, caseID string) ([]*haven.BreakGlass, error) {
	rows, err := db.readQuery(ctx, `SELECT id, case_id, user_id, reason_enc, created_at, expires_at FROM break_glass
		WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list break glass: %w", mapError(err))
	}
	defer rows.Close()
	out := []*haven.BreakGlass{}
	for rows.Next() {
		var (
			b      haven.BreakGlass
			reason []byte
		)
		if err := rows.Scan(&b.ID, &b.CaseID, &b.UserID, &reason, &b.CreatedAt, &b.ExpiresAt); err != nil {
			return nil, fmt.Errorf("list break glass: %w", err)
		}
		pt, err := db.vault.Open(ctx, haven.CompartmentCare, breakGlassRef(b.ID), reason)
		if err != nil {
			return nil, fmt.Errorf("list break glass: %w", err)
		}
		b.Reason = string(pt)
		out = append(out, &b)
	}
	return out, mapError(rows.Err())
}
