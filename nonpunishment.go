package haven

import (
	"context"
	"strings"
	"time"
)

// NonPunishmentFinding records that a trafficked person is not to be
// punished for offences she was compelled to commit (GR 38 §98): the
// finding, and the offences it concerns, from which Haven produces the
// statement that supports clearing her criminal record (§98c).
type NonPunishmentFinding struct {
	ID                string    `json:"id"`
	CaseID            string    `json:"case_id"`
	Number            int       `json:"number"`
	DecidedOn         Date      `json:"decided_on"`
	DecidedBy         string    `json:"decided_by"`
	DecisionReference string    `json:"decision_reference,omitempty"`
	Offences          []Offence `json:"offences"`
	NationalProvision string    `json:"national_provision,omitempty"`
	CreatedBy         string    `json:"created_by"`
	CreatedAt         time.Time `json:"created_at"`
}

// Offence is one offence a non-punishment finding concerns, as the
// criminal record writes it.
type Offence struct {
	Description  string `json:"description"`
	Jurisdiction string `json:"jurisdiction"`
	Date         Date   `json:"date"`
	RecordNumber string `json:"record_number"`
}

// MaxOffences bounds one finding.
const MaxOffences = 50

// Validate checks a finding.
func (f *NonPunishmentFinding) Validate(now time.Time) error {
	var v Validation
	if f.DecidedOn.IsZero() {
		v.Add("decided_on", "is required")
	} else if f.DecidedOn.After(now) {
		v.Add("decided_on", "cannot be in the future")
	}
	text := func(field, s string, max int, required bool) {
		switch {
		case required && strings.TrimSpace(s) == "":
			v.Add(field, "is required")
		case len(s) > max:
			v.Addf(field, "must be at most %d characters", max)
		}
	}
	text("decided_by", f.DecidedBy, 200, true)
	text("decision_reference", f.DecisionReference, 100, false)
	text("national_provision", f.NationalProvision, 500, false)
	if len(f.Offences) == 0 {
		v.Add("offences", "must list at least one offence")
	} else if len(f.Offences) > MaxOffences {
		v.Addf("offences", "must list at most %d offences", MaxOffences)
	}
	for i, o := range f.Offences {
		p := fieldIndex("offences", i)
		text(p+".description", o.Description, 500, true)
		text(p+".jurisdiction", o.Jurisdiction, 200, true)
		text(p+".record_number", o.RecordNumber, 100, true)
		if o.Date.IsZero() {
			v.Add(p+".date", "is required")
		} else if o.Date.After(now) {
			v.Add(p+".date", "cannot be in the future")
		}
	}
	return v.Err()
}

// NonPunishmentService keeps non-punishment findings.
type NonPunishmentService interface {
	RecordNonPunishment(ctx context.Context, f *NonPunishmentFinding) error
	ListNonPunishment(ctx context.Context, caseID string) ([]*NonPunishmentFinding, error)
}
