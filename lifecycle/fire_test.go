package lifecycle

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
)

// refusalCase is a request that must be refused by rule, on a case built by
// setup.
type refusalCase struct {
	name  string
	setup func(t *testing.T) *walker
	req   Request
	rule  string
	code  string
	// message is the exact message, or, when it starts with "~", a part of it.
	message string
}

func (rc refusalCase) run(t *testing.T) {
	w := rc.setup(t)
	w.now = w.now.Add(time.Minute)
	before := w.cs.Clone()
	_, err := Fire(cfg, FactsOf(w.cs), rc.req, w.now)
	if err == nil {
		t.Fatalf("accepted, want refused by %s", rc.rule)
	}
	r := refusal(t, err)
	if r.Rule.ID != rc.rule {
		t.Errorf("refused by %s (%s), want %s", r.Rule.ID, haven.ErrorMessage(err), rc.rule)
	}
	if got := haven.ErrorCode(err); got != rc.code {
		t.Errorf("code %s, want %s", got, rc.code)
	}
	msg := haven.ErrorMessage(err)
	if part, ok := strings.CutPrefix(rc.message, "~"); ok {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q does not contain %q", msg, part)
		}
	} else if msg != rc.message {
		t.Errorf("message %q, want %q", msg, rc.message)
	}
	if diff := cmp.Diff(before, w.cs); diff != "" {
		t.Errorf("a refused event changed the case (-before +after):\n%s", diff)
	}
}

func req(e Event, r haven.Role, opts ...func(*Request)) Request {
	q := Request{Event: e, Actor: actor(r)}
	for _, o := range opts {
		o(&q)
	}
	return q
}

func set(w *walker, edit func(f *Facts)) *walker {
	edit(&w.cs.Facts)
	return w
}

func adultCase(t *testing.T) *walker { return walk(t, newCase(false)) }
func childCase(t *testing.T) *walker { return walk(t, newCase(true)) }

func members(ms ...Member) *Decision { return decision(ms) }

