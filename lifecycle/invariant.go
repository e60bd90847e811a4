package lifecycle

import (
	"fmt"
	"slices"
	"time"

	"github.com/haven-nrm/haven"
)

// Step is one accepted event in a case's history: the case state it was
// fired on and its outcome. The state after it is Apply(Before, Outcome).
type Step struct {
	Before  CaseState `json:"before"`
	Outcome Outcome   `json:"outcome"`
}

// InvariantError reports a rule of DESIGN.md broken by a history.
type InvariantError struct {
	Step      int
	Event     Event
	Invariant string
	Detail    string
}

func (e *InvariantError) Error() string {
	return fmt.Sprintf("lifecycle invariant %q broken at step %d (%s): %s", e.Invariant, e.Step, e.Event, e.Detail)
}

// The invariants CheckInvariants checks.
const (
	InvContinuity        = "continuity"
	InvTable             = "table"
	InvNoRemovalPending  = "no_removal_during_reflection_or_pending_identification"
	InvReturnAssessed    = "no_return_without_assessment"
	InvMultidisciplinary = "no_decision_by_enforcement_alone"
	InvNegativeReviewed  = "every_negative_decision_reviewed"
	InvReviewIndependent = "review_panel_independent"
	InvReflectionLength  = "reflection_at_least_configured_days"
	InvChildNotDetained  = "child_never_detained"
	InvChildDurable      = "child_best_interests_before_durable_decision"
	InvGuardianAlert     = "child_without_guardian_has_alert"
	InvAdultConsent      = "adult_referred_with_consent"
	InvPresumedProtected = "presumed_victim_has_reflection_period"
)

