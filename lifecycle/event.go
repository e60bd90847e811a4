package lifecycle

import "slices"

// Event is something that happens to a case. Transitions move the case to
// another LifecycleState; the other events record a fact that guards read
// (a guardian appointed, a risk assessment made) and leave the state as it is.
type Event string

// Transitions: events that change the case's LifecycleState.
const (
	StartScreening Event = "start_screening"
	Refer          Event = "refer"

	ReasonableGroundsPositive Event = "reasonable_grounds_positive"
	ReasonableGroundsNegative Event = "reasonable_grounds_negative"
	// StartReflection records that the survivor was told of her reflection
	// and recovery period and of her rights, and her recovery support began.
	// The period itself was granted by the reasonable-grounds decision and
	// runs from it.
	StartReflection    Event = "start_reflection"
	ConclusivePositive Event = "conclusive_positive"
	ConclusiveNegative Event = "conclusive_negative"

	// A negative decision opens a review by an independent panel. Overturning
	// a reasonable-grounds decision makes her a presumed victim; overturning a
	// conclusive one identifies her.
	ReviewUpheld                      Event = "review_upheld"
	ReviewOverturnedReasonableGrounds Event = "review_overturned_reasonable_grounds"
	ReviewOverturnedConclusive        Event = "review_overturned_conclusive"

	StartAssistance Event = "start_assistance"

	CloseIntegrated  Event = "close_integrated"
	CloseReturned    Event = "close_returned"
	CloseTransferred Event = "close_transferred"
	CloseWithdrawn   Event = "close_withdrawn"
)

// Recorded facts: events that leave the LifecycleState as it is.
const (
	// RequestReconsideration reopens the review of a negative decision at
	// the request of a first responder or the survivor's advocate.
	RequestReconsideration Event = "request_reconsideration"

	AppointGuardian         Event = "appoint_guardian"
	RecordBestInterests     Event = "record_best_interests"
	RecordAgeAssessment     Event = "record_age_assessment"
	RecordRiskAssessment    Event = "record_risk_assessment"
	RecordReintegrationPlan Event = "record_reintegration_plan"
	RecordReturnWish        Event = "record_return_wish"
	WithdrawReturnWish      Event = "withdraw_return_wish"
	RecordAsylumClaim       Event = "record_asylum_claim"
	RecordAsylumDecided     Event = "record_asylum_decided"
	RequestResidencePermit  Event = "request_residence_permit"
	ReportMissing           Event = "report_missing"
	ReportFound             Event = "report_found"
	RecordDetention         Event = "record_detention"
	RecordRelease           Event = "record_release"
	RecordRemoval           Event = "record_removal"
)

// Events lists every event in the order of the table.
func Events() []Event { return slices.Clone(events) }

// events is every event of the table, once, in table order.
var events = func() []Event {
	var out []Event
	for _, r := range table {
		if !slices.Contains(out, r.event) {
			out = append(out, r.event)
		}
	}
	return out
}()

// closureReason is the closure reason (vocabulary.yaml closure_reasons) each
// closing event records on the case.
var closureReason = map[Event]string{
	CloseIntegrated:  "integrated",
	CloseReturned:    "returned",
	CloseTransferred: "transferred",
	CloseWithdrawn:   "withdrawn",
}
