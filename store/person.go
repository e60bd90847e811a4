package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/haven-nrm/haven"
)

func personRef(id, field string) haven.FieldRef {
	return haven.FieldRef{Table: "persons", RecordID: id, Field: field}
}

var errNoVault = errors.New("no vault configured: identifying fields cannot be stored or read")

var errNoIndexer = errors.New("the vault cannot compute blind indexes: identities cannot be stored or searched")

// sealPerson encrypts each identifying field of p, bound to p's id and the
// field's name, and computes the blind index of each searchable field. It
// returns the sealed fields in haven.PersonFields order followed by the
// indexes in haven.IndexedPersonFields order, the column order of
// CreateCase's INSERT; empty fields stay NULL.
func (db *DB) sealPerson(ctx context.Context, p *haven.Person) ([][]byte, error) {
	if db.vault == nil {
		return nil, errNoVault
	}
	ix, ok := db.vault.(blindIndexer)
	if !ok {
		return nil, errNoIndexer
	}
	out := make([][]byte, len(haven.PersonFields), len(haven.PersonFields)+len(haven.IndexedPersonFields))
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
	for _, f := range haven.IndexedPersonFields {
		idx, err := ix.BlindIndex(ctx, haven.CompartmentCare, f, *p.Field(f))
		if err != nil {
			return nil, err
		}
		out = append(out, idx)
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

// FindCasesByIdentity returns the cases whose person matches every field
// given in q, compared in normalised form (haven.NormalizeIdentity),
// ordered by case id. The database is searched by blind index only; each
// candidate's fields are then decrypted and compared, so an index that
// collides, or was copied from another row, never returns the wrong
// person, and a value that does not decrypt fails the whole search rather
// than be skipped. More than haven.MaxIdentityMatches candidates is an
// EINVALID error: the query must be narrowed.
//
// It returns cases, not identities: the caller decides, through the
// policy, which of them the user may see, and reads a person only then.
func (db *DB) FindCasesByIdentity(ctx context.Context, q haven.IdentityQuery) ([]*haven.Case, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if db.vault == nil {
		return nil, fmt.Errorf("find cases by identity: %w", errNoVault)
	}
	ix, ok := db.vault.(blindIndexer)
	if !ok {
		return nil, fmt.Errorf("find cases by identity: %w", errNoIndexer)
	}
	var (
		fields []string
		where  []string
		args   []any
	)
	for _, f := range haven.IndexedPersonFields {
		v := q.Field(f)
		if v == "" {
			continue
		}
		// One index per enabled index key: while a rotation re-indexes,
		// a row may carry the old key's index or the new one's.
		candidates, err := ix.BlindIndexCandidates(ctx, haven.CompartmentCare, f, v)
		if err != nil {
			return nil, fmt.Errorf("find cases by identity: %w", err)
		}
		if len(candidates) == 0 {
			return nil, fmt.Errorf("find cases by identity: no blind index for %s", f)
		}
		fields = append(fields, f)
		where = append(where, "p."+f+"_bidx IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(candidates)), ", ")+")")
		for _, c := range candidates {
			args = append(args, c)
		}
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = "p." + f + "_enc"
	}
	args = append(args, haven.MaxIdentityMatches+1)
	rows, err := db.readQuery(ctx, `SELECT `+caseColumns+`, p.id, `+strings.Join(cols, ", ")+`
		FROM cases c JOIN persons p ON p.id = c.person_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("find cases by identity: %w", mapError(err))
	}
	type candidate struct {
		c        *haven.Case
		personID string
		sealed   [][]byte
	}
	var found []candidate
	for rows.Next() {
		k := candidate{sealed: make([][]byte, len(fields))}
		extra := []any{&k.personID}
		for i := range k.sealed {
			extra = append(extra, &k.sealed[i])
		}
		if k.c, err = scanCase(scanWith{rows, extra}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find cases by identity: %w", err)
		}
		found = append(found, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find cases by identity: %w", mapError(err))
	}
	if len(found) > haven.MaxIdentityMatches {
		return nil, haven.Errorf(haven.EINVALID, "More than %d cases match; add another field to narrow the search.", haven.MaxIdentityMatches)
	}
	cases := []*haven.Case{}
	for _, k := range found {
		match := true
		for i, f := range fields {
			if k.sealed[i] == nil {
				match = false
				break
			}
			pt, err := db.vault.Open(ctx, haven.CompartmentCare, personRef(k.personID, f), k.sealed[i])
			if err != nil {
				return nil, fmt.Errorf("find cases by identity: %w", err)
			}
			if haven.NormalizeIdentity(f, string(pt)) != haven.NormalizeIdentity(f, q.Field(f)) {
				match = false
				break
			}
		}
		if match {
			cases = append(cases, k.c)
		}
	}
	if err := db.loadChildren(ctx, db.readQuery, cases); err != nil {
		return nil, fmt.Errorf("find cases by identity: %w", err)
	}
	return cases, nil
}

// scanWith scans a row into a case's columns, then into extra.
type scanWith struct {
	rows  *sql.Rows
	extra []any
}

func (s scanWith) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }
