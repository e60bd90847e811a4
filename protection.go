package haven

import (
	"context"
	"slices"
	"time"
)

// ProtectionKind is an international-protection procedure a survivor may
// pursue beside identification (GR 38 §87(a)-(b), §88).
type ProtectionKind string

const (
	ProtectionAsylum        ProtectionKind = "asylum"
	ProtectionStatelessness ProtectionKind = "statelessness"
)

// ProtectionKinds lists every kind.
var ProtectionKinds = []ProtectionKind{ProtectionAsylum, ProtectionStatelessness}

// Protection procedure statuses.
const (
	ProtectionPending = "pending"
	ProtectionGranted = "granted"
	ProtectionRefused = "refused"
)

// ProtectionProcedure is an asylum or statelessness procedure on a case.
// Both can run at once, and while one is pending no removal is recorded.
type ProtectionProcedure struct {
	ID        string         `json:"id"`
	CaseID    string         `json:"case_id"`
	Kind      ProtectionKind `json:"kind"`
	Status    string         `json:"status"`
	LodgedOn  Date           `json:"lodged_on"`
	DecidedOn Date           `json:"decided_on,omitzero"`
	CreatedAt time.Time      `json:"created_at"`
}

// Validate checks a new procedure.
func (p *ProtectionProcedure) Validate(now time.Time) error {
	var v Validation
	if !slices.Contains(ProtectionKinds, p.Kind) {
		v.Addf("kind", "must be one of %v", ProtectionKinds)
	}
	if p.LodgedOn.IsZero() {
		v.Add("lodged_on", "is required")
	} else if p.LodgedOn.After(now) {
		v.Add("lodged_on", "cannot be in the future")
	}
	return v.Err()
}

// ProtectionDecision closes a procedure.
type ProtectionDecision struct {
	Status    string `json:"status"`
	DecidedOn Date   `json:"decided_on"`
}

// Validate checks a decision.
func (d *ProtectionDecision) Validate(p *ProtectionProcedure, now time.Time) error {
	var v Validation
	if d.Status != ProtectionGranted && d.Status != ProtectionRefused {
		v.Add("status", "must be granted or refused")
	}
	switch {
	case d.DecidedOn.IsZero():
		v.Add("decided_on", "is required")
	case d.DecidedOn.After(now):
		v.Add("decided_on", "cannot be in the future")
	case d.DecidedOn.Before(p.LodgedOn.Time):
		v.Add("decided_on", "cannot be before the procedure was lodged")
	}
	return v.Err()
}

// ProtectionService keeps protection procedures.
type ProtectionService interface {
	RecordProtection(ctx context.Context, p *ProtectionProcedure) error
	DecideProtection(ctx context.Context, caseID, id string, d ProtectionDecision) (*ProtectionProcedure, error)
	ListProtection(ctx context.Context, caseID string) ([]*ProtectionProcedure, error)
}
