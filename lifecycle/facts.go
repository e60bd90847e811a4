package lifecycle

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven"
)

// Facts is everything a guard or an alert may read about a case. The caller
// builds it from stored records with FactsOf. Zero times mean "not yet".
//
// Facts has no field about cooperation with criminal proceedings, and must
// never get one: assistance, the reflection period and residence are not
// conditional on it (GR 38 §92, §98(b)). See CaseState and Cooperation.
type Facts struct {
	State haven.LifecycleState `json:"state"`
	// StateSince is when the case entered State; time limits run from it.
	StateSince time.Time `json:"state_since"`
	// OpenedAt is when the case was opened; the guardian's time limit runs
	// from it.
	OpenedAt time.Time `json:"opened_at"`

	// Child is haven.VictimContext.TreatedAsChild: under 18, or of unknown
	// or disputed age (GR 38 §96). The caller refreshes it from the case
	// before every Fire; Apply sets it from an age assessment's finding.
	Child bool `json:"treated_as_child"`
	// ReferralConsent tells whether a consent for an assistance referral is
	// in force (GR 38 §79). The caller refreshes it from the consent records.
	ReferralConsent bool `json:"referral_consent"`

	GuardianAt          time.Time `json:"guardian_appointed_at,omitzero"`
	BestInterestsAt     time.Time `json:"best_interests_at,omitzero"`
	AgeAssessedAt       time.Time `json:"age_assessed_at,omitzero"`
	RiskAssessmentAt    time.Time `json:"risk_assessment_at,omitzero"`
	ReintegrationPlanAt time.Time `json:"reintegration_plan_at,omitzero"`

	// Reflection is the reflection and recovery period granted at
	// reasonable grounds; it runs by the clock whatever the state.
	Reflection Period `json:"reflection,omitzero"`
	// IdentifiedAt is when she was identified (conclusive decision or a
	// review overturning a negative one); it stays set after closure.
	IdentifiedAt time.Time `json:"identified_at,omitzero"`
	// Review is the review of the last negative decision, open or decided.
	Review Review `json:"review,omitzero"`

	// WishesToReturn records that the survivor (for a child: her view and
	// her guardian) asked for a voluntary return (GR 38 §91).
	WishesToReturn bool      `json:"wishes_to_return"`
	AsylumPending  bool      `json:"asylum_pending"`
	MissingSince   time.Time `json:"missing_since,omitzero"`
	DetainedSince  time.Time `json:"detained_since,omitzero"`
	RemovedAt      time.Time `json:"removed_at,omitzero"`

	ClosureReason string `json:"closure_reason,omitempty"`
}

// Period is a span of time [From, Until).
type Period struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// Runs tells whether the period has begun and not ended at t.
func (p Period) Runs(t time.Time) bool {
	return !p.From.IsZero() && !t.Before(p.From) && t.Before(p.Until)
}

// Review is the independent review of a negative decision.
type Review struct {
	// Of is the kind of the decision under review.
	Of       DecisionKind `json:"of"`
	Open     bool         `json:"open"`
	OpenedAt time.Time    `json:"opened_at"`
	// Ended is when the panel decided, or when the case was closed by her
	// withdrawal or return while the review was open (then Withdrawn).
	Ended     time.Time `json:"ended_at,omitzero"`
	Withdrawn bool      `json:"withdrawn,omitempty"`
	// Reconsideration marks a review reopened at the request of a first
	// responder or advocate.
	Reconsideration bool `json:"reconsideration,omitempty"`
	// Against lists the user ids of the members of the decision under
	// review: none of them may sit on the panel.
	Against []string `json:"against,omitempty"`
}

// Cooperation is what is known of the survivor's cooperation with criminal
// proceedings. It belongs to the criminal-justice track, which she opts into
// (DESIGN.md "parallel tracks"). CaseState carries it so that the caller
// stores one record, but FactsOf drops it: no guard can read it.
type Cooperation struct {
	Status             CooperationStatus `json:"status"`
	AskedAt            time.Time         `json:"asked_at,omitzero"`
	AnsweredAt         time.Time         `json:"answered_at,omitzero"`
	ProceedingsOpened  bool              `json:"proceedings_opened,omitempty"`
	StatementGivenAt   time.Time         `json:"statement_given_at,omitzero"`
	TestifiedAt        time.Time         `json:"testified_at,omitzero"`
	ConvictionObtained bool              `json:"conviction_obtained,omitempty"`
}

// CooperationStatus is where the survivor stands towards criminal
// proceedings.
type CooperationStatus string

// The cooperation statuses.
const (
	CooperationNotAsked    CooperationStatus = "not_asked"
	CooperationConsidering CooperationStatus = "considering"
	CooperationCooperating CooperationStatus = "cooperating"
	CooperationDeclined    CooperationStatus = "declined"
	CooperationWithdrawn   CooperationStatus = "withdrawn"
	CooperationUnable      CooperationStatus = "unable"
)

// CooperationStatuses lists every status.
var CooperationStatuses = []CooperationStatus{
	CooperationNotAsked, CooperationConsidering, CooperationCooperating,
	CooperationDeclined, CooperationWithdrawn, CooperationUnable,
}

// CaseState is the lifecycle record the caller stores for a case: the facts
// guards read, and beside them the data no guard may read.
type CaseState struct {
	Facts
	Cooperation Cooperation `json:"cooperation"`
}

// FactsOf returns what guards and alerts may read of a case: everything but
// its cooperation with criminal proceedings (GR 38 §92, §98(b)).
func FactsOf(cs CaseState) Facts {
	return cs.Facts.clone()
}

// NewCaseState returns the lifecycle record of a case as it stands: its
// state, whether she is treated as a child, and when it was opened. Facts
// recorded before the lifecycle was kept (a guardian, an assessment) are
// not known and must be added by the caller.
func NewCaseState(c *haven.Case) CaseState {
	state := c.State
	if state == "" {
		state = haven.StateEncountered
	}
	return CaseState{
		Facts: Facts{
			State:         state,
			StateSince:    c.UpdatedAt,
			OpenedAt:      c.CreatedAt,
			Child:         c.Victim.TreatedAsChild(),
			ClosureReason: c.ClosureReason,
		},
		Cooperation: Cooperation{Status: CooperationNotAsked},
	}
}

// clone returns a copy that shares no memory with f.
func (f Facts) clone() Facts {
	f.Review.Against = slices.Clone(f.Review.Against)
	return f
}

// Clone returns a copy that shares no memory with cs.
func (cs CaseState) Clone() CaseState {
	cs.Facts = cs.Facts.clone()
	return cs
}

// pendingStates are the states in which identification is pending: from
// the encounter until the conclusive decision (GR 38 §87(d), §92).
var pendingStates = []haven.LifecycleState{
	haven.StateEncountered, haven.StateScreening, haven.StateReferred,
	haven.StatePresumedVictim, haven.StateReflectionPeriod,
}

// IdentificationPending tells whether identification is still to be decided:
// before the conclusive decision, or while a review of a negative decision
// is open.
func (f Facts) IdentificationPending() bool {
	return slices.Contains(pendingStates, f.State) || f.Review.Open
}

// Missing tells whether she is reported missing.
func (f Facts) Missing() bool { return !f.MissingSince.IsZero() }

// Detained tells whether she is recorded as detained.
func (f Facts) Detained() bool { return !f.DetainedSince.IsZero() }

// Identified tells whether she was ever identified as a victim.
func (f Facts) Identified() bool { return !f.IdentifiedAt.IsZero() }
