package haven

import (
	"context"
	"time"
)

// Screening is a stored screening (GR 38 §77-79): what the first responder
// observed and what the indicator catalogue suggested. It is recorded on a
// case only after the person's informed consent (for a child, her
// guardian's, with the child heard); when she declines, it is kept as an
// anonymous record with no link to any person.
type Screening struct {
	ID               string    `json:"id"`
	CaseID           string    `json:"case_id,omitempty"`
	Anonymous        bool      `json:"anonymous"`
	ConsentID        string    `json:"consent_id,omitempty"`
	CatalogueVersion string    `json:"catalogue_version"`
	CatalogueDigest  string    `json:"catalogue_digest"`
	List             string    `json:"list"`
	Age              string    `json:"age"`
	Outcome          string    `json:"outcome"`
	Answers          []byte    `json:"-"` // the answers as JSON; sealed at rest
	Result           []byte    `json:"-"` // the full result as JSON; sealed at rest
	CreatedBy        string    `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
}

// ScreeningService stores screenings.
type ScreeningService interface {
	// RecordScreening stores a screening on a case together with the
	// consent it rests on, in one transaction.
	RecordScreening(ctx context.Context, s *Screening, consent *Consent) error
	// RecordAnonymousScreening stores a screening linked to no one.
	RecordAnonymousScreening(ctx context.Context, s *Screening) error
	ListScreenings(ctx context.Context, caseID string) ([]*Screening, error)
}
