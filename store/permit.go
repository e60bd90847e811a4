package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

var _ haven.PermitService = (*DB)(nil)

// permitFields are the identifying fields a permit request carries, in
// column order.
var permitFields = []string{"given_name", "family_name", "date_of_birth", "document_number"}

func permitRef(id, field string) haven.FieldRef {
	return haven.FieldRef{Table: "permit_requests", RecordID: id, Field: field}
}

var errNoPermitConsent = haven.Errorf(haven.EFORBIDDEN,
	"The survivor has not consented to a residence-permit request; record her consent first (GR 38 §79).")

// RequestPermit sends a case's residence-permit request to the
// immigration compartment: the person's names, date of birth, nationality
// and document number, re-sealed under the immigration keyset, and nothing
// else. It needs the survivor's consent for that purpose and never reads
// whether she cooperates with criminal proceedings (GR 38 §92, §98b).
func (db *DB) RequestPermit(ctx context.Context, caseID string, kind haven.PermitKind) (*haven.PermitRequest, error) {
	if !slices.Contains(haven.PermitKinds, kind) {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
			Fields: []haven.FieldError{{Field: "kind", Reason: fmt.Sprintf("must be one of %v", haven.PermitKinds)}}}
	}
	c, err := db.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("request permit: %w", err)
	}
	consents, err := db.ListConsents(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("request permit: %w", err)
	}
	now := db.Now()
	consented := slices.ContainsFunc(consents, func(k *haven.Consent) bool {
		return k.Purpose == haven.PurposeResidencePermit && k.InForce(now) && slices.Contains(k.Scope, haven.ScopeIdentity)
	})
	if !consented {
		return nil, errNoPermitConsent
	}
	person, err := db.FindPersonByCaseID(ctx, caseID)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil, haven.Errorf(haven.EINVALID, "A permit request needs the person's identity; the case has none recorded.")
	} else if err != nil {
		return nil, fmt.Errorf("request permit: %w", err)
	}
	p := &haven.PermitRequest{
		ID: newID(), Reference: newReference(), Kind: kind, GivenName: person.GivenName, FamilyName: person.FamilyName,
		DateOfBirth: person.DateOfBirth, Nationality: c.Victim.Nationality, DocumentNumber: person.DocumentNumber,
		Status: haven.PermitPending, RequestedAt: now,
	}
	sealed := make([][]byte, len(permitFields))
	for i, f := range permitFields {
		v := permitField(p, f)
		if *v == "" {
			continue
		}
		if sealed[i], err = db.vault.Seal(ctx, haven.CompartmentImmigration, permitRef(p.ID, f), []byte(*v)); err != nil {
			return nil, fmt.Errorf("request permit: %w", err)
		}
	}
	logEntry, err := db.auditEvent(haven.WithPurpose(ctx, haven.PurposeResidence), "permit.request", audit.KindCase, caseID, haven.AuditAllowed)
	if err != nil {
		return nil, fmt.Errorf("request permit: %w", err)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO permit_requests (id, reference, kind, given_name_enc, family_name_enc, date_of_birth_enc,
			nationality, document_number_enc, status, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Reference, string(p.Kind), sealed[0], sealed[1], sealed[2], p.Nationality, sealed[3], p.Status, p.RequestedAt); err != nil {
			return mapError(err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_permit_requests (case_id, permit_id) VALUES (?, ?)`, caseID, p.ID); err != nil {
			return mapError(err)
		}
		return tx.logWrite(ctx, logEntry)
	})
	if err != nil {
		return nil, fmt.Errorf("request permit: %w", err)
	}
	return p, nil
}

func permitField(p *haven.PermitRequest, f string) *string {
	switch f {
	case "given_name":
		return &p.GivenName
	case "family_name":
		return &p.FamilyName
	case "date_of_birth":
		return &p.DateOfBirth
	case "document_number":
		return &p.DocumentNumber
	}
	return nil
}

const permitColumns = `p.id, p.reference, p.kind, p.given_name_enc, p.family_name_enc, p.date_of_birth_enc, p.nationality,
	p.document_number_enc, p.status, p.requested_at, p.decided_at, p.valid_until`

// scanPermit reads a permit request and opens its fields with the
// immigration keyset only.
func (db *DB) scanPermit(ctx context.Context, s interface{ Scan(...any) error }) (*haven.PermitRequest, error) {
	var (
		p       haven.PermitRequest
		sealed  = make([][]byte, len(permitFields))
		decided sql.NullTime
	)
	if err := s.Scan(&p.ID, &p.Reference, &p.Kind, &sealed[0], &sealed[1], &sealed[2], &p.Nationality, &sealed[3],
		&p.Status, &p.RequestedAt, &decided, &p.ValidUntil); err != nil {
		return nil, err
	}
	if decided.Valid {
		t := decided.Time
		p.DecidedAt = &t
	}
	for i, f := range permitFields {
		if sealed[i] == nil {
			continue
		}
		pt, err := db.vault.Open(ctx, haven.CompartmentImmigration, permitRef(p.ID, f), sealed[i])
		if err != nil {
			return nil, err
		}
		*permitField(&p, f) = string(pt)
	}
	return &p, nil
}

// ListPermitRequests returns the requests with the given status (all if
// empty), oldest first.
func (db *DB) ListPermitRequests(ctx context.Context, status string) ([]*haven.PermitRequest, error) {
	q, args := `SELECT `+permitColumns+` FROM permit_requests p`, []any{}
	if status != "" {
		if !slices.Contains([]string{haven.PermitPending, haven.PermitGranted, haven.PermitRefused}, status) {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
				Fields: []haven.FieldError{{Field: "status", Reason: "must be pending, granted or refused"}}}
		}
		q += ` WHERE p.status = ?`
		args = append(args, status)
	}
	return db.queryPermits(ctx, q+` ORDER BY p.id`, args...)
}

func (db *DB) queryPermits(ctx context.Context, q string, args ...any) ([]*haven.PermitRequest, error) {
	rows, err := db.readQuery(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list permit requests: %w", mapError(err))
	}
	defer rows.Close()
	out := []*haven.PermitRequest{}
	for rows.Next() {
		p, err := db.scanPermit(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("list permit requests: %w", err)
		}
		out = append(out, p)
	}
	return out, mapError(rows.Err())
}

// FindPermitRequest returns one request.
func (db *DB) FindPermitRequest(ctx context.Context, id string) (*haven.PermitRequest, error) {
	p, err := db.scanPermit(ctx, db.readRow(ctx, `SELECT `+permitColumns+` FROM permit_requests p WHERE p.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find permit request: %w", mapError(err))
	}
	return p, nil
}

// DecidePermit records the immigration authority's decision on a pending
// request.
func (db *DB) DecidePermit(ctx context.Context, id string, d haven.PermitDecision) (*haven.PermitRequest, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	logEntry, err := db.auditEvent(haven.WithPurpose(ctx, haven.PurposeResidence), "permit.decide", "permit", id, haven.AuditAllowed)
	if err != nil {
		return nil, fmt.Errorf("decide permit: %w", err)
	}
	now := db.Now()
	var n int64
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE permit_requests SET status = ?, decided_at = ?, valid_until = ? WHERE id = ? AND status = ?`,
			d.Status, now, d.ValidUntil, id, haven.PermitPending)
		if err != nil {
			return fmt.Errorf("decide permit: %w", mapError(err))
		}
		if n, _ = res.RowsAffected(); n != 1 {
			return nil
		}
		return tx.logWrite(ctx, logEntry)
	})
	if err != nil {
		return nil, err
	}
	if n != 1 {
		if _, err := db.FindPermitRequest(ctx, id); err != nil {
			return nil, err
		}
		return nil, haven.Errorf(haven.ECONFLICT, "The request was already decided.")
	}
	return db.FindPermitRequest(ctx, id)
}

// CasePermitRequests returns the requests made for a case (care side).
func (db *DB) CasePermitRequests(ctx context.Context, caseID string) ([]*haven.PermitRequest, error) {
	return db.queryPermits(ctx, `SELECT `+permitColumns+` FROM permit_requests p
		JOIN case_permit_requests cp ON cp.permit_id = p.id WHERE cp.case_id = ? ORDER BY p.id`, caseID)
}
