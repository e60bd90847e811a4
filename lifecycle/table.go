package lifecycle

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven"
)

// Transition is one row of the lifecycle table, as callers and docs see it.
type Transition struct {
	Event Event
	From  []haven.LifecycleState
	// To is the state the event moves the case to; "" when the event
	// records a fact and leaves the state as it is.
	To    haven.LifecycleState
	Roles []haven.Role
	// Decision is the kind of decision record the event needs, "" if none.
	Decision DecisionKind
	// Guards are the rules that must hold, checked in this order.
	Guards []Rule
	// Effects are what the event may cause besides the change of state.
	Effects []EffectKind
	// Basis names the paragraphs of GR 38 the step rests on.
	Basis   string
	Summary string
}

// Transitions returns the lifecycle table, one row per event and group of
// states it can happen from.
func Transitions() []Transition {
	out := make([]Transition, len(table))
	for i, r := range table {
		t := Transition{
			Event: r.event, From: slices.Clone(r.from), To: r.to, Roles: slices.Clone(r.roles),
			Decision: r.decision, Effects: slices.Clone(r.effects), Basis: r.basis, Summary: r.summary,
		}
		for _, g := range r.guards {
			t.Guards = append(t.Guards, *g.rule)
		}
		out[i] = t
	}
	return out
}

// row is one row of the table.
type row struct {
	event Event
	from  []haven.LifecycleState
	to    haven.LifecycleState // "" leaves the state as it is
	roles []haven.Role
	// decision is the kind of record the event needs; finding is the finding
	// the event implies ("" when the record says it, as for an age assessment).
	decision DecisionKind
	finding  Finding
	guards   []guard
	effects  []EffectKind
	basis    string
	summary  string
}

// check is what a guard reads: the facts, the request's own inputs (never
// anything about cooperation with criminal proceedings), the limits and the
// time.
type check struct {
	f   Facts
	req Request
	cfg Config
	now time.Time
}

// guard is a named rule and the test that it holds.
type guard struct {
	rule *Rule
	ok   func(c *check) bool
}

// The guards. Each reads Facts, and the request's permit kind for the one
// about residence permits.
var (
	gAdultConsented      = guard{ruleReferralConsent, func(c *check) bool { return c.f.Child || c.f.ReferralConsent }}
	gReflectionEnded     = guard{ruleNegativeAfterReflection, func(c *check) bool { return !c.f.Reflection.Runs(c.now) }}
	gReviewOpen          = guard{ruleReviewOpen, func(c *check) bool { return c.f.Review.Open }}
	gReviewOfRG          = guard{ruleReviewOfRG, func(c *check) bool { return c.f.Review.Of == KindReasonableGrounds }}
	gReviewOfConclusive  = guard{ruleReviewOfConclusive, func(c *check) bool { return c.f.Review.Of == KindConclusive }}
	gNoReviewOpen        = guard{ruleNoReviewOpen, func(c *check) bool { return !c.f.Review.Open }}
	gNoReviewForTransfer = guard{ruleReviewBeforeClose, func(c *check) bool { return !c.f.Review.Open }}

	gNotRemoved       = guard{ruleRemovalRecorded, func(c *check) bool { return c.f.RemovedAt.IsZero() }}
	gNotInReflection  = guard{ruleRemovalReflection, func(c *check) bool { return !c.f.Reflection.Runs(c.now) }}
	gNotPending       = guard{ruleRemovalPending, func(c *check) bool { return !c.f.IdentificationPending() }}
	gNotIdentified    = guard{ruleRemovalIdentified, func(c *check) bool { return !c.f.Identified() }}
	gNoAsylumForRemov = guard{ruleRemovalAsylum, func(c *check) bool { return !c.f.AsylumPending }}
	gReturnRisk       = guard{ruleReturnRisk, func(c *check) bool { return !c.f.RiskAssessmentAt.IsZero() }}
	gReturnChildBID   = guard{ruleReturnChildBID, func(c *check) bool { return !c.f.Child || !c.f.BestInterestsAt.IsZero() }}
	gReturnChildPlan  = guard{ruleReturnChildPlan, func(c *check) bool { return !c.f.Child || !c.f.ReintegrationPlanAt.IsZero() }}
	gReturnVoluntary  = guard{ruleReturnVoluntary, func(c *check) bool { return c.f.WishesToReturn || !c.f.RemovedAt.IsZero() }}

	gChildDurable     = guard{ruleChildDurable, func(c *check) bool { return !c.f.Child || !c.f.BestInterestsAt.IsZero() }}
	gChildNotMissing  = guard{ruleChildMissingOpen, func(c *check) bool { return !c.f.Child || !c.f.Missing() }}
	gChildNotDetained = guard{ruleChildNotDetained, func(c *check) bool { return !c.f.Child }}
	gGuardianForChild = guard{ruleGuardianChildOnly, func(c *check) bool { return c.f.Child }}
	gNoGuardianYet    = guard{ruleGuardianAppointed, func(c *check) bool { return c.f.GuardianAt.IsZero() }}
	gBIDForChild      = guard{ruleBIDChildOnly, func(c *check) bool { return c.f.Child }}
	gBIDGuardian      = guard{ruleBIDNeedsGuardian, func(c *check) bool { return !c.f.GuardianAt.IsZero() }}
	gAgeForChild      = guard{ruleAgeChildOnly, func(c *check) bool { return c.f.Child }}
	gAgeGuardian      = guard{ruleAgeNeedsGuardian, func(c *check) bool { return !c.f.GuardianAt.IsZero() }}

	gNotMissing  = guard{ruleAlreadyMissing, func(c *check) bool { return !c.f.Missing() }}
	gMissing     = guard{ruleNotMissing, func(c *check) bool { return c.f.Missing() }}
	gNotDetained = guard{ruleAlreadyDetained, func(c *check) bool { return !c.f.Detained() }}
	gDetained    = guard{ruleNotDetained, func(c *check) bool { return c.f.Detained() }}
	gNoWish      = guard{ruleWishRecorded, func(c *check) bool { return !c.f.WishesToReturn }}
	gWish        = guard{ruleNoWish, func(c *check) bool { return c.f.WishesToReturn }}
	gNoAsylumYet = guard{ruleAsylumPending, func(c *check) bool { return !c.f.AsylumPending }}
	gAsylumClaim = guard{ruleNoAsylum, func(c *check) bool { return c.f.AsylumPending }}

	// A residence permit fits the case (GR 38 §92): a reflection-period
	// permit while the period runs, a temporary permit pending
	// identification or once identified, a permanent permit once
	// identified. Each guard speaks only of its own kind.
	gPermitReflection = guard{rulePermitReflection, func(c *check) bool {
		return c.req.Permit != haven.PermitReflection || c.f.Reflection.Runs(c.now)
	}}
	gPermitTemporary = guard{rulePermitTemporary, func(c *check) bool {
		return c.req.Permit != haven.PermitTemporary || c.f.IdentificationPending() || c.f.Identified()
	}}
	gPermitPermanent = guard{rulePermitPermanent, func(c *check) bool {
		return c.req.Permit != haven.PermitPermanent || c.f.Identified()
	}}
)