// CheckInvariants checks a case's history against the rules of DESIGN.md,
// independently of the guards that should have enforced them: no removal
// during a reflection period or while identification is pending; no return
// without a risk and security assessment (for a child also a best-interests
// determination and a reintegration plan); no decision by law enforcement
// or immigration alone; every negative decision reviewed by a panel none of
// whose members took it; every reflection period at least the configured
// days; no child detained; no durable decision for a child without a
// best-interests determination; no child without a guardian past the limit
// without an overdue alert; no adult referred without consent. It returns
// an *InvariantError for the first broken rule, or nil.
func CheckInvariants(cfg Config, history []Step) error {
	minReflection := time.Duration(max(cfg.ReflectionDays, MinReflectionDays)) * 24 * time.Hour
	for i, s := range history {
		b, o := s.Before.Facts, s.Outcome
		a := Apply(s.Before, o).Facts
		fail := func(inv, format string, args ...any) error {
			return &InvariantError{Step: i, Event: o.Event, Invariant: inv, Detail: fmt.Sprintf(format, args...)}
		}

		// The history is one path through the table.
		if i > 0 {
			prev := history[i-1].Outcome
			if b.State != prev.To {
				return fail(InvContinuity, "fired in state %s, but the previous step left the case in %s", b.State, prev.To)
			}
			if o.At.Before(prev.At) {
				return fail(InvContinuity, "at %v, before the previous step at %v", o.At, prev.At)
			}
		}
		r, _ := rowFor(o.Event, b.State)
		if r == nil || o.From != b.State || !slices.Contains(r.roles, o.Actor.Role) ||
			(r.to != "" && o.To != r.to) || (r.to == "" && o.To != b.State) {
			return fail(InvTable, "%s by %s from %s to %s is not in the table", o.Event, o.Actor.Role, o.From, o.To)
		}

		// Removal and return (GR 38 §87(d), §89–92).
		if o.Event == RecordRemoval {
			if b.Reflection.Runs(o.At) {
				return fail(InvNoRemovalPending, "removal at %v during the reflection period %v–%v", o.At, b.Reflection.From, b.Reflection.Until)
			}
			if slices.Contains(pendingStates, b.State) || b.Review.Open {
				return fail(InvNoRemovalPending, "removal while identification is pending (state %s, review open %v)", b.State, b.Review.Open)
			}
			if !b.IdentifiedAt.IsZero() {
				return fail(InvNoRemovalPending, "removal of an identified victim")
			}
		}
		if o.Event == RecordRemoval || o.Event == CloseReturned {
			if b.RiskAssessmentAt.IsZero() {
				return fail(InvReturnAssessed, "return without a risk and security assessment")
			}
			if b.Child && (b.BestInterestsAt.IsZero() || b.ReintegrationPlanAt.IsZero()) {
				return fail(InvReturnAssessed, "a child returned without a best-interests determination and a reintegration plan")
			}
		}

		// Decisions (GR 38 §78).
		if r.decision != "" && o.Decision == nil {
			return fail(InvMultidisciplinary, "%s recorded without its decision record", o.Event)
		}
		if d := o.Decision; d != nil {
			sectors := map[haven.Sector]bool{}
			alone := true
			for _, m := range d.Members {
				sectors[m.Sector] = true
				enforcement := slices.Contains([]haven.Sector{haven.SectorPolice, haven.SectorProsecution, haven.SectorImmigration}, m.Sector) ||
					slices.Contains([]haven.Role{haven.RoleLawEnforcement, haven.RoleProsecutor, haven.RoleImmigration}, m.Role)
				alone = alone && enforcement
			}
			if len(sectors) < 2 {
				return fail(InvMultidisciplinary, "a decision by members of %d sector(s)", len(sectors))
			}
			if alone {
				return fail(InvMultidisciplinary, "a decision by law enforcement or immigration members alone")
			}
			if d.Kind == KindReview {
				if !b.Review.Open {
					return fail(InvNegativeReviewed, "a review decided when none was open")
				}
				for _, m := range d.Members {
					if slices.Contains(b.Review.Against, m.UserID) {
						return fail(InvReviewIndependent, "member %s of the decision under review sat on the panel", m.UserID)
					}
				}
			}
			if (d.Kind == KindReasonableGrounds || d.Kind == KindConclusive) && d.Outcome == Negative {
				if !a.Review.Open || a.Review.Of != d.Kind || !a.Review.OpenedAt.Equal(o.At) {
					return fail(InvNegativeReviewed, "a negative %s decision did not open a review", d.Kind)
				}
			}
		}
		if b.Review.Open && !a.Review.Open {
			decided := o.Decision != nil && o.Decision.Kind == KindReview
			withdrawn := a.State == haven.StateClosed && a.Review.Withdrawn &&
				(o.Event == CloseWithdrawn || o.Event == CloseReturned)
			if !decided && !withdrawn {
				return fail(InvNegativeReviewed, "an open review ended without a panel decision or her withdrawal")
			}
		}

		// Reflection and recovery period (GR 38 §92).
		if o.Has(EffectReflectionGranted) {
			if !o.Reflection.From.Equal(o.At) || o.Reflection.Until.Sub(o.Reflection.From) < minReflection {
				return fail(InvReflectionLength, "period %v–%v is shorter than %v or does not start at the decision", o.Reflection.From, o.Reflection.Until, minReflection)
			}
		}
		if b.Reflection.Runs(o.At) && a.Reflection.Until.Before(b.Reflection.Until) {
			return fail(InvReflectionLength, "a running reflection period was shortened")
		}
		if (a.State == haven.StatePresumedVictim || a.State == haven.StateReflectionPeriod) && a.Reflection.From.IsZero() {
			return fail(InvPresumedProtected, "a presumed victim without a reflection period")
		}

		// Children (GR 38 §96).
		if o.Event == RecordDetention && b.Child {
			return fail(InvChildNotDetained, "a child recorded as detained")
		}
		if b.Child && (o.To == haven.StateClosed && o.From != haven.StateClosed || o.Event == RecordRemoval) {
			if b.BestInterestsAt.IsZero() {
				return fail(InvChildDurable, "a durable decision (%s) for a child without a best-interests determination", o.Event)
			}
			if !b.MissingSince.IsZero() && o.Event != RecordRemoval {
				return fail(InvChildDurable, "a missing child's case closed")
			}
		}
		for _, x := range []Facts{b, a} {
			if x.Child && x.GuardianAt.IsZero() && x.State != haven.StateClosed &&
				!o.At.Before(x.OpenedAt.Add(cfg.GuardianWithin)) && !hasOverdue(Alerts(x, cfg, o.At), AlertGuardianDue) {
				return fail(InvGuardianAlert, "a child without a guardian past the limit and no overdue alert")
			}
		}

		// Consent (GR 38 §79).
		if o.Event == Refer && !b.Child && !b.ReferralConsent {
			return fail(InvAdultConsent, "an adult referred without her consent")
		}
	}
	return nil
}

func hasOverdue(alerts []Alert, rule string) bool {
	return slices.ContainsFunc(alerts, func(a Alert) bool { return a.Rule == rule && a.Overdue })
}
