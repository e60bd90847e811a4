package lifecycle

import (
	"slices"
	"time"
)

// Apply returns the case state after an accepted outcome: the new state and
// the facts the event recorded. It is the one fold of the lifecycle: the
// store applies stored outcomes in order to get a case's state, and the
// tests do the same. cs is not modified; Cooperation is carried over
// untouched.
func Apply(cs CaseState, o Outcome) CaseState {
	n := cs.Clone()
	if o.To != "" && o.To != n.State {
		n.State = o.To
		n.StateSince = o.At
	}
	switch o.Event {
	case AppointGuardian:
		n.GuardianAt = o.At
	case RecordBestInterests:
		n.BestInterestsAt = o.At
	case RecordAgeAssessment:
		n.AgeAssessedAt = o.At
		if o.Decision != nil {
			n.Child = o.Decision.Outcome == Child
		}
	case RecordRiskAssessment:
		n.RiskAssessmentAt = o.At
	case RecordReintegrationPlan:
		n.ReintegrationPlanAt = o.At
	case RecordReturnWish:
		n.WishesToReturn = true
	case WithdrawReturnWish:
		n.WishesToReturn = false
	case RecordAsylumClaim:
		n.AsylumPending = true
	case RecordAsylumDecided:
		n.AsylumPending = false
	case ReportMissing:
		n.MissingSince = o.At
	case ReportFound:
		n.MissingSince = time.Time{}
	case RecordDetention:
		n.DetainedSince = o.At
	case RecordRelease:
		n.DetainedSince = time.Time{}
	case RecordRemoval:
		n.RemovedAt = o.At
	}
	for _, e := range o.Effects {
		switch e.Kind {
		case EffectReflectionGranted:
			// A period is never shortened by a later grant.
			if !n.Reflection.Runs(o.At) || o.Reflection.Until.After(n.Reflection.Until) {
				n.Reflection = o.Reflection
			}
		case EffectReviewOpened:
			if o.Review != nil {
				n.Review = *o.Review
				n.Review.Against = slices.Clone(o.Review.Against)
			}
		case EffectReviewDecided:
			n.Review.Open = false
			n.Review.Ended = o.At
		case EffectReviewWithdrawn:
			n.Review.Open = false
			n.Review.Ended = o.At
			n.Review.Withdrawn = true
		case EffectIdentified:
			n.IdentifiedAt = o.At
		case EffectCaseClosed:
			n.ClosureReason = o.ClosureReason
		}
	}
	return n
}