// refusalCases has at least one case for every rule of the lifecycle.
func refusalCases() []refusalCase {
	const (
		EINVALID   = haven.EINVALID
		EFORBIDDEN = haven.EFORBIDDEN
		ECONFLICT  = haven.ECONFLICT
	)
	police := Member{UserID: "p1", Role: haven.RoleLawEnforcement, Sector: haven.SectorPolice}
	border := Member{UserID: "i1", Role: haven.RoleImmigration, Sector: haven.SectorImmigration}
	ngo := Member{UserID: "n1", Role: haven.RoleCaseworker, Sector: haven.SectorNGO}
	ngo2 := Member{UserID: "n2", Role: haven.RoleCompetentBody, Sector: haven.SectorNGO}
	referred := func(t *testing.T) *walker { return adultCase(t).referred() }
	return []refusalCase{
		// The table.
		{"unknown event", adultCase, req("deport", haven.RoleImmigration), "unknown_event", EINVALID, "Unknown lifecycle event."},
		{"law enforcement takes a decision", referred,
			req(ReasonableGroundsPositive, haven.RoleLawEnforcement, with(decision(team()))), "role_not_allowed", EFORBIDDEN,
			"reasonable_grounds_positive is for competent_body, not law_enforcement (GR 38 §78, §92)"},
		{"immigration identifies", func(t *testing.T) *walker { return adultCase(t).inReflection() },
			req(ConclusivePositive, haven.RoleImmigration, with(decision(team()))), "role_not_allowed", EFORBIDDEN,
			"~conclusive_positive is for competent_body, not immigration"},
		{"first responder closes a late case", func(t *testing.T) *walker { return adultCase(t).assisted() },
			req(CloseWithdrawn, haven.RoleFirstResponder), "role_not_allowed", EFORBIDDEN, "~close_withdrawn is for caseworker, not first_responder"},
		{"caseworker records a removal", adultCase, req(RecordRemoval, haven.RoleCaseworker), "role_not_allowed", EFORBIDDEN, "~record_removal is for immigration"},
		{"integrate a referred case", referred, req(CloseIntegrated, haven.RoleCaseworker), "not_from_state", ECONFLICT,
			"close_integrated cannot happen while the case is referred; it happens from: assistance"},
		{"decide before referral", adultCase, req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(decision(team()))), "not_from_state", ECONFLICT,
			"~cannot happen while the case is encountered"},
		{"anything after closure", func(t *testing.T) *walker { return adultCase(t).do(CloseWithdrawn, haven.RoleFirstResponder) },
			req(AppointGuardian, haven.RoleCaseworker), "not_from_state", ECONFLICT, "~while the case is closed"},

		// Decision records.
		{"no decision record", referred, req(ReasonableGroundsPositive, haven.RoleCompetentBody), "decision_required", EINVALID,
			"this event needs its decision record: members and their sectors, reasons and evidence (GR 38 §78)"},
		{"decision on a screening", adultCase, req(StartScreening, haven.RoleFirstResponder, with(decision(team()))), "decision_unexpected", EINVALID,
			"start_screening takes no decision record"},
		{"decision of the wrong kind", referred,
			req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(&Decision{Kind: KindConclusive, Members: team(), Reasons: "r", Evidence: []string{"e"}})),
			"decision_kind", EINVALID, "reasonable_grounds_positive needs a decision record of kind reasonable_grounds"},
		{"decision with the wrong outcome", referred,
			req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(&Decision{Outcome: Negative, Members: team(), Reasons: "r", Evidence: []string{"e"}})),
			"decision_outcome", EINVALID, "reasonable_grounds_positive records a positive decision"},
		{"member without id", referred, req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(members(ngo, Member{Role: haven.RoleCompetentBody, Sector: haven.SectorHealth}))),
			"decision_members", EINVALID, "every member of a decision has a user id, a known role and a known sector, and sits once"},
		{"one sector", referred, req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(members(ngo, ngo2))),
			"decision_two_sectors", EINVALID, "a decision needs members of at least two sectors (GR 38 §78)"},
		{"police and immigration alone", referred, req(ReasonableGroundsNegative, haven.RoleCompetentBody, with(members(police, border))),
			"decision_not_enforcement_alone", EINVALID, "a decision cannot be taken by law enforcement or immigration members alone (GR 38 §78)"},
		{"no reasons", referred, req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(&Decision{Members: team(), Reasons: "  ", Evidence: []string{"e"}})),
			"decision_reasons", EINVALID, "a decision records its reasons (GR 38 §78)"},
		{"no evidence", referred, req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(&Decision{Members: team(), Reasons: "r"})),
			"decision_evidence", EINVALID, "a decision records the evidence it rests on (GR 38 §78)"},
		{"review by a member of the decision", func(t *testing.T) *walker { return adultCase(t).notIdentifiedRG() },
			req(ReviewUpheld, haven.RoleCompetentBody, with(members(panel()[0], team()[1]))),
			"review_independent", EINVALID, "the review panel is independent: no member of the decision under review sits on it (GR 38 §78)"},
		{"age assessment not justified", func(t *testing.T) *walker { return childCase(t).do(AppointGuardian, haven.RoleCaseworker) },
			req(RecordAgeAssessment, haven.RoleCompetentBody, with(&Decision{Outcome: Adult, Members: team(), Reasons: "r", Evidence: []string{"x-ray"}})),
			"age_assessment_last_resort", EINVALID, "an age assessment is recorded only with a justification that it is a last resort (GR 38 §96)"},

		// Other input.
		{"reconsideration without reasons", func(t *testing.T) *walker {
			w := adultCase(t).notIdentifiedRG()
			return w.do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel())))
		}, req(RequestReconsideration, haven.RoleCaseworker), "reconsideration_reasons", EINVALID,
			"a request for reconsideration says what is new or wrong in the decision (GR 38 §38)"},
		{"permit of no kind", func(t *testing.T) *walker { return adultCase(t).presumed() },
			req(RequestResidencePermit, haven.RoleCaseworker, permit("visa")), "permit_kind", EINVALID,
			"a residence permit request names its kind: reflection_period, temporary_residence or permanent_residence (GR 38 §92)"},

		// Identification.
		{"adult referred without consent", func(t *testing.T) *walker {
			return set(adultCase(t).do(StartScreening, haven.RoleFirstResponder), func(f *Facts) { f.ReferralConsent = false })
		}, req(Refer, haven.RoleFirstResponder), "referral_consent", ECONFLICT, "an adult is referred only after her informed consent (GR 38 §79)"},
		{"negative conclusive during the period", func(t *testing.T) *walker { return adultCase(t).inReflection().after(10 * day) },
			req(ConclusiveNegative, haven.RoleCompetentBody, with(decision(team()))), "conclusive_negative_after_reflection", ECONFLICT,
			"a negative conclusive decision waits until the reflection and recovery period has ended (GR 38 §92)"},
		{"review decided twice", func(t *testing.T) *walker {
			return adultCase(t).notIdentifiedRG().do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel())))
		}, req(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel()))), "review_open", ECONFLICT, "there is no open review to decide"},
		{"overturn a conclusive review as reasonable grounds", func(t *testing.T) *walker { return adultCase(t).notIdentifiedConclusive() },
			req(ReviewOverturnedReasonableGrounds, haven.RoleCompetentBody, with(decision(panel()))), "review_of_reasonable_grounds", ECONFLICT,
			"the open review is of a conclusive decision: overturning it identifies her (review_overturned_conclusive)"},
		{"overturn a reasonable-grounds review as conclusive", func(t *testing.T) *walker { return adultCase(t).notIdentifiedRG() },
			req(ReviewOverturnedConclusive, haven.RoleCompetentBody, with(decision(panel()))), "review_of_conclusive", ECONFLICT,
			"the open review is of a reasonable-grounds decision: overturning it makes her a presumed victim (review_overturned_reasonable_grounds)"},
		{"reconsideration while the review is open", func(t *testing.T) *walker { return adultCase(t).notIdentifiedRG() },
			req(RequestReconsideration, haven.RoleFirstResponder, reasons("new statement")), "review_already_open", ECONFLICT,
			"a review is already open: the independent panel will consider the request (GR 38 §38)"},
		{"transfer under review", func(t *testing.T) *walker { return adultCase(t).notIdentifiedRG() },
			req(CloseTransferred, haven.RoleCaseworker), "review_before_transfer", ECONFLICT,
			"a case under review is transferred only after the independent panel decides (GR 38 §38)"},

		// Removal and return.
		{"removal during the reflection period", func(t *testing.T) *walker {
			return set(adultCase(t).inReflection(), func(f *Facts) { f.RiskAssessmentAt = t0 })
		}, req(RecordRemoval, haven.RoleImmigration), "no_removal_during_reflection", ECONFLICT,
			"no removal while the reflection and recovery period runs (GR 38 §92)"},
		{"removal after withdrawal during the period", func(t *testing.T) *walker {
			return adultCase(t).presumed().do(CloseWithdrawn, haven.RoleCaseworker).after(29 * day)
		}, req(RecordRemoval, haven.RoleImmigration), "no_removal_during_reflection", ECONFLICT,
			"no removal while the reflection and recovery period runs (GR 38 §92)"},
		{"removal while identification is pending", referred, req(RecordRemoval, haven.RoleImmigration), "no_removal_identification_pending", ECONFLICT,
			"no removal while identification is pending (GR 38 §87(d), §92)"},
		{"removal during a review", func(t *testing.T) *walker { return adultCase(t).notIdentifiedRG() },
			req(RecordRemoval, haven.RoleImmigration), "no_removal_identification_pending", ECONFLICT, "~while identification is pending"},
		{"removal of an identified victim", func(t *testing.T) *walker { return adultCase(t).identified().after(40 * day) },
			req(RecordRemoval, haven.RoleImmigration), "no_removal_of_identified_victim", ECONFLICT,
			"an identified victim is protected against forcible return: only her voluntary return can be recorded (GR 38 §41, §89(a))"},
		{"removal during an asylum claim", func(t *testing.T) *walker {
			return adultCase(t).notIdentifiedRG().do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel()))).do(RecordAsylumClaim, haven.RoleCaseworker)
		}, req(RecordRemoval, haven.RoleImmigration), "no_removal_asylum_pending", ECONFLICT, "no removal while an asylum claim is pending (GR 38 §88)"},
		{"removal twice", func(t *testing.T) *walker {
			return adultCase(t).notIdentifiedRG().do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel()))).
				do(RecordRiskAssessment, haven.RoleCaseworker).do(RecordRemoval, haven.RoleImmigration)
		}, req(RecordRemoval, haven.RoleImmigration), "removal_recorded", ECONFLICT, "a removal is already recorded"},
		{"removal without risk assessment", func(t *testing.T) *walker {
			return adultCase(t).notIdentifiedRG().do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel())))
		}, req(RecordRemoval, haven.RoleImmigration), "return_needs_risk_assessment", ECONFLICT,
			"a return needs an individual risk and security assessment (GR 38 §89)"},
		{"voluntary return without risk assessment", func(t *testing.T) *walker {
			return adultCase(t).inReflection().do(RecordReturnWish, haven.RoleCaseworker)
		}, req(CloseReturned, haven.RoleCaseworker), "return_needs_risk_assessment", ECONFLICT,
			"a return needs an individual risk and security assessment (GR 38 §89)"},
		{"girl returned without best-interests determination", func(t *testing.T) *walker {
			return childCase(t).do(RecordRiskAssessment, haven.RoleCaseworker).do(RecordReturnWish, haven.RoleCaseworker)
		}, req(CloseReturned, haven.RoleCaseworker), "return_child_best_interests", ECONFLICT,
			"a girl is returned only after a best-interests determination (GR 38 §90)"},
		{"girl returned without reintegration plan", func(t *testing.T) *walker {
			return childCase(t).withGuardianAndBID().do(RecordRiskAssessment, haven.RoleCaseworker).do(RecordReturnWish, haven.RoleGuardian)
		}, req(CloseReturned, haven.RoleCaseworker), "return_child_reintegration_plan", ECONFLICT,
			"a girl is returned only with a reintegration plan in the country of return (GR 38 §90)"},
		{"girl removed without reintegration plan", func(t *testing.T) *walker {
			return childCase(t).withGuardianAndBID().notIdentifiedRG().do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel()))).
				do(RecordRiskAssessment, haven.RoleCaseworker)
		}, req(RecordRemoval, haven.RoleImmigration), "return_child_reintegration_plan", ECONFLICT, "~reintegration plan"},
		{"return she did not ask for", func(t *testing.T) *walker {
			return adultCase(t).assisted().do(RecordRiskAssessment, haven.RoleCaseworker)
		}, req(CloseReturned, haven.RoleCaseworker), "return_voluntary", ECONFLICT,
			"a return is recorded only as a voluntary return she asked for: record her wish first (GR 38 §91)"},

		// Children.
		{"child integrated without best-interests determination", func(t *testing.T) *walker {
			return childCase(t).do(AppointGuardian, haven.RoleCaseworker).assisted()
		}, req(CloseIntegrated, haven.RoleCaseworker), "child_best_interests_first", ECONFLICT,
			"a child's case needs a best-interests determination before any durable decision (GR 38 §96)"},
		{"child transferred without best-interests determination", childCase,
			req(CloseTransferred, haven.RoleFirstResponder), "child_best_interests_first", ECONFLICT, "~best-interests determination"},
		{"missing child's case closed", func(t *testing.T) *walker {
			return childCase(t).withGuardianAndBID().do(ReportMissing, haven.RoleGuardian)
		}, req(CloseWithdrawn, haven.RoleCaseworker), "child_missing_case_open", ECONFLICT,
			"a missing child's case stays open while the missing-child protocol runs (GR 38 §96)"},
		{"child detained", childCase, req(RecordDetention, haven.RoleImmigration), "child_never_detained", ECONFLICT, "a child is never detained (GR 38 §96)"},
		{"child of unknown age detained", func(t *testing.T) *walker {
			// The caller derives Child from VictimContext.TreatedAsChild:
			// unknown age is a child.
			c := newCase(haven.VictimContext{AgeStatus: "unknown"}.TreatedAsChild())
			return walk(t, c)
		}, req(RecordDetention, haven.RoleLawEnforcement), "child_never_detained", ECONFLICT, "a child is never detained (GR 38 §96)"},
		{"guardian for an adult", adultCase, req(AppointGuardian, haven.RoleCaseworker), "guardian_for_child", ECONFLICT,
			"a guardian is appointed for a person treated as a child (GR 38 §96)"},
		{"second guardian", func(t *testing.T) *walker { return childCase(t).do(AppointGuardian, haven.RoleCaseworker) },
			req(AppointGuardian, haven.RoleFirstResponder), "guardian_appointed", ECONFLICT, "a guardian is already appointed"},
		{"best interests of an adult", adultCase, req(RecordBestInterests, haven.RoleCompetentBody), "best_interests_for_child", ECONFLICT,
			"a best-interests determination is made for a person treated as a child (GR 38 §96)"},
		{"best interests without guardian", childCase, req(RecordBestInterests, haven.RoleCompetentBody), "best_interests_needs_guardian", ECONFLICT,
			"a best-interests determination needs the child's guardian (GR 38 §96, §103)"},
		{"age assessment of a known adult", adultCase, req(RecordAgeAssessment, haven.RoleCompetentBody, with(ageAssessment(Adult))),
			"age_assessment_when_disputed", ECONFLICT, "~an age assessment is made only when"},
		{"age assessment without guardian", childCase, req(RecordAgeAssessment, haven.RoleCompetentBody, with(ageAssessment(Adult))),
			"age_assessment_needs_guardian", ECONFLICT, "an age assessment of a girl is overseen by her guardian (GR 38 §96)"},

		// Recorded facts.
		{"missing twice", func(t *testing.T) *walker { return adultCase(t).do(ReportMissing, haven.RoleCaseworker) },
			req(ReportMissing, haven.RoleCaseworker), "already_missing", ECONFLICT, "she is already reported missing"},
		{"found when not missing", adultCase, req(ReportFound, haven.RoleCaseworker), "not_missing", ECONFLICT, "she is not reported missing"},
		{"detained twice", func(t *testing.T) *walker { return adultCase(t).do(RecordDetention, haven.RoleImmigration) },
			req(RecordDetention, haven.RoleImmigration), "already_detained", ECONFLICT, "she is already recorded as detained"},
		{"released when not detained", adultCase, req(RecordRelease, haven.RoleImmigration), "not_detained", ECONFLICT, "she is not recorded as detained"},
		{"wish twice", func(t *testing.T) *walker { return adultCase(t).do(RecordReturnWish, haven.RoleCaseworker) },
			req(RecordReturnWish, haven.RoleCaseworker), "return_wish_recorded", ECONFLICT, "her wish to return is already recorded"},
		{"withdraw no wish", adultCase, req(WithdrawReturnWish, haven.RoleCaseworker), "no_return_wish", ECONFLICT, "no wish to return is recorded"},
		{"asylum twice", func(t *testing.T) *walker { return adultCase(t).do(RecordAsylumClaim, haven.RoleCaseworker) },
			req(RecordAsylumClaim, haven.RoleFirstResponder), "asylum_claim_pending", ECONFLICT, "an asylum claim is already pending"},
		{"asylum decided without claim", adultCase, req(RecordAsylumDecided, haven.RoleCaseworker), "no_asylum_claim", ECONFLICT, "no asylum claim is pending"},

		// Residence.
		{"reflection permit after the period", func(t *testing.T) *walker { return adultCase(t).identified().after(40 * day) },
			req(RequestResidencePermit, haven.RoleCaseworker, permit(haven.PermitReflection)), "permit_reflection_runs", ECONFLICT,
			"a reflection-period permit is for a reflection and recovery period that runs (GR 38 §92)"},
		{"temporary permit after a decided review", func(t *testing.T) *walker {
			return adultCase(t).notIdentifiedRG().do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel())))
		}, req(RequestResidencePermit, haven.RoleCaseworker, permit(haven.PermitTemporary)), "permit_temporary_presumed_or_identified", ECONFLICT,
			"a temporary residence permit is for a presumed victim pending identification or an identified victim (GR 38 §92)"},
		{"permanent permit before identification", func(t *testing.T) *walker { return adultCase(t).inReflection() },
			req(RequestResidencePermit, haven.RoleCaseworker, permit(haven.PermitPermanent)), "permit_permanent_identified", ECONFLICT,
			"a permanent residence permit is for an identified victim (GR 38 §92)"},
	}
}