// States grouped as the table uses them.
var (
	open = []haven.LifecycleState{
		haven.StateEncountered, haven.StateScreening, haven.StateReferred, haven.StatePresumedVictim,
		haven.StateReflectionPeriod, haven.StateIdentified, haven.StateNotIdentified, haven.StateAssistance,
	}
	early = []haven.LifecycleState{haven.StateEncountered, haven.StateScreening, haven.StateReferred}
	late  = []haven.LifecycleState{
		haven.StatePresumedVictim, haven.StateReflectionPeriod, haven.StateIdentified,
		haven.StateNotIdentified, haven.StateAssistance,
	}
	all = append(slices.Clone(open), haven.StateClosed)
)

func states(s ...haven.LifecycleState) []haven.LifecycleState { return s }
func roles(r ...haven.Role) []haven.Role                      { return r }
func guards(g ...guard) []guard                               { return g }
func effects(e ...EffectKind) []EffectKind                    { return e }

const (
	firstResponder  = haven.RoleFirstResponder
	competentBody   = haven.RoleCompetentBody
	caseworker      = haven.RoleCaseworker
	serviceProvider = haven.RoleServiceProvider
	guardianRole    = haven.RoleGuardian
	lawEnforcement  = haven.RoleLawEnforcement
	immigration     = haven.RoleImmigration
)

