package haven

import (
	"context"
	"slices"
	"time"
)

// PermitKind is what a residence-permit request asks for (GR 38 §92).
type PermitKind string

const (
	PermitReflection PermitKind = "reflection_period"
	PermitTemporary  PermitKind = "temporary_residence"
	PermitPermanent  PermitKind = "permanent_residence"
)

// PermitKinds lists every kind.
var PermitKinds = []PermitKind{PermitReflection, PermitTemporary, PermitPermanent}

// Permit request statuses.
const (
	PermitPending = "pending"
	PermitGranted = "granted"
	PermitRefused = "refused"
)

// PermitRequest is what the immigration authority sees: the minimum to
// decide a residence permit and nothing else (GR 38 §54c, §83, §92). It
// lives in the immigration compartment, under the immigration keyset, and
// carries no link to the case: only the care side knows which case asked.
type PermitRequest struct {
	ID             string     `json:"id"`
	Reference      string     `json:"reference"`
	Kind           PermitKind `json:"kind"`
	GivenName      string     `json:"given_name"`
	FamilyName     string     `json:"family_name"`
	DateOfBirth    string     `json:"date_of_birth"`
	Nationality    string     `json:"nationality"`
	DocumentNumber string     `json:"document_number,omitempty"`
	Status         string     `json:"status"`
	RequestedAt    time.Time  `json:"requested_at"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	ValidUntil     Date       `json:"valid_until,omitzero"`
}

// PermitDecision is the immigration authority's answer.
type PermitDecision struct {
	Status     string `json:"status"`
	ValidUntil Date   `json:"valid_until"`
}

// Validate checks a decision.
func (d *PermitDecision) Validate() error {
	var v Validation
	if !slices.Contains([]string{PermitGranted, PermitRefused}, d.Status) {
		v.Add("status", "must be granted or refused")
	}
	if d.Status == PermitGranted && d.ValidUntil.IsZero() {
		v.Add("valid_until", "is required when a permit is granted")
	}
	if d.Status == PermitRefused && !d.ValidUntil.IsZero() {
		v.Add("valid_until", "only a granted permit has a validity")
	}
	return v.Err()
}

// PermitService keeps residence-permit requests. The care side creates
// them from a case; the immigration side lists and decides them.
type PermitService interface {
	RequestPermit(ctx context.Context, caseID string, kind PermitKind) (*PermitRequest, error)
	ListPermitRequests(ctx context.Context, status string) ([]*PermitRequest, error)
	FindPermitRequest(ctx context.Context, id string) (*PermitRequest, error)
	DecidePermit(ctx context.Context, id string, d PermitDecision) (*PermitRequest, error)
	// CasePermitRequests returns the requests made for a case, for the
	// care side only.
	CasePermitRequests(ctx context.Context, caseID string) ([]*PermitRequest, error)
}