func TestRefusals(t *testing.T) {
	for _, rc := range refusalCases() {
		t.Run(rc.name, rc.run)
	}
}

// Every rule refuses something, and the refusal table shows it.
func TestEveryRuleHasARefusalCase(t *testing.T) {
	covered := map[string]bool{}
	for _, rc := range refusalCases() {
		covered[rc.rule] = true
	}
	for _, r := range Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no refusal case", r.ID)
		}
	}
}

// The rules of GR 38 say so in their messages; a rule's id and message are
// unique so that a refusal names one rule.
func TestRuleMessages(t *testing.T) {
	ids, messages := map[string]bool{}, map[string]bool{}
	for _, r := range Rules() {
		if ids[r.ID] || messages[r.Message] {
			t.Errorf("rule %s: id or message repeated", r.ID)
		}
		ids[r.ID], messages[r.Message] = true, true
		if !slicesContains([]string{haven.EINVALID, haven.EFORBIDDEN, haven.ECONFLICT}, r.Code) {
			t.Errorf("rule %s: code %s", r.ID, r.Code)
		}
	}
	for _, row := range table {
		for _, g := range row.guards {
			if !strings.Contains(g.rule.Message, "(GR 38 §") && !factRule(g.rule) {
				t.Errorf("guard %s of %s cites no paragraph of GR 38", g.rule.ID, row.event)
			}
		}
	}
}

