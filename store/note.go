package store

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

func noteRef(id string) haven.FieldRef {
	return haven.FieldRef{Table: "case_notes", RecordID: id, Field: "body"}
}

// AddNote stores a case note with its body encrypted.
func (db *DB) AddNote(ctx context.Context, n *haven.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if db.vault == nil {
		return fmt.Errorf("add note: %w", errNoVault)
	}
	author := haven.UserFromContext(ctx)
	if author == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	n.ID = newID()
	n.AuthorID = author.ID
	n.CreatedAt = db.Now()
	body, err := db.vault.Seal(ctx, haven.CompartmentCare, noteRef(n.ID), []byte(n.Body))
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	logEntry, err := db.auditEvent(ctx, "note.add", audit.KindCase, n.CaseID, haven.AuditAllowed)
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO case_notes (id, case_id, author_id, body_enc, created_at) VALUES (?, ?, ?, ?, ?)`,
			n.ID, n.CaseID, n.AuthorID, body, n.CreatedAt); err != nil {
			return fmt.Errorf("add note: %w", mapError(err))
		}
		return tx.logWrite(ctx, logEntry)
	})
}

// ListNotes returns a case's notes, oldest first, decrypted.
func (db *DB) ListNotes(ctx context.Context, caseID string) ([]*haven.Note, error) {
	if db.vault == nil {
		return nil, fmt.Errorf("list notes: %w", errNoVault)
	}
	rows, err := db.readQuery(ctx, `SELECT id, case_id, author_id, body_enc, created_at FROM case_notes WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list notes: %w", mapError(err))
	}
	defer rows.Close()
	var out []*haven.Note
	for rows.Next() {
		var (
			n    haven.Note
			body []byte
		)
		if err := rows.Scan(&n.ID, &n.CaseID, &n.AuthorID, &body, &n.CreatedAt); err != nil {
			return nil, fmt.Errorf("list notes: %w", err)
		}
		pt, err := db.vault.Open(ctx, haven.CompartmentCare, noteRef(n.ID), body)
		if err != nil {
			return nil, fmt.Errorf("list notes: %w", err)
		}
		n.Body = string(pt)
		out = append(out, &n)
	}
	return out, mapError(rows.Err())
}
