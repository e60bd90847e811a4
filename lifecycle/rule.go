package lifecycle

import (
	"strconv"

	"github.com/haven-nrm/haven"
)

// Rule is one rule of the lifecycle. ID is stable (a translation key, what
// a test or an audit record refers to); Code is the haven error code of a
// refusal by the rule; Message names the rule and the paragraph of GR 38 it
// comes from, and is safe to show.
//
// Codes: EINVALID when the request itself is wrong (an unknown event, a bad
// decision record), EFORBIDDEN when the actor's role may not fire the event,
// ECONFLICT when the case's state or facts do not allow it now.
type Rule struct {
	ID      string `json:"id"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

var rules []*Rule

func rule(id, code, message string) *Rule {
	r := &Rule{ID: id, Code: code, Message: message}
	rules = append(rules, r)
	return r
}

// Rules lists every rule, in the order they are declared.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = *r
	}
	return out
}

// The rules. Messages are written for the person who fired the event; they
// never contain personal data.
var (
	// The table.
	ruleUnknownEvent   = rule("unknown_event", haven.EINVALID, "unknown lifecycle event")
	ruleRoleNotAllowed = rule("role_not_allowed", haven.EFORBIDDEN, "the event is for other roles")
	ruleNotFromState   = rule("not_from_state", haven.ECONFLICT, "the event cannot happen in the case's present state")

	// Decision records (GR 38 §78).
	ruleDecisionRequired    = rule("decision_required", haven.EINVALID, "this event needs its decision record: members and their sectors, reasons and evidence (GR 38 §78)")
	ruleDecisionUnexpected  = rule("decision_unexpected", haven.EINVALID, "this event takes no decision record")
	ruleDecisionKind        = rule("decision_kind", haven.EINVALID, "the decision record is not of the kind this event decides")
	ruleDecisionOutcome     = rule("decision_outcome", haven.EINVALID, "the decision record's outcome does not match the event")
	ruleDecisionMembers     = rule("decision_members", haven.EINVALID, "every member of a decision has a user id, a known role and a known sector, and sits once")
	ruleTwoSectors          = rule("decision_two_sectors", haven.EINVALID, "a decision needs members of at least two sectors (GR 38 §78)")
	ruleNotEnforcementAlone = rule("decision_not_enforcement_alone", haven.EINVALID, "a decision cannot be taken by law enforcement or immigration members alone (GR 38 §78)")
	ruleDecisionReasons     = rule("decision_reasons", haven.EINVALID, "a decision records its reasons (GR 38 §78)")
	ruleDecisionEvidence    = rule("decision_evidence", haven.EINVALID, "a decision records the evidence it rests on (GR 38 §78)")
	ruleReviewIndependent   = rule("review_independent", haven.EINVALID, "the review panel is independent: no member of the decision under review sits on it (GR 38 §78)")
	ruleAgeLastResort       = rule("age_assessment_last_resort", haven.EINVALID, "an age assessment is recorded only with a justification that it is a last resort (GR 38 §96)")

	// Other input.
	ruleReconsiderationReasons = rule("reconsideration_reasons", haven.EINVALID, "a request for reconsideration says what is new or wrong in the decision (GR 38 §38)")
	rulePermitKind             = rule("permit_kind", haven.EINVALID, "a residence permit request names its kind: reflection_period, temporary_residence or permanent_residence (GR 38 §92)")

	// Identification.
	ruleReferralConsent         = rule("referral_consent", haven.ECONFLICT, "an adult is referred only after her informed consent (GR 38 §79)")
	ruleNegativeAfterReflection = rule("conclusive_negative_after_reflection", haven.ECONFLICT, "a negative conclusive decision waits until the reflection and recovery period has ended (GR 38 §92)")
	ruleReviewOpen              = rule("review_open", haven.ECONFLICT, "there is no open review to decide")
	ruleReviewOfRG              = rule("review_of_reasonable_grounds", haven.ECONFLICT, "the open review is of a conclusive decision: overturning it identifies her (review_overturned_conclusive)")
	ruleReviewOfConclusive      = rule("review_of_conclusive", haven.ECONFLICT, "the open review is of a reasonable-grounds decision: overturning it makes her a presumed victim (review_overturned_reasonable_grounds)")
	ruleNoReviewOpen            = rule("review_already_open", haven.ECONFLICT, "a review is already open: the independent panel will consider the request (GR 38 §38)")
	ruleReviewBeforeClose       = rule("review_before_transfer", haven.ECONFLICT, "a case under review is transferred only after the independent panel decides (GR 38 §38)")

	// Removal and return (GR 38 §41, §87(d), §88–92).
	ruleRemovalReflection = rule("no_removal_during_reflection", haven.ECONFLICT, "no removal while the reflection and recovery period runs (GR 38 §92)")
	ruleRemovalPending    = rule("no_removal_identification_pending", haven.ECONFLICT, "no removal while identification is pending (GR 38 §87(d), §92)")
	ruleRemovalIdentified = rule("no_removal_of_identified_victim", haven.ECONFLICT, "an identified victim is protected against forcible return: only her voluntary return can be recorded (GR 38 §41, §89(a))")
	ruleRemovalAsylum     = rule("no_removal_asylum_pending", haven.ECONFLICT, "no removal while an asylum claim is pending (GR 38 §88)")
	ruleRemovalRecorded   = rule("removal_recorded", haven.ECONFLICT, "a removal is already recorded")
	ruleReturnRisk        = rule("return_needs_risk_assessment", haven.ECONFLICT, "a return needs an individual risk and security assessment (GR 38 §89)")
	ruleReturnChildBID    = rule("return_child_best_interests", haven.ECONFLICT, "a girl is returned only after a best-interests determination (GR 38 §90)")
	ruleReturnChildPlan   = rule("return_child_reintegration_plan", haven.ECONFLICT, "a girl is returned only with a reintegration plan in the country of return (GR 38 §90)")
	ruleReturnVoluntary   = rule("return_voluntary", haven.ECONFLICT, "a return is recorded only as a voluntary return she asked for: record her wish first (GR 38 §91)")

	// Children (GR 38 §7, §96, §103).
	ruleChildDurable      = rule("child_best_interests_first", haven.ECONFLICT, "a child's case needs a best-interests determination before any durable decision (GR 38 §96)")
	ruleChildMissingOpen  = rule("child_missing_case_open", haven.ECONFLICT, "a missing child's case stays open while the missing-child protocol runs (GR 38 §96)")
	ruleChildNotDetained  = rule("child_never_detained", haven.ECONFLICT, "a child is never detained (GR 38 §96)")
	ruleGuardianChildOnly = rule("guardian_for_child", haven.ECONFLICT, "a guardian is appointed for a person treated as a child (GR 38 §96)")
	ruleGuardianAppointed = rule("guardian_appointed", haven.ECONFLICT, "a guardian is already appointed")
	ruleBIDChildOnly      = rule("best_interests_for_child", haven.ECONFLICT, "a best-interests determination is made for a person treated as a child (GR 38 §96)")
	ruleBIDNeedsGuardian  = rule("best_interests_needs_guardian", haven.ECONFLICT, "a best-interests determination needs the child's guardian (GR 38 §96, §103)")
	ruleAgeChildOnly      = rule("age_assessment_when_disputed", haven.ECONFLICT, "an age assessment is made only when she is treated as a child because her age is unknown, disputed or under 18 (GR 38 §96)")
	ruleAgeNeedsGuardian  = rule("age_assessment_needs_guardian", haven.ECONFLICT, "an age assessment of a girl is overseen by her guardian (GR 38 §96)")

	// Recorded facts.
	ruleAlreadyMissing  = rule("already_missing", haven.ECONFLICT, "she is already reported missing")
	ruleNotMissing      = rule("not_missing", haven.ECONFLICT, "she is not reported missing")
	ruleAlreadyDetained = rule("already_detained", haven.ECONFLICT, "she is already recorded as detained")
	ruleNotDetained     = rule("not_detained", haven.ECONFLICT, "she is not recorded as detained")
	ruleWishRecorded    = rule("return_wish_recorded", haven.ECONFLICT, "her wish to return is already recorded")
	ruleNoWish          = rule("no_return_wish", haven.ECONFLICT, "no wish to return is recorded")
	ruleAsylumPending   = rule("asylum_claim_pending", haven.ECONFLICT, "an asylum claim is already pending")
	ruleNoAsylum        = rule("no_asylum_claim", haven.ECONFLICT, "no asylum claim is pending")

	// Residence (GR 38 §92).
	rulePermitReflection = rule("permit_reflection_runs", haven.ECONFLICT, "a reflection-period permit is for a reflection and recovery period that runs (GR 38 §92)")
	rulePermitTemporary  = rule("permit_temporary_presumed_or_identified", haven.ECONFLICT, "a temporary residence permit is for a presumed victim pending identification or an identified victim (GR 38 §92)")
	rulePermitPermanent  = rule("permit_permanent_identified", haven.ECONFLICT, "a permanent residence permit is for an identified victim (GR 38 §92)")
)

// Refusal is the error of a refused event: the rule that refused it and the
// application error to report. errors.As finds the *haven.Error inside, so
// haven.ErrorCode and haven.ErrorMessage work on it.
type Refusal struct {
	Rule Rule
	Err  *haven.Error
}

func (r *Refusal) Error() string { return r.Err.Error() }

// Unwrap returns the application error.
func (r *Refusal) Unwrap() error { return r.Err }

// refuse returns a refusal by rule r with the given message.
func refuse(r *Rule, message string, fields ...haven.FieldError) *Refusal {
	return &Refusal{Rule: *r, Err: &haven.Error{Code: r.Code, Message: message, Fields: fields}}
}

func itoa(i int) string { return strconv.Itoa(i) }