// factRule tells whether r only says that a fact is or is not recorded yet,
// which needs no paragraph of GR 38.
func factRule(r *Rule) bool {
	return slicesContains([]*Rule{ruleAlreadyMissing, ruleNotMissing, ruleAlreadyDetained, ruleNotDetained, ruleWishRecorded,
		ruleNoWish, ruleAsylumPending, ruleNoAsylum, ruleGuardianAppointed, ruleRemovalRecorded, ruleReviewOpen,
		ruleReviewOfRG, ruleReviewOfConclusive}, r)
}

func slicesContains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestRefusalIsAHavenError(t *testing.T) {
	w := adultCase(t).notIdentifiedRG().do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel())))
	_, err := Fire(cfg, FactsOf(w.cs), req(RecordRemoval, haven.RoleImmigration), w.now)
	if haven.ErrorCode(err) != haven.ECONFLICT || haven.ErrorMessage(err) != "a return needs an individual risk and security assessment (GR 38 §89)" {
		t.Fatalf("got %v", err)
	}
}

// The whole path of an adult from encounter to integration, and what each
// step does besides moving her on.
func TestPathToIntegration(t *testing.T) {
	w := adultCase(t).referred()
	w.do(ReasonableGroundsPositive, haven.RoleCompetentBody, with(decision(team())))
	rg := w.history[len(w.history)-1].Outcome
	if !rg.Has(EffectReflectionGranted) || !rg.Reflection.From.Equal(rg.At) || rg.Reflection.Until.Sub(rg.At) != 30*day {
		t.Fatalf("reasonable grounds granted %+v, want 30 days from the decision", rg.Reflection)
	}
	if rg.Decision.Kind != KindReasonableGrounds || rg.Decision.Outcome != Positive {
		t.Errorf("decision recorded as %s/%s", rg.Decision.Kind, rg.Decision.Outcome)
	}
	w.do(StartReflection, haven.RoleCaseworker).
		do(RequestResidencePermit, haven.RoleCaseworker, permit(haven.PermitReflection)).
		do(ConclusivePositive, haven.RoleCompetentBody, with(decision(team()))).
		do(StartAssistance, haven.RoleCaseworker).
		do(RequestResidencePermit, haven.RoleCaseworker, permit(haven.PermitPermanent)).
		do(CloseIntegrated, haven.RoleCaseworker)
	last := w.history[len(w.history)-1].Outcome
	if w.cs.State != haven.StateClosed || last.ClosureReason != "integrated" || !last.Has(EffectCaseClosed) {
		t.Errorf("closed as %+v", last)
	}
	if w.cs.IdentifiedAt.IsZero() {
		t.Error("identification not recorded")
	}
}

