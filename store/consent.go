package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

var _ haven.ConsentService = (*DB)(nil)

// RecordConsent stores a new consent for a case. Whether the case is a
// child's decides who may give it (GR 38 §96).
func (db *DB) RecordConsent(ctx context.Context, c *haven.Consent) error {
	u := haven.UserFromContext(ctx)
	if u == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	logEntry, err := db.auditEvent(ctx, "consent.record", audit.KindCase, c.CaseID, haven.AuditAllowed)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := db.insertConsent(ctx, tx, c, u); err != nil {
			return err
		}
		return tx.logWrite(ctx, logEntry)
	})
}

// insertConsent validates a consent against its case and writes it within
// tx, for callers that store it together with what it allows.
func (db *DB) insertConsent(ctx context.Context, tx *Tx, c *haven.Consent, u *haven.User) error {
	var child bool
	if err := tx.queryRow(ctx, `SELECT treated_as_child FROM cases WHERE id = ?`, c.CaseID).Scan(&child); err != nil {
		return fmt.Errorf("record consent: %w", mapError(err))
	}
	now := db.Now()
	if err := c.Validate(child, now); err != nil {
		return err
	}
	if c.RecipientOrganisationID != "" {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM organisations WHERE id = ?`, c.RecipientOrganisationID).Scan(&n); err != nil {
			return fmt.Errorf("record consent: %w", mapError(err))
		} else if n == 0 {
			return &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
				Fields: []haven.FieldError{{Field: "recipient_organisation_id", Reason: "is not a known organisation"}}}
		}
	}
	c.ID, c.GivenAt, c.RecordedBy, c.WithdrawnAt = newID(), now, u.ID, nil
	var recipient any
	if c.RecipientOrganisationID != "" {
		recipient = c.RecipientOrganisationID
	}
	_, err := tx.exec(ctx, `INSERT INTO consents (id, case_id, purpose, recipient_organisation_id, scope, given_by, child_view,
		method, given_at, expires_at, withdrawn_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
		c.ID, c.CaseID, string(c.Purpose), recipient, joinScope(c.Scope), c.GivenBy, c.ChildView, c.Method,
		c.GivenAt, c.ExpiresAt, c.RecordedBy)
	if err != nil {
		return fmt.Errorf("record consent: %w", mapError(err))
	}
	return nil
}

// WithdrawConsent marks a consent withdrawn now. The record stays; every
// access check from now on reads it as not in force.
func (db *DB) WithdrawConsent(ctx context.Context, caseID, consentID string) (*haven.Consent, error) {
	logEntry, err := db.auditEvent(ctx, "consent.withdraw", audit.KindCase, caseID, haven.AuditAllowed)
	if err != nil {
		return nil, err
	}
	var out *haven.Consent
	err = db.inTx(ctx, func(tx *Tx) error {
		c, err := scanConsent(tx.queryRow(ctx, `SELECT `+consentColumns+` FROM consents WHERE id = ? AND case_id = ?`, consentID, caseID))
		if err != nil {
			return fmt.Errorf("withdraw consent: %w", mapError(err))
		}
		if c.WithdrawnAt != nil {
			return haven.Errorf(haven.ECONFLICT, "The consent was already withdrawn.")
		}
		now := db.Now()
		if _, err := tx.exec(ctx, `UPDATE consents SET withdrawn_at = ? WHERE id = ?`, now, c.ID); err != nil {
			return fmt.Errorf("withdraw consent: %w", mapError(err))
		}
		c.WithdrawnAt = &now
		out = c
		return tx.logWrite(ctx, logEntry)
	})
	return out, err
}

const consentColumns = `id, case_id, purpose, recipient_organisation_id, scope, given_by, child_view, method,
	given_at, expires_at, withdrawn_at, recorded_by`

func scanConsent(s interface{ Scan(...any) error }) (*haven.Consent, error) {
	var (
		c                  haven.Consent
		recipient          sql.NullString
		scope              string
		expires, withdrawn sql.NullTime
	)
	if err := s.Scan(&c.ID, &c.CaseID, &c.Purpose, &recipient, &scope, &c.GivenBy, &c.ChildView, &c.Method,
		&c.GivenAt, &expires, &withdrawn, &c.RecordedBy); err != nil {
		return nil, err
	}
	c.RecipientOrganisationID = recipient.String
	for _, s := range strings.Split(scope, ",") {
		if s != "" {
			c.Scope = append(c.Scope, haven.ConsentScope(s))
		}
	}
	if expires.Valid {
		t := expires.Time
		c.ExpiresAt = &t
	}
	if withdrawn.Valid {
		t := withdrawn.Time
		c.WithdrawnAt = &t
	}
	return &c, nil
}

func joinScope(s []haven.ConsentScope) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return strings.Join(parts, ",")
}

// ListConsents returns every consent of a case, in force or not, oldest
// first. Access checks read it on every request, so a withdrawal takes
// effect on the next one.
func (db *DB) ListConsents(ctx context.Context, caseID string) ([]*haven.Consent, error) {
	rows, err := db.readQuery(ctx, `SELECT `+consentColumns+` FROM consents WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", mapError(err))
	}
	defer rows.Close()
	out := []*haven.Consent{}
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("list consents: %w", err)
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}