// table is the lifecycle. Each (event, state) pair is in at most one row.
// Assistance, the reflection period and residence have no guard that could
// read cooperation with criminal proceedings: their guards read Facts,
// which holds none (GR 38 §92, §98(b)).
var table = []row{
	// Identification.
	{event: StartScreening, from: states(haven.StateEncountered), to: haven.StateScreening,
		roles: roles(firstResponder), basis: "§38, §77, §87(c)",
		summary: "a first responder begins the screening"},
	{event: Refer, from: states(haven.StateScreening), to: haven.StateReferred,
		roles: roles(firstResponder, caseworker), guards: guards(gAdultConsented), basis: "§78, §79",
		summary: "refer to the competent body; an adult consents first, a child is referred in her best interests"},
	{event: ReasonableGroundsPositive, from: states(haven.StateReferred), to: haven.StatePresumedVictim,
		roles: roles(competentBody), decision: KindReasonableGrounds, finding: Positive,
		effects: effects(EffectReflectionGranted), basis: "§78, §92",
		summary: "reasonable grounds: she is a presumed victim and the reflection and recovery period is granted from now"},
	{event: ReasonableGroundsNegative, from: states(haven.StateReferred), to: haven.StateNotIdentified,
		roles: roles(competentBody), decision: KindReasonableGrounds, finding: Negative,
		effects: effects(EffectReviewOpened), basis: "§38, §78",
		summary: "no reasonable grounds; an independent review opens automatically"},
	{event: StartReflection, from: states(haven.StatePresumedVictim), to: haven.StateReflectionPeriod,
		roles: roles(caseworker, competentBody), basis: "§92, §99",
		summary: "she is told of her reflection period and her rights, and recovery support begins"},
	{event: ConclusivePositive, from: states(haven.StateReflectionPeriod), to: haven.StateIdentified,
		roles: roles(competentBody), decision: KindConclusive, finding: Positive,
		effects: effects(EffectIdentified), basis: "§39, §78",
		summary: "conclusive decision: she is identified as a victim"},
	{event: ConclusiveNegative, from: states(haven.StateReflectionPeriod), to: haven.StateNotIdentified,
		roles: roles(competentBody), decision: KindConclusive, finding: Negative,
		guards: guards(gReflectionEnded), effects: effects(EffectReviewOpened), basis: "§38, §78, §92",
		summary: "conclusive decision: not identified; an independent review opens automatically"},
	{event: ReviewUpheld, from: states(haven.StateNotIdentified), to: haven.StateNotIdentified,
		roles: roles(competentBody), decision: KindReview, finding: Negative,
		guards: guards(gReviewOpen), effects: effects(EffectReviewDecided), basis: "§38, §78",
		summary: "the independent panel upholds the negative decision"},
	{event: ReviewOverturnedReasonableGrounds, from: states(haven.StateNotIdentified), to: haven.StatePresumedVictim,
		roles: roles(competentBody), decision: KindReview, finding: Positive,
		guards: guards(gReviewOpen, gReviewOfRG), effects: effects(EffectReviewDecided, EffectReflectionGranted), basis: "§38, §78, §92",
		summary: "the panel overturns a negative reasonable-grounds decision: she is a presumed victim and the reflection period is granted"},
	{event: ReviewOverturnedConclusive, from: states(haven.StateNotIdentified), to: haven.StateIdentified,
		roles: roles(competentBody), decision: KindReview, finding: Positive,
		guards: guards(gReviewOpen, gReviewOfConclusive), effects: effects(EffectReviewDecided, EffectIdentified), basis: "§38, §78",
		summary: "the panel overturns a negative conclusive decision: she is identified"},
	{event: RequestReconsideration, from: states(haven.StateNotIdentified),
		roles: roles(firstResponder, caseworker), guards: guards(gNoReviewOpen),
		effects: effects(EffectReviewOpened), basis: "§38, §78",
		summary: "a first responder or her advocate asks for reconsideration: the independent review reopens"},

	// Assistance and closure.
	{event: StartAssistance, from: states(haven.StateIdentified), to: haven.StateAssistance,
		roles: roles(caseworker), basis: "§39, §40, §92–95",
		summary: "assistance and social inclusion, offered and never imposed"},
	{event: CloseIntegrated, from: states(haven.StateAssistance), to: haven.StateClosed,
		roles: roles(caseworker), guards: guards(gChildNotMissing, gChildDurable),
		effects: effects(EffectCaseClosed), basis: "§95, §96",
		summary: "closed: integrated"},
	{event: CloseReturned, from: open, to: haven.StateClosed,
		roles:   roles(caseworker),
		guards:  guards(gChildNotMissing, gReturnRisk, gReturnChildBID, gReturnChildPlan, gReturnVoluntary),
		effects: effects(EffectCaseClosed, EffectReviewWithdrawn), basis: "§89–91",
		summary: "closed: returned, voluntarily or after a recorded removal, and only after a risk and security assessment"},
	{event: CloseTransferred, from: early, to: haven.StateClosed,
		roles: roles(firstResponder, caseworker), guards: guards(gChildNotMissing, gChildDurable),
		effects: effects(EffectCaseClosed), basis: "§96, §114",
		summary: "closed: transferred to another mechanism or jurisdiction"},
	{event: CloseTransferred, from: late, to: haven.StateClosed,
		roles: roles(caseworker), guards: guards(gChildNotMissing, gChildDurable, gNoReviewForTransfer),
		effects: effects(EffectCaseClosed), basis: "§96, §114",
		summary: "closed: transferred to another mechanism or jurisdiction"},
	{event: CloseWithdrawn, from: early, to: haven.StateClosed,
		roles: roles(firstResponder, caseworker), guards: guards(gChildNotMissing, gChildDurable),
		effects: effects(EffectCaseClosed), basis: "§94, §96",
		summary: "closed: she withdrew; services are offered, never imposed"},
	{event: CloseWithdrawn, from: late, to: haven.StateClosed,
		roles: roles(caseworker), guards: guards(gChildNotMissing, gChildDurable),
		effects: effects(EffectCaseClosed, EffectReviewWithdrawn), basis: "§94, §96",
		summary: "closed: she withdrew; services are offered, never imposed"},

	// Child safeguards.
	{event: AppointGuardian, from: open, roles: roles(caseworker, firstResponder, competentBody),
		guards: guards(gGuardianForChild, gNoGuardianYet), basis: "§96, §103",
		summary: "a guardian is appointed for a child"},
	{event: RecordBestInterests, from: open, roles: roles(guardianRole, competentBody),
		guards: guards(gBIDForChild, gBIDGuardian), basis: "§96",
		summary: "best-interests determination, needed before any durable decision"},
	{event: RecordAgeAssessment, from: open, roles: roles(competentBody),
		decision: KindAgeAssessment, guards: guards(gAgeForChild, gAgeGuardian),
		effects: effects(EffectAgeAssessed), basis: "§96",
		summary: "age assessment, as a last resort, by a multidisciplinary team overseen by the guardian"},
	{event: ReportMissing, from: open, roles: roles(caseworker, guardianRole, serviceProvider, firstResponder),
		guards: guards(gNotMissing), effects: effects(EffectMissingChildProtocol), basis: "§89, §96",
		summary: "she went missing; for a child the missing-child protocol starts"},
	{event: ReportFound, from: open, roles: roles(caseworker, guardianRole, serviceProvider, firstResponder),
		guards: guards(gMissing), basis: "§96",
		summary: "she is found or back in contact"},
	{event: RecordDetention, from: open, roles: roles(lawEnforcement, immigration, firstResponder, caseworker),
		guards: guards(gChildNotDetained, gNotDetained), basis: "§87(c), §94, §96, §98",
		summary: "an adult is recorded as detained (an alert follows); a child never is"},
	{event: RecordRelease, from: open, roles: roles(lawEnforcement, immigration, firstResponder, caseworker),
		guards: guards(gDetained), basis: "§94, §98",
		summary: "she is released"},

	// Return, residence and protection.
	{event: RecordRiskAssessment, from: open, roles: roles(competentBody, caseworker),
		basis: "§87, §89", summary: "individual risk and security assessment"},
	{event: RecordReintegrationPlan, from: open, roles: roles(caseworker, guardianRole),
		basis: "§90, §95", summary: "reintegration plan in the country of return"},
	{event: RecordReturnWish, from: open, roles: roles(caseworker, guardianRole),
		guards: guards(gNoWish), basis: "§91, §94",
		summary: "she asks for a voluntary return"},
	{event: WithdrawReturnWish, from: open, roles: roles(caseworker, guardianRole),
		guards: guards(gWish), basis: "§91, §94",
		summary: "she no longer wishes to return"},
	{event: RecordAsylumClaim, from: open, roles: roles(caseworker, firstResponder),
		guards: guards(gNoAsylumYet), basis: "§87(b), §88",
		summary: "she claims asylum"},
	{event: RecordAsylumDecided, from: open, roles: roles(caseworker),
		guards: guards(gAsylumClaim), basis: "§88",
		summary: "her asylum claim is decided"},
	{event: RequestResidencePermit, from: late, roles: roles(caseworker, guardianRole),
		guards: guards(gPermitReflection, gPermitTemporary, gPermitPermanent), effects: effects(EffectPermitRequested), basis: "§92",
		summary: "ask immigration for a residence permit; never conditional on cooperation"},
	{event: RecordRemoval, from: all, roles: roles(immigration),
		guards: guards(gNotRemoved, gNotInReflection, gNotPending, gNotIdentified, gNoAsylumForRemov,
			gReturnRisk, gReturnChildBID, gReturnChildPlan),
		basis:   "§41, §87(d), §88–92",
		summary: "immigration records a removal: never during the reflection period, while identification is pending, of an identified victim, or without a risk assessment"},
}

// rowFor returns the row of event from state, and whether the event exists
// at all.
func rowFor(event Event, state haven.LifecycleState) (r *row, known bool) {
	for i := range table {
		if table[i].event != event {
			continue
		}
		known = true
		if slices.Contains(table[i].from, state) {
			return &table[i], true
		}
	}
	return nil, known
}

// rowsOf returns every row of event.
func rowsOf(event Event) []*row {
	var out []*row
	for i := range table {
		if table[i].event == event {
			out = append(out, &table[i])
		}
	}
	return out
}