// A negative decision opens a review at once; the panel overturns it and
// the reflection period is granted then.
func TestNegativeDecisionIsReviewed(t *testing.T) {
	w := adultCase(t).notIdentifiedRG()
	o := w.history[len(w.history)-1].Outcome
	if !o.Has(EffectReviewOpened) || o.Review == nil || !o.Review.Open || o.Review.Of != KindReasonableGrounds {
		t.Fatalf("negative decision outcome %+v, want a review opened", o)
	}
	if diff := cmp.Diff([]string{"mdt-ngo", "mdt-health", "mdt-police"}, w.cs.Review.Against); diff != "" {
		t.Errorf("review against (-want +got):\n%s", diff)
	}
	alerts := Alerts(FactsOf(w.cs), cfg, w.now)
	if !hasAlert(alerts, AlertReviewDue) {
		t.Errorf("alerts %v, want the review in the panel's inbox", alerts)
	}
	w.do(ReviewOverturnedReasonableGrounds, haven.RoleCompetentBody, with(decision(panel())))
	if w.cs.State != haven.StatePresumedVictim || !w.cs.Reflection.Runs(w.now) || w.cs.Review.Open {
		t.Fatalf("after the review: %+v", w.cs.Facts)
	}
}

// An upheld decision can be reconsidered at a first responder's or an
// advocate's request, and the panel may then identify her.
func TestReconsideration(t *testing.T) {
	w := adultCase(t).notIdentifiedConclusive().
		do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel()))).
		do(RequestReconsideration, haven.RoleCaseworker, reasons("she disclosed debt bondage in a later interview"))
	if !w.cs.Review.Open || !w.cs.Review.Reconsideration || w.cs.Review.Of != KindConclusive {
		t.Fatalf("review after the request: %+v", w.cs.Review)
	}
	w.do(ReviewOverturnedConclusive, haven.RoleCompetentBody, with(decision([]Member{
		{UserID: "panel-2", Role: haven.RoleCaseworker, Sector: haven.SectorHealth},
		{UserID: "panel-3", Role: haven.RoleCompetentBody, Sector: haven.SectorLabourInspection},
	})))
	if w.cs.State != haven.StateIdentified || w.cs.IdentifiedAt.IsZero() {
		t.Fatalf("after reconsideration: %s", w.cs.State)
	}
}

