package demo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
)

// step is one thing that happens to a drafted case after it is opened: a
// lifecycle event, or a record written beside them (the consent a referral
// needs, a non-punishment finding).
type step struct {
	after time.Duration // since the case was opened
	actor string        // username
	event lifecycle.Event
	// team lists the usernames of a decision's members; reasons are the
	// decision's, or what a reconsideration says is new or wrong.
	team     []string
	reasons  string
	evidence []string
	consent  *consentDraft
	finding  *findingDraft
}

// consentDraft is a consent to the referral to the competent body.
type consentDraft struct {
	givenBy, childView, method string
}

// findingDraft is a non-punishment finding.
type findingDraft struct {
	decidedOn haven.Date
	decidedBy string
	provision string
	offences  []haven.Offence
}

// never marks a step that does not happen.
const never = time.Duration(-1)

// history draws the steps that bring one case from its opening to its
// drawn state, as history.yaml says, in two parts: plan draws everything
// up to the case's last step before it reaches its state, whose length
// tells how long ago the case must have been opened; finish then draws
// what waits on the time left (the closure, a return, a disappearance)
// and drops what would come after the end of the demo's history.
type history struct {
	g     *drawer
	h     *historyRules
	r     *rand.Rand
	owner string
	child bool

	state   haven.LifecycleState
	at      time.Duration // the last step on the way to the drawn state
	steps   []step
	closing closing

	guardian, bestInterests time.Duration // never when not (yet) appointed or recorded
	granted                 time.Duration // the last grant of a reflection period
	against                 []string      // the members of the last negative decision
}

// closing is the closure a closed case's history ends with, placed by
// finish.
type closing struct {
	event lifecycle.Event
	after durations // after the last step before it
}

func (g *drawer) newHistory(owner string, child bool) *history {
	return &history{g: g, h: g.d.history, r: g.r, owner: owner, child: child, state: haven.StateEncountered,
		guardian: never, bestInterests: never, granted: never}
}

// plan draws the history up to the drawn state, or up to the closure for
// a closed case (reason is then its closure reason).
func (h *history) plan(state haven.LifecycleState, reason string) {
	hr, r := h.h, h.r
	if h.child {
		// A guardian, mostly within the limit (GR 38 §96, §103); for some
		// children still at the start, not yet.
		early := state == haven.StateEncountered || state == haven.StateScreening
		if !early || !chance(r, hr.GuardianNotYet) {
			h.guardian = hr.Guardian.draw(r)
			h.side(h.guardian, lifecycle.AppointGuardian)
			h.bestInterests = h.guardian + hr.BestInterestsAfter.draw(r)
			h.side(h.bestInterests, lifecycle.RecordBestInterests)
		}
	}
	switch reason {
	case "":
		h.reach(state, true)
	case "integrated":
		h.reach(haven.StateAssistance, false)
		h.closing = closing{lifecycle.CloseIntegrated, hr.IntegratedAfter}
	case "returned":
		h.reach(haven.StateAssistance, false)
		h.closing = closing{lifecycle.CloseReturned, hr.ReturnedAfter}
	case "transferred":
		// A case under review is transferred only once the panel decided.
		h.reach(haven.LifecycleState(hr.TransferredFrom.pick(r)), false)
		h.closing = closing{lifecycle.CloseTransferred, hr.StoppedAfter}
	case "withdrawn":
		h.reach(haven.LifecycleState(hr.WithdrawnFrom.pick(r)), true)
		h.closing = closing{lifecycle.CloseWithdrawn, hr.StoppedAfter}
	}
}

// need is how long after its opening the case's planned history must be
// able to run: to its last step, and to the earliest its closure can come.
func (h *history) need() time.Duration {
	if h.closing.event == "" {
		return h.at
	}
	return h.earliestClosure()
}

// earliestClosure is the soonest a closure can come: after the last step,
// and for a child after the best-interests determination (GR 38 §96).
func (h *history) earliestClosure() time.Duration {
	t := h.at + h.closing.after.lo()
	if h.child {
		t = max(t, h.bestInterests+time.Hour)
	}
	return t
}

