package lifecycle

import (
	"slices"
	"strings"

	"github.com/haven-nrm/haven"
)

// DecisionKind is what a multidisciplinary decision decides.
type DecisionKind string

// The decision kinds.
const (
	KindReasonableGrounds DecisionKind = "reasonable_grounds"
	KindConclusive        DecisionKind = "conclusive"
	// KindReview is the decision of the independent panel on a negative
	// decision: positive overturns it, negative upholds it.
	KindReview DecisionKind = "review"
	// KindAgeAssessment is an age assessment, a measure of last resort
	// (GR 38 §96); its finding is adult or child.
	KindAgeAssessment DecisionKind = "age_assessment"
)

// Finding is what a decision found.
type Finding string

// The findings. Identification decisions and reviews are positive or
// negative (for a review: positive overturns, negative upholds); an age
// assessment finds adult or child.
const (
	Positive Finding = "positive"
	Negative Finding = "negative"
	Adult    Finding = "adult"
	Child    Finding = "child"
)

// Member is one member of a multidisciplinary team or review panel.
type Member struct {
	UserID string       `json:"user_id"`
	Role   haven.Role   `json:"role"`
	Sector haven.Sector `json:"sector"`
}

// Decision is the record of a multidisciplinary decision (GR 38 §78): who
// took it, from which sectors, why, and on what evidence.
type Decision struct {
	Kind    DecisionKind `json:"kind"`
	Outcome Finding      `json:"outcome"`
	Members []Member     `json:"members"`
	Reasons string       `json:"reasons"`
	// Evidence lists what the decision rests on: references to records,
	// documents or interviews, not their content.
	Evidence []string `json:"evidence"`
	// LastResort is, for an age assessment only, why no other way to
	// establish her age was available (GR 38 §96).
	LastResort string `json:"last_resort,omitempty"`
}

// Limits that keep one decision record from filling the database.
const (
	MaxMembers        = 30
	MaxEvidence       = 100
	MaxEvidenceLength = 500
)

// enforcementRoles and enforcementSectors may sit on a team but never make
// a decision alone (GR 38 §78).
var (
	enforcementRoles   = []haven.Role{haven.RoleLawEnforcement, haven.RoleProsecutor, haven.RoleImmigration}
	enforcementSectors = []haven.Sector{haven.SectorPolice, haven.SectorProsecution, haven.SectorImmigration}
)

// Enforcement tells whether a member is from law enforcement, prosecution
// or immigration, by role or by sector.
func (m Member) Enforcement() bool {
	return slices.Contains(enforcementRoles, m.Role) || slices.Contains(enforcementSectors, m.Sector)
}

// findings lists the findings each kind accepts.
var findings = map[DecisionKind][]Finding{
	KindReasonableGrounds: {Positive, Negative},
	KindConclusive:        {Positive, Negative},
	KindReview:            {Positive, Negative},
	KindAgeAssessment:     {Adult, Child},
}

// ValidateDecision checks a decision record on its own: a known kind and
// finding, members of at least two sectors and not all from law enforcement
// or immigration, reasons and evidence (GR 38 §78), and for an age
// assessment the justification that it is a last resort (§96). It returns a
// *Refusal with code EINVALID naming the first rule broken and listing every
// bad field. Whether a review panel is independent of the decision under
// review depends on the case: Fire checks it.
func ValidateDecision(d Decision) error {
	var first *Rule
	var v haven.Validation
	bad := func(r *Rule, field, reason string) {
		if first == nil {
			first = r
		}
		v.Add(field, reason)
	}

	allowed, ok := findings[d.Kind]
	if !ok {
		bad(ruleDecisionKind, "decision.kind", "must be one of reasonable_grounds, conclusive, review, age_assessment")
	} else if !slices.Contains(allowed, d.Outcome) {
		bad(ruleDecisionOutcome, "decision.outcome", "must be one of "+joinFindings(allowed))
	}

	if len(d.Members) > MaxMembers {
		bad(ruleDecisionMembers, "decision.members", "must list at most 30 members")
	}
	seen := map[string]bool{}
	sectors := map[haven.Sector]bool{}
	enforcementOnly := true
	for i, m := range d.Members {
		field := "decision.members[" + itoa(i) + "]"
		switch {
		case strings.TrimSpace(m.UserID) == "":
			bad(ruleDecisionMembers, field+".user_id", "is required")
		case seen[m.UserID]:
			bad(ruleDecisionMembers, field+".user_id", "is listed twice")
		}
		seen[m.UserID] = true
		if !slices.Contains(haven.Roles, m.Role) {
			bad(ruleDecisionMembers, field+".role", "must be a known role")
		}
		if !slices.Contains(haven.Sectors, m.Sector) {
			bad(ruleDecisionMembers, field+".sector", "must be a known sector")
		}
		sectors[m.Sector] = true
		enforcementOnly = enforcementOnly && m.Enforcement()
	}
	if len(sectors) < 2 {
		bad(ruleTwoSectors, "decision.members", "must come from at least two sectors (GR 38 §78)")
	}
	if len(d.Members) > 0 && enforcementOnly {
		bad(ruleNotEnforcementAlone, "decision.members", "cannot all be law enforcement or immigration (GR 38 §78)")
	}

	if strings.TrimSpace(d.Reasons) == "" {
		bad(ruleDecisionReasons, "decision.reasons", "is required (GR 38 §78)")
	} else if len(d.Reasons) > haven.MaxNoteLength {
		bad(ruleDecisionReasons, "decision.reasons", "is too long")
	}
	if len(d.Evidence) == 0 {
		bad(ruleDecisionEvidence, "decision.evidence", "must name at least one record the decision rests on (GR 38 §78)")
	} else if len(d.Evidence) > MaxEvidence {
		bad(ruleDecisionEvidence, "decision.evidence", "must list at most 100 items")
	}
	for i, e := range d.Evidence {
		if strings.TrimSpace(e) == "" || len(e) > MaxEvidenceLength {
			bad(ruleDecisionEvidence, "decision.evidence["+itoa(i)+"]", "must be a reference of 1 to 500 characters")
		}
	}

	if d.Kind == KindAgeAssessment {
		if strings.TrimSpace(d.LastResort) == "" {
			bad(ruleAgeLastResort, "decision.last_resort", "must say why an age assessment is the last resort (GR 38 §96)")
		} else if len(d.LastResort) > haven.MaxNoteLength {
			bad(ruleAgeLastResort, "decision.last_resort", "is too long")
		}
	} else if d.LastResort != "" {
		bad(ruleDecisionKind, "decision.last_resort", "is only recorded for an age assessment")
	}

	if first == nil {
		return nil
	}
	return refuse(first, first.Message, haven.ErrorFields(v.Err())...)
}

// clone returns a copy of d that shares no memory with it.
func (d *Decision) clone() *Decision {
	if d == nil {
		return nil
	}
	c := *d
	c.Members = slices.Clone(d.Members)
	c.Evidence = slices.Clone(d.Evidence)
	return &c
}

// memberIDs returns the user ids of the decision's members.
func (d *Decision) memberIDs() []string {
	if d == nil {
		return nil
	}
	ids := make([]string, len(d.Members))
	for i, m := range d.Members {
		ids[i] = m.UserID
	}
	return ids
}

func joinFindings(fs []Finding) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}