// A survivor who wishes to go home during her reflection period can: a
// voluntary return is not a removal.
func TestVoluntaryReturnDuringReflection(t *testing.T) {
	w := adultCase(t).inReflection().
		do(RecordReturnWish, haven.RoleCaseworker).
		do(RecordRiskAssessment, haven.RoleCompetentBody).
		do(CloseReturned, haven.RoleCaseworker)
	if w.cs.State != haven.StateClosed || w.cs.ClosureReason != "returned" {
		t.Fatalf("state %s, reason %s", w.cs.State, w.cs.ClosureReason)
	}
	// And immigration still cannot record a removal while her period runs.
	_, err := Fire(cfg, FactsOf(w.cs), req(RecordRemoval, haven.RoleImmigration), w.now)
	if refusal(t, err).Rule.ID != "no_removal_during_reflection" {
		t.Errorf("removal after her return: %v", err)
	}
}

// A girl's return needs the assessment, her best interests and a plan.
func TestChildReturn(t *testing.T) {
	w := childCase(t).withGuardianAndBID().inReflection().
		do(RecordReturnWish, haven.RoleGuardian).
		do(RecordRiskAssessment, haven.RoleCompetentBody).
		do(RecordReintegrationPlan, haven.RoleCaseworker).
		do(CloseReturned, haven.RoleCaseworker)
	if w.cs.State != haven.StateClosed {
		t.Fatal(w.cs.State)
	}
}