// finish draws what depends on the time left, avail: the closure and what
// a return needs before it, or for an open case a disappearance; then it
// drops the steps that would come after avail and orders the rest.
func (h *history) finish(avail time.Duration) {
	hr, r := h.h, h.r
	last := avail - time.Minute
	if h.closing.event != "" {
		lo := h.earliestClosure()
		hi := max(lo, min(h.at+h.closing.after.hi(), last))
		t := lo + durations{0, hi - lo}.draw(r)
		if h.closing.event == lifecycle.CloseReturned {
			// Her wish, the risk assessment and, for a child, the
			// reintegration plan come first (GR 38 §89–91).
			before := func(d durations) time.Duration { return max(t-d.draw(r), h.at+time.Minute) }
			h.side(before(hr.ReturnWishBefore), lifecycle.RecordReturnWish)
			h.side(before(hr.RiskAssessmentBefore), lifecycle.RecordRiskAssessment)
			if h.child {
				h.side(before(hr.ReintegrationPlanBefore), lifecycle.RecordReintegrationPlan)
			}
		}
		h.fire(t, h.closing.event)
	} else if chance(r, hr.Missing) {
		h.side(h.at+hr.MissingAfter.draw(r), lifecycle.ReportMissing)
	}
	h.steps = slices.DeleteFunc(h.steps, func(s step) bool { return s.after > last })
	slices.SortStableFunc(h.steps, func(a, b step) int { return int(a.after - b.after) })
}

// reach draws the steps from the opening to state. A negative decision's
// review is left open for some cases when openReview allows it.
func (h *history) reach(state haven.LifecycleState, openReview bool) {
	hr, r := h.h, h.r
	if state == haven.StateEncountered {
		return
	}
	h.fire(h.at+hr.ScreeningAfter.draw(r), lifecycle.StartScreening)
	if state == haven.StateScreening {
		return
	}
	h.refer()
	switch state {
	case haven.StatePresumedVictim:
		h.presume()
	case haven.StateReflectionPeriod:
		h.presume()
		h.startReflection()
	case haven.StateIdentified:
		h.identify()
	case haven.StateAssistance:
		h.identify()
		h.fire(h.at+hr.AssistanceAfter.draw(r), lifecycle.StartAssistance)
	case haven.StateNotIdentified:
		h.refuse()
		h.reviewNegative(openReview)
	}
}

// refer records her informed consent to the referral — for a child, her
// guardian's, with her own view (GR 38 §79, §96) — and refers the case.
func (h *history) refer() {
	hr, r := h.h, h.r
	t := h.at + hr.ReferralAfter.draw(r)
	consented := t - hr.ConsentBefore.draw(r)
	if consented <= h.at {
		consented = h.at + (t-h.at)/2
	}
	c := &consentDraft{givenBy: haven.GivenBySurvivor}
	if h.child {
		c.givenBy, c.childView = haven.GivenByGuardian, hr.ChildViews.pick(r)
		consented = max(consented, h.guardian+time.Hour)
		t = max(t, consented+time.Hour)
	}
	c.method = hr.ConsentMethods.pick(r)
	h.steps = append(h.steps, step{after: consented, actor: h.g.creators[h.owner], consent: c})
	h.fire(t, lifecycle.Refer)
}

// presume brings a referred case to presumed_victim: a positive
// reasonable-grounds decision, or for some a negative one the panel
// overturned. Either grants the reflection period (GR 38 §92).
func (h *history) presume() {
	t := h.at + h.h.ReasonableGrounds.draw(h.r)
	if chance(h.r, h.h.Overturned) {
		h.decide(t, lifecycle.ReasonableGroundsNegative)
		h.review(lifecycle.ReviewOverturnedReasonableGrounds)
	} else {
		h.decide(t, lifecycle.ReasonableGroundsPositive)
	}
	h.granted = h.at
}

// startReflection: she is told of her period and rights.
func (h *history) startReflection() {
	h.fire(h.at+h.h.ReflectionStartAfter.draw(h.r), lifecycle.StartReflection)
}

