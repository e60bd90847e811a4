package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-nrm/haven"
)

func personRef(id, field string) haven.FieldRef {
	return haven.FieldRef{Table: "persons", RecordID: id, Field: field}
}

var errNoVault = errors.New("no vault configured: identifying fields cannot be stored or read")

// sealPerson encrypts each identifying field of p, bound to p's id and the
// field's name; empty fields stay NULL.
func (db *DB) sealPerson(ctx context.Context, p *haven.Person) ([][]byte, error) {
	if db.vault == nil {
		return nil, errNoVault
	}
	out := make([][]byte, len(haven.PersonFields))
	for i, f := range haven.PersonFields {
		v := *p.Field(f)
		if v == "" {
			continue
		}
		ct, err := db.vault.Seal(ctx, haven.CompartmentCare, personRef(p.ID, f), []byte(v))
		if err != nil {
			return nil, err
		}
		out[i] = ct
	}
	return out, nil
}

// FindPersonByCaseID returns the decrypted identity of a case's person. A
// case without one is ENOTFOUND. A value that does not decrypt fails the
// whole read: Haven fails closed rather than show a partial record.
func (db *DB) FindPersonByCaseID(ctx context.Context, caseID string) (*haven.Person, error) {
	if db.vault == nil {
		return nil, errNoVault
	}
	var (
		id     sql.NullString
		sealed = make([][]byte, len(haven.PersonFields))
	)
	err := db.readRow(ctx, `SELECT p.id, p.given_name_enc, p.family_name_enc, p.date_of_birth_enc, p.document_number_enc, p.contact_enc
		FROM cases c LEFT JOIN persons p ON p.id = c.person_id WHERE c.id = ?`, caseID).
		Scan(&id, &sealed[0], &sealed[1], &sealed[2], &sealed[3], &sealed[4])
	if err != nil {
		return nil, fmt.Errorf("find person: %w", mapError(err))
	}
	if !id.Valid {
		return nil, haven.Errorf(haven.ENOTFOUND, "The case has no identity recorded.")
	}
	p := &haven.Person{ID: id.String}
	for i, f := range haven.PersonFields {
		if sealed[i] == nil {
			continue
		}
		pt, err := db.vault.Open(ctx, haven.CompartmentCare, personRef(p.ID, f), sealed[i])
		if err != nil {
			return nil, fmt.Errorf("find person: %w", err)
		}
		*p.Field(f) = string(pt)
	}
	return p, nil
}