// Removal is possible only once nothing protects against it.
func TestRemovalAfterUpheldReview(t *testing.T) {
	w := adultCase(t).notIdentifiedRG().
		do(ReviewUpheld, haven.RoleCompetentBody, with(decision(panel()))).
		do(RecordRiskAssessment, haven.RoleCompetentBody).
		do(RecordRemoval, haven.RoleImmigration).
		do(CloseReturned, haven.RoleCaseworker)
	if w.cs.RemovedAt.IsZero() || w.cs.ClosureReason != "returned" {
		t.Fatalf("%+v", w.cs.Facts)
	}
}

func TestMissingChildProtocol(t *testing.T) {
	w := childCase(t).do(ReportMissing, haven.RoleServiceProvider)
	o := w.history[len(w.history)-1].Outcome
	if !o.Has(EffectMissingChildProtocol) {
		t.Fatalf("effects %v, want the missing-child protocol", o.Effects)
	}
	if a := Alerts(FactsOf(w.cs), cfg, w.now); !hasAlert(a, AlertMissingChild) {
		t.Errorf("alerts %v", a)
	}
	w = adultCase(t).do(ReportMissing, haven.RoleServiceProvider)
	if o := w.history[len(w.history)-1].Outcome; o.Has(EffectMissingChildProtocol) {
		t.Error("missing-child protocol for an adult")
	}
}

