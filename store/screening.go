package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

var _ haven.ScreeningService = (*DB)(nil)

func screeningRef(id, field string) haven.FieldRef {
	return haven.FieldRef{Table: "screenings", RecordID: id, Field: field}
}

// RecordScreening stores a screening on a case with the consent it rests
// on, in one transaction: without the consent, nothing is stored.
func (db *DB) RecordScreening(ctx context.Context, s *haven.Screening, consent *haven.Consent) error {
	u := haven.UserFromContext(ctx)
	if u == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	if consent == nil || consent.Purpose != haven.PurposeScreening {
		return &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
			Fields: []haven.FieldError{{Field: "consent", Reason: "a screening is recorded on a case only with the person's consent (GR 38 §79); record it anonymously otherwise"}}}
	}
	logEntry, err := db.auditEvent(ctx, "screening.record", audit.KindCase, consent.CaseID, haven.AuditAllowed)
	if err != nil {
		return err
	}
	s.CaseID, s.Anonymous = consent.CaseID, false
	sealed, err := db.sealScreening(ctx, s, u)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := db.insertConsent(ctx, tx, consent, u); err != nil {
			return err
		}
		s.ConsentID = consent.ID
		if err := db.insertScreening(ctx, tx, s, sealed); err != nil {
			return err
		}
		return tx.logWrite(ctx, logEntry)
	})
}

// RecordAnonymousScreening stores a screening with no case, no consent and
// no person: the statistics still learn that a screening happened.
func (db *DB) RecordAnonymousScreening(ctx context.Context, s *haven.Screening) error {
	u := haven.UserFromContext(ctx)
	if u == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	s.CaseID, s.ConsentID, s.Anonymous = "", "", true
	sealed, err := db.sealScreening(ctx, s, u)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return db.insertScreening(ctx, tx, s, sealed) })
}

// sealScreening gives s its id and seals its answers and result. It runs
// before the transaction: a first keyset load needs the SQLite writer that
// a transaction would hold.
func (db *DB) sealScreening(ctx context.Context, s *haven.Screening, u *haven.User) ([2][]byte, error) {
	s.ID, s.CreatedBy, s.CreatedAt = newID(), u.ID, db.Now()
	answers, err := db.vault.Seal(ctx, haven.CompartmentCare, screeningRef(s.ID, "answers"), s.Answers)
	if err != nil {
		return [2][]byte{}, fmt.Errorf("record screening: %w", err)
	}
	result, err := db.vault.Seal(ctx, haven.CompartmentCare, screeningRef(s.ID, "result"), s.Result)
	if err != nil {
		return [2][]byte{}, fmt.Errorf("record screening: %w", err)
	}
	return [2][]byte{answers, result}, nil
}

func (db *DB) insertScreening(ctx context.Context, tx *Tx, s *haven.Screening, sealed [2][]byte) error {
	answers, result := sealed[0], sealed[1]
	var caseID, consentID any
	if !s.Anonymous {
		caseID, consentID = s.CaseID, s.ConsentID
	}
	_, err := tx.exec(ctx, `INSERT INTO screenings (id, case_id, consent_id, catalogue_version, catalogue_digest, list, age, outcome,
		answers_enc, result_enc, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, caseID, consentID, s.CatalogueVersion, s.CatalogueDigest, s.List, s.Age, s.Outcome, answers, result, s.CreatedBy, s.CreatedAt)
	if err != nil {
		return fmt.Errorf("record screening: %w", mapError(err))
	}
	return nil
}

// ListScreenings returns a case's screenings, oldest first, opened.
func (db *DB) ListScreenings(ctx context.Context, caseID string) ([]*haven.Screening, error) {
	rows, err := db.readQuery(ctx, `SELECT id, case_id, consent_id, catalogue_version, catalogue_digest, list, age, outcome,
		answers_enc, result_enc, created_by, created_at FROM screenings WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list screenings: %w", mapError(err))
	}
	defer rows.Close()
	out := []*haven.Screening{}
	for rows.Next() {
		var (
			s               haven.Screening
			cid, kid        sql.NullString
			answers, result []byte
		)
		if err := rows.Scan(&s.ID, &cid, &kid, &s.CatalogueVersion, &s.CatalogueDigest, &s.List, &s.Age, &s.Outcome,
			&answers, &result, &s.CreatedBy, &s.CreatedAt); err != nil {
			return nil, fmt.Errorf("list screenings: %w", err)
		}
		s.CaseID, s.ConsentID = cid.String, kid.String
		if s.Answers, err = db.vault.Open(ctx, haven.CompartmentCare, screeningRef(s.ID, "answers"), answers); err != nil {
			return nil, fmt.Errorf("list screenings: %w", err)
		}
		if s.Result, err = db.vault.Open(ctx, haven.CompartmentCare, screeningRef(s.ID, "result"), result); err != nil {
			return nil, fmt.Errorf("list screenings: %w", err)
		}
		out = append(out, &s)
	}
	return out, mapError(rows.Err())
}