// identify brings a referred case to identified: through reasonable
// grounds and the reflection period to a positive conclusive decision, or
// for some a negative one the panel overturned.
func (h *history) identify() {
	h.presume()
	h.startReflection()
	if chance(h.r, h.h.Overturned) {
		h.decide(h.conclusiveAt(true), lifecycle.ConclusiveNegative)
		h.review(lifecycle.ReviewOverturnedConclusive)
	} else {
		h.decide(h.conclusiveAt(false), lifecycle.ConclusivePositive)
	}
}

// refuse brings a referred case to not_identified: a negative
// reasonable-grounds decision, or a negative conclusive one after the
// reflection period.
func (h *history) refuse() {
	t := h.at + h.h.ReasonableGrounds.draw(h.r)
	if chance(h.r, h.h.NegativeAtReasonableGrounds) {
		h.decide(t, lifecycle.ReasonableGroundsNegative)
		return
	}
	h.decide(t, lifecycle.ReasonableGroundsPositive)
	h.granted = h.at
	h.startReflection()
	h.decide(h.conclusiveAt(true), lifecycle.ConclusiveNegative)
}

// conclusiveAt is when the conclusive decision comes; a negative one waits
// until the reflection period has ended (GR 38 §92).
func (h *history) conclusiveAt(negative bool) time.Duration {
	t := h.granted + h.h.ConclusiveAfter.draw(h.r)
	if negative {
		t = max(t, h.granted+h.g.reflection+time.Hour)
	}
	return max(t, h.at+time.Hour)
}

// reviewNegative: the panel upholds the negative decision, or for some
// cases has not decided yet when open allows it; her advocate asks to
// reconsider some upheld decisions, and the panel decides again.
func (h *history) reviewNegative(open bool) {
	hr, r := h.h, h.r
	if open && chance(r, hr.ReviewStillOpen) {
		return
	}
	h.review(lifecycle.ReviewUpheld)
	if !chance(r, hr.Reconsideration) {
		return
	}
	h.fire(h.at+hr.ReconsiderationAfter.draw(r), lifecycle.RequestReconsideration).reasons = oneOf(r, hr.ReconsiderationReasons)
	if open && chance(r, hr.ReviewStillOpen) {
		return
	}
	h.review(lifecycle.ReviewUpheld)
}

// decide records a decision of the competent body's multidisciplinary
// team (GR 38 §78).
func (h *history) decide(t time.Duration, e lifecycle.Event) {
	team := h.g.team(h.child)
	s := h.fire(t, e)
	s.team, s.reasons, s.evidence = team, oneOf(h.r, h.h.DecisionReasons[e]), h.g.evidence()
	if e == lifecycle.ReasonableGroundsNegative || e == lifecycle.ConclusiveNegative {
		h.against = team
	}
}

// review records the independent panel's decision on the open review,
// within the limit or late.
func (h *history) review(e lifecycle.Event) {
	panel := h.g.panel(h.against)
	s := h.fire(h.at+h.h.Review.draw(h.r), e)
	s.team, s.reasons, s.evidence = panel, oneOf(h.r, h.h.DecisionReasons[e]), h.g.evidence()
}

// fire adds event at t on the way to the drawn state and moves the case
// on. The step it returns is valid until the next step is added.
func (h *history) fire(t time.Duration, e lifecycle.Event) *step {
	tr := h.g.transition(e, h.state)
	h.steps = append(h.steps, step{after: t, actor: h.g.actor(tr, h.owner), event: e})
	if tr.To != "" {
		h.state = tr.To
	}
	h.at = t
	return &h.steps[len(h.steps)-1]
}

// side adds an event that records a fact beside the way to the drawn
// state: it happens from any open state and leaves the state as it is.
func (h *history) side(t time.Duration, e lifecycle.Event) {
	h.steps = append(h.steps, step{after: t, actor: h.g.actor(h.g.transition(e, h.state), h.owner), event: e})
}

// transition returns the row of the lifecycle table for event from state;
// its roles are empty when there is none, and the demo then has no account
// to fire it with.
func (g *drawer) transition(e lifecycle.Event, from haven.LifecycleState) lifecycle.Transition {
	for _, t := range g.transitions {
		if t.Event == e && slices.Contains(t.From, from) {
			return t
		}
	}
	return lifecycle.Transition{Event: e}
}