// An age assessment that finds her an adult ends the child safeguards; the
// caller updates the case's age status from the effect.
func TestAgeAssessment(t *testing.T) {
	w := childCase(t).do(AppointGuardian, haven.RoleCaseworker).
		do(RecordAgeAssessment, haven.RoleCompetentBody, with(ageAssessment(Adult)))
	o := w.history[len(w.history)-1].Outcome
	if w.cs.Child || !o.Has(EffectAgeAssessed) || o.Decision.Kind != KindAgeAssessment {
		t.Fatalf("after the assessment: child %v, outcome %+v", w.cs.Child, o)
	}
}

func TestWithdrawalEndsAnOpenReview(t *testing.T) {
	w := adultCase(t).notIdentifiedRG().do(CloseWithdrawn, haven.RoleCaseworker)
	o := w.history[len(w.history)-1].Outcome
	if !o.Has(EffectReviewWithdrawn) || w.cs.Review.Open || !w.cs.Review.Withdrawn {
		t.Fatalf("%+v", w.cs.Review)
	}
}

// Fire does not touch what it is given, even the slices inside.
func TestFireIsPure(t *testing.T) {
	w := adultCase(t).notIdentifiedRG()
	f := FactsOf(w.cs)
	before := f.clone()
	d := decision(panel())
	dBefore := d.clone()
	o, err := Fire(cfg, f, req(ReviewUpheld, haven.RoleCompetentBody, with(d)), w.now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f, before) || !reflect.DeepEqual(d, dBefore) {
		t.Fatal("Fire changed its input")
	}
	o.Decision.Members[0].UserID = "changed"
	if d.Members[0].UserID == "changed" {
		t.Fatal("the outcome shares the request's decision")
	}
}

func TestAllowed(t *testing.T) {
	w := adultCase(t).referred()
	got := Allowed(cfg, FactsOf(w.cs), actor(haven.RoleCompetentBody), w.now)
	for _, want := range []Event{ReasonableGroundsPositive, ReasonableGroundsNegative, RecordRiskAssessment} {
		if !slicesContains(got, want) {
			t.Errorf("competent body may %v, missing %s", got, want)
		}
	}
	if got := Allowed(cfg, FactsOf(w.cs), actor(haven.RoleImmigration), w.now); len(got) != 1 || got[0] != RecordDetention {
		t.Errorf("immigration may %v on a referred case, want only record_detention", got)
	}
	if got := Allowed(cfg, FactsOf(w.cs), actor(haven.RoleAdministrator), w.now); len(got) != 0 {
		t.Errorf("administrator may %v", got)
	}
	// Everything Allowed offers is accepted with good inputs.
	for _, r := range haven.Roles {
		for _, e := range Allowed(cfg, FactsOf(w.cs), actor(r), w.now) {
			q := req(e, r)
			if rr, _ := rowFor(e, w.cs.State); rr.decision != "" {
				q.Decision = decision(team())
			}
			if _, err := Fire(cfg, FactsOf(w.cs), q, w.now); err != nil {
				t.Errorf("%s by %s offered but refused: %v", e, r, err)
			}
		}
	}
}

func hasAlert(alerts []Alert, rule string) bool {
	for _, a := range alerts {
		if a.Rule == rule {
			return true
		}
	}
	return false
}
