package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/haven-nrm/haven"
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
	return db.inTx(ctx, func(tx *Tx) error {
		if err := db.insertConsent(ctx, tx, consent, u); err != nil {
			return err
		}
		s.CaseID, s.ConsentID, s.Anonymous = consent.CaseID, consent.ID, false
		return db.insertScreening(ctx, tx, s, u)
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
	return db.inTx(ctx, func(tx *Tx) error { return db.insertScreening(ctx, tx, s, u) })
}

func (db *DB) insertScreening(ctx context.Context, tx *Tx, s *haven.Screening, u *haven.User) error {
	s.ID, s.CreatedBy, s.CreatedAt = newID(), u.ID, db.Now()
	answers, err := db.vault.Seal(ctx, haven.CompartmentCare, screeningRef(s.ID, "answers"), s.Answers)
	if err != nil {
		return fmt.Errorf("record screening: %w", err)
	}
	result, err := db.vault.Seal(ctx, haven.CompartmentCare, screeningRef(s.ID, "result"), s.Result)
	if err != nil {
		return fmt.Errorf("record screening: %w", err)
	}
	var caseID, consentID any
	if !s.Anonymous {
		caseID, consentID = s.CaseID, s.ConsentID
	}
	_, err = tx.exec(ctx, `INSERT INTO screenings (id, case_id, consent_id, catalogue_version, catalogue_digest, list, age, outcome,
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