// actor returns the account that fires a transition on a case of owner:
// the owner's staff member who recorded the case when her role may, else
// the demo account of the first role the table names for it.
func (g *drawer) actor(t lifecycle.Transition, owner string) string {
	creator := g.creators[owner]
	if slices.Contains(t.Roles, g.roles[creator]) {
		return creator
	}
	if len(t.Roles) == 0 {
		return ""
	}
	return roleUsername(t.Roles[0])
}

// team draws the members of a decision: the chair, members of other
// sectors, and for a child her guardian's agency.
func (g *drawer) team(child bool) []string {
	dt := g.d.history.DecisionTeam
	out := []string{dt.Chair}
	for _, i := range g.r.Perm(len(dt.Members))[:dt.Size.draw(g.r)] {
		out = append(out, dt.Members[i])
	}
	if child {
		out = append(out, roleUsername(haven.RoleGuardian))
	}
	return out
}

// panel draws an independent review panel: no member of the decision
// under review sits on it (GR 38 §78).
func (g *drawer) panel(against []string) []string {
	rp := g.d.history.ReviewPanel
	var pool []string
	for _, m := range rp.Members {
		if !slices.Contains(against, m) {
			pool = append(pool, m)
		}
	}
	n := min(rp.Size.draw(g.r), len(pool))
	out := make([]string, 0, n)
	for _, i := range g.r.Perm(len(pool))[:n] {
		out = append(out, pool[i])
	}
	return out
}

// evidence draws the one to three records a decision rests on.
func (g *drawer) evidence() []string {
	all := g.d.history.DecisionEvidence
	n := between(g.r, 1, min(3, len(all)))
	out := make([]string, 0, n)
	for _, i := range g.r.Perm(len(all))[:n] {
		out = append(out, all[i])
	}
	return out
}

// nonPunishment adds, for some identified victims exploited in the
// country, a finding that she is not to be punished for offences she was
// compelled to commit there (GR 38 §98). opened is when the case was
// opened; exploitation is the case's exploitation event.
func (h *history) nonPunishment(form string, exploitation haven.Event, opened time.Time) {
	np, r := &h.h.NonPunishment, h.r
	identified := never
	for _, s := range h.steps {
		if s.event == lifecycle.ConclusivePositive || s.event == lifecycle.ReviewOverturnedConclusive {
			identified = s.after
			break
		}
	}
	if identified == never || exploitation.Country != h.g.d.world.Country.Code || !chance(r, np.Shares.get(form)) {
		return
	}
	decided := identified + np.DecidedAfter.draw(r)
	region := strings.NewReplacer("{region}", exploitation.Region)
	f := &findingDraft{
		decidedOn: haven.DateOf(opened.Add(decided)),
		decidedBy: region.Replace(oneOf(r, np.DecidedBy)),
		provision: np.NationalProvision,
	}
	offences := np.Offences[form]
	for _, i := range r.Perm(len(offences))[:between(r, 1, min(2, len(offences)))] {
		start, end := exploitation.StartedOn.Time, exploitation.EndedOn.Time
		on := start.AddDate(0, 0, r.IntN(int(end.Sub(start)/(24*time.Hour))+1))
		f.offences = append(f.offences, haven.Offence{Description: offences[i], Jurisdiction: region.Replace(np.Jurisdiction),
			Date: haven.DateOf(on), RecordNumber: fillPattern(r, np.RecordPattern)})
	}
	h.steps = append(h.steps, step{after: decided + np.RecordedAfter.draw(r), actor: h.g.creators[h.owner], finding: f})
}

// draw returns a time in the range, to the minute.
func (d durations) draw(r *rand.Rand) time.Duration {
	return d.lo() + time.Duration(r.Int64N(int64((d.hi()-d.lo())/time.Minute)+1))*time.Minute
}

// draw returns when a step with a time limit comes: within the limit for
// the share that keeps it, late for the others.
func (t timed) draw(r *rand.Rand) time.Duration {
	if chance(r, t.InTime) {
		return t.InTimeAfter.draw(r)
	}
	return t.LateAfter.draw(r)
}
