package screening

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Observations in the fixture's adult list that make each element present.
var (
	recruitmentByDeception = []string{"a.dr.s1", "a.dr.w1"}            // one strong and one weak
	exploitation           = []string{"a.ex.m1", "a.ex.m2", "a.ex.w1"} // two medium and one weak
	coercionAtDestination  = []string{"a.cd.s1", "a.cd.s2"}            // two strong
)

func concat(groups ...[]string) []string { return slices.Concat(groups...) }

func TestEvaluateOutcome(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		name        string
		list        string
		age         AgeStatus
		answers     map[string]Observation
		want        SuggestedOutcome
		wantPresent []Dimension
		wantReasons []string // codes that must be among the reasons
		notReasons  []string // codes that must not be
	}{
		{
			name:        "adult with recruitment, exploitation and coercion at destination",
			list:        "adult",
			age:         AgeAdult,
			answers:     observed(concat(recruitmentByDeception, exploitation, coercionAtDestination)...),
			want:        SuggestReferral,
			wantPresent: []Dimension{DeceptiveRecruitment, ExploitativeConditions, CoercionAtDestination},
			wantReasons: []string{"age.adult", "element.recruitment.present", "element.exploitation.present", "element.means-at-destination.present"},
			notReasons:  []string{"child-protection"},
		},
		{
			name:        "adult without means at destination is not referred",
			list:        "adult",
			age:         AgeAdult,
			answers:     observed(concat(recruitmentByDeception, exploitation)...),
			want:        SuggestContinueAssessment,
			wantPresent: []Dimension{DeceptiveRecruitment, ExploitativeConditions},
			wantReasons: []string{"element.means-at-destination.absent", "exploitation-without-trafficking"},
		},
		{
			name:        "child: recruitment and exploitation suffice",
			list:        "child",
			age:         AgeChild,
			answers:     observed("c.cr.s1", "c.cr.s2", "c.ex.m1", "c.ex.m2", "c.ex.m3"),
			want:        SuggestReferral,
			wantPresent: []Dimension{CoerciveRecruitment, ExploitativeConditions},
			wantReasons: []string{"age.child", "element.means-at-destination.not-required", "child-protection"},
			notReasons:  []string{"element.means-at-destination.absent"},
		},
		{
			name:        "unknown age is screened as a child",
			list:        "child",
			age:         AgeUnknown,
			answers:     observed("c.dr.s1", "c.dr.m1", "c.ex.s1", "c.ex.w1"),
			want:        SuggestReferral,
			wantReasons: []string{"age.unknown", "element.means-at-destination.not-required", "child-protection"},
		},
		{
			name:        "disputed age is screened as a child",
			list:        "child",
			age:         AgeDisputed,
			answers:     observed("c.dr.s1", "c.dr.m1", "c.ex.s1", "c.ex.w1"),
			want:        SuggestReferral,
			wantReasons: []string{"age.disputed", "child-protection"},
		},
		{
			name:        "the same answers for a known adult are not enough",
			list:        "adult",
			age:         AgeAdult,
			answers:     observed("a.dr.s1", "a.dr.m1", "a.ex.s1", "a.ex.w1"),
			want:        SuggestContinueAssessment,
			wantReasons: []string{"age.adult", "element.means-at-destination.absent"},
		},
		{
			name:        "child with exploitation but no recruitment",
			list:        "child",
			age:         AgeChild,
			answers:     observed("c.ex.s1", "c.ex.s2"),
			want:        SuggestContinueAssessment,
			wantPresent: []Dimension{ExploitativeConditions},
			wantReasons: []string{"element.recruitment.absent", "child-protection"},
			notReasons:  []string{"exploitation-without-trafficking"},
		},
		{
			name:        "abuse of vulnerability at recruitment and at destination",
			list:        "adult",
			age:         AgeAdult,
			answers:     observed("a.vr.m1", "a.vr.m2", "a.vr.w1", "a.ex.s1", "a.ex.s2", "a.vd.m1", "a.vd.m2", "a.vd.m3"),
			want:        SuggestReferral,
			wantPresent: []Dimension{RecruitmentAbuseOfVulnerability, ExploitativeConditions, AbuseOfVulnerabilityAtDestination},
		},
		{
			name:        "nothing observed",
			list:        "adult",
			age:         AgeAdult,
			answers:     nil,
			want:        SuggestInsufficientIndicators,
			wantReasons: []string{"not-asked"},
		},
		{
			name:    "one strong indicator alone: no dimension, but continue",
			list:    "adult",
			age:     AgeAdult,
			answers: observed("a.cd.s1"),
			want:    SuggestContinueAssessment,
		},
		{
			name:    "weak indicators everywhere are not enough",
			list:    "adult",
			age:     AgeAdult,
			answers: observed("a.dr.w1", "a.dr.w2", "a.dr.w3", "a.ex.w1", "a.ex.w2", "a.ex.w3", "a.cd.w1", "a.cd.w2", "a.cd.w3"),
			want:    SuggestInsufficientIndicators,
		},
		{
			name:    "two medium in each dimension are not enough",
			list:    "adult",
			age:     AgeAdult,
			answers: observed("a.dr.m1", "a.dr.m2", "a.ex.m1", "a.ex.m2", "a.cd.m1", "a.cd.m2"),
			want:    SuggestInsufficientIndicators,
		},
		{
			name: "not observed and not asked do not count",
			list: "adult",
			age:  AgeAdult,
			answers: map[string]Observation{
				"a.dr.s1": NotObserved, "a.dr.s2": NotObserved, "a.ex.s1": NotAsked, "a.ex.s2": NotAsked,
				"a.cd.s1": NotObserved, "a.cd.s2": NotObserved,
			},
			want: SuggestInsufficientIndicators,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Evaluate(c, Answers{List: tt.list, Age: tt.age, Observations: tt.answers})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if r.Suggestion.Outcome != tt.want {
				t.Errorf("outcome = %q, want %q", r.Suggestion.Outcome, tt.want)
			}
			if tt.wantPresent != nil {
				var present []Dimension
				for _, d := range r.Dimensions {
					if d.Present {
						present = append(present, d.Dimension)
					}
				}
				if diff := cmp.Diff(tt.wantPresent, present); diff != "" {
					t.Errorf("present dimensions (-want +got):\n%s", diff)
				}
			}
			codes := reasonCodes(r.Suggestion.Reasons)
			for _, code := range tt.wantReasons {
				if !slices.Contains(codes, code) {
					t.Errorf("reason %q missing from %v", code, codes)
				}
			}
			for _, code := range tt.notReasons {
				if slices.Contains(codes, code) {
					t.Errorf("reason %q should not be in %v", code, codes)
				}
			}
			if r.TreatedAsChild != tt.age.TreatedAsChild() {
				t.Errorf("TreatedAsChild = %v for age %q", r.TreatedAsChild, tt.age)
			}
		})
	}
}

func reasonCodes(reasons []Reason) []string {
	var codes []string
	for _, r := range reasons {
		codes = append(codes, r.Code)
	}
	return codes
}

// TestEvaluateExplainsDimensions checks that each dimension says which
// indicators it counted and which clause of the rule it met.
func TestEvaluateExplainsDimensions(t *testing.T) {
	c := loadFixture(t)
	r, err := Evaluate(c, Answers{List: "adult", Age: AgeAdult, Observations: observed(
		"a.dr.s1", "a.dr.s2", // two strong
		"a.cr.s1", "a.cr.m1", // strong and other
		"a.vr.m1", "a.vr.m2", "a.vr.m3", // three medium
		"a.ex.m1", "a.ex.m2", "a.ex.w3", // two medium and one weak
		"a.cd.s1",            // one strong alone
		"a.vd.m1", "a.vd.w1", // not enough
	)})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	type dim struct {
		Present  bool
		Clause   Clause
		Counts   Counts
		Observed []string
	}
	want := map[Dimension]dim{
		DeceptiveRecruitment:              {true, ClauseTwoStrong, Counts{Strong: 2}, []string{"a.dr.s1", "a.dr.s2"}},
		CoerciveRecruitment:               {true, ClauseStrongPlusOther, Counts{Strong: 1, Medium: 1}, []string{"a.cr.s1", "a.cr.m1"}},
		RecruitmentAbuseOfVulnerability:   {true, ClauseThreeMedium, Counts{Medium: 3}, []string{"a.vr.m1", "a.vr.m2", "a.vr.m3"}},
		ExploitativeConditions:            {true, ClauseTwoMediumOneWeak, Counts{Medium: 2, Weak: 1}, []string{"a.ex.m1", "a.ex.m2", "a.ex.w3"}},
		CoercionAtDestination:             {false, ClauseNone, Counts{Strong: 1}, []string{"a.cd.s1"}},
		AbuseOfVulnerabilityAtDestination: {false, ClauseNone, Counts{Medium: 1, Weak: 1}, []string{"a.vd.m1", "a.vd.w1"}},
	}
	got := map[Dimension]dim{}
	for _, d := range r.Dimensions {
		got[d.Dimension] = dim{d.Present, d.Clause, d.Counts, d.Observed}
		if d.Present && !strings.Contains(d.Reason, c.text("clause."+string(d.Clause))) {
			t.Errorf("%s: reason %q does not name the clause", d.Dimension, d.Reason)
		}
		if !strings.Contains(d.Reason, d.Name) {
			t.Errorf("%s: reason %q does not name the dimension", d.Dimension, d.Reason)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dimensions (-want +got):\n%s", diff)
	}
	if r.Suggestion.Outcome != SuggestContinueAssessment {
		t.Errorf("outcome = %q, want %q: no means at destination for an adult", r.Suggestion.Outcome, SuggestContinueAssessment)
	}
	var recruitment ElementResult
	for _, e := range r.Elements {
		if e.Element == Recruitment {
			recruitment = e
		}
	}
	wantDims := []Dimension{DeceptiveRecruitment, CoerciveRecruitment, RecruitmentAbuseOfVulnerability}
	if diff := cmp.Diff(wantDims, recruitment.Dimensions); diff != "" {
		t.Errorf("recruitment element dimensions (-want +got):\n%s", diff)
	}
}

func TestEvaluateIndicatorsAndRecord(t *testing.T) {
	c := loadFixture(t)
	r, err := Evaluate(c, Answers{List: "adult", Age: AgeAdult, Observations: map[string]Observation{
		"a.dr.s1": Observed, "a.dr.s2": NotObserved,
	}})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if len(r.Indicators) != 6*8 {
		t.Fatalf("got %d indicator results, want every indicator of the list (48)", len(r.Indicators))
	}
	byID := map[string]IndicatorResult{}
	for _, ir := range r.Indicators {
		byID[ir.ID] = ir
	}
	for id, want := range map[string]IndicatorResult{
		"a.dr.s1": {ID: "a.dr.s1", Dimension: DeceptiveRecruitment, Grade: Strong, Label: "Label a.dr.s1", Source: "ilo-ec-2009", Observation: Observed, Observed: true},
		"a.dr.s2": {ID: "a.dr.s2", Dimension: DeceptiveRecruitment, Grade: Strong, Label: "Label a.dr.s2", Source: "ilo-ec-2009", Observation: NotObserved},
		"a.vd.w3": {ID: "a.vd.w3", Dimension: AbuseOfVulnerabilityAtDestination, Grade: Weak, Label: "Label a.vd.w3", Source: "ilo-ec-2009", Observation: NotAsked},
	} {
		if diff := cmp.Diff(want, byID[id]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", id, diff)
		}
	}
	if r.CatalogueVersion != "test.1" || r.CatalogueDate != "2026-01-31" || !strings.HasPrefix(r.CatalogueDigest, "sha256:") {
		t.Errorf("catalogue record = %q %q %q", r.CatalogueVersion, r.CatalogueDate, r.CatalogueDigest)
	}
	if r.Disclaimer == "" || r.Suggestion.Title == "" || r.Suggestion.Text == "" {
		t.Errorf("a text is empty: disclaimer %q, title %q, text %q", r.Disclaimer, r.Suggestion.Title, r.Suggestion.Text)
	}
	if want := (ListSummary{ID: "adult", Title: "List adult", AgeGroup: ForAdults, Source: "ilo-ec-2009"}); r.List != want {
		t.Errorf("list = %+v, want %+v", r.List, want)
	}
}

func TestEvaluateNeverDecides(t *testing.T) {
	c := loadFixture(t)
	r, err := Evaluate(c, Answers{List: "adult", Age: AgeAdult, Observations: observed(concat(recruitmentByDeception, exploitation, coercionAtDestination)...)})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	// The texts come from the shipped messages.yaml: they must speak of a
	// suggestion and send the decision to the competent body.
	if !strings.Contains(r.Disclaimer, "suggests") || !strings.Contains(r.Disclaimer, "does not decide") {
		t.Errorf("disclaimer %q does not say it only suggests", r.Disclaimer)
	}
	if !strings.Contains(r.Suggestion.Text, "competent body") {
		t.Errorf("referral text %q does not send the decision to the competent body", r.Suggestion.Text)
	}
}

func TestEvaluateForcedLabour(t *testing.T) {
	c := loadFixture(t)
	r, err := Evaluate(c, Answers{List: "adult-begging", Age: AgeAdult, Observations: map[string]Observation{
		"a.dr.s1":         Observed, // evidence of fl.deception
		"b.ex.quota":      Observed, // evidence of fl.debt-bondage
		"fl.debt-bondage": Observed,
		"fl.deception":    NotObserved,
	}})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want := []ForcedLabourResult{
		{ID: "fl.deception", Label: "Deception", Observation: NotObserved, Observed: false, SuggestedBy: []string{"a.dr.s1"}},
		{ID: "fl.debt-bondage", Label: "Debt bondage", Observation: Observed, Observed: true, SuggestedBy: []string{"b.ex.quota"}},
	}
	if diff := cmp.Diff(want, r.ForcedLabour); diff != "" {
		t.Errorf("forced labour (-want +got):\n%s", diff)
	}
}

func TestEvaluateVariant(t *testing.T) {
	c := loadFixture(t)
	l, err := c.List("adult-begging")
	if err != nil {
		t.Fatal(err)
	}
	if l.Has("a.cd.s2") {
		t.Errorf("variant holds the omitted a.cd.s2")
	}
	if !l.Has("a.cd.s1") || !l.Has("b.ex.quota") {
		t.Errorf("variant lacks an inherited or an own indicator")
	}
	// The omitted indicator is an error in answers for the variant.
	_, err = Evaluate(c, Answers{List: "adult-begging", Age: AgeAdult, Observations: observed("a.cd.s2")})
	if !errors.Is(err, ErrUnknownIndicator) {
		t.Errorf("omitted indicator: err = %v, want ErrUnknownIndicator", err)
	}
	r, err := Evaluate(c, Answers{List: "adult-begging", Age: AgeAdult, Observations: observed(
		"a.dr.s1", "a.dr.s2", "b.ex.quota", "a.ex.w1", "a.cd.s1", "a.cd.m1")})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if r.Suggestion.Outcome != SuggestReferral {
		t.Errorf("outcome = %q, want %q", r.Suggestion.Outcome, SuggestReferral)
	}
	if !r.List.HavenExtension || !slices.Contains(reasonCodes(r.Suggestion.Cautions), "caution.haven-extension") {
		t.Errorf("a Haven extension list must be marked and cautioned: %+v %v", r.List, r.Suggestion.Cautions)
	}
	for _, ir := range r.Indicators {
		want := "ilo-ec-2009"
		if strings.HasPrefix(ir.ID, "b.") {
			want = "haven"
		}
		if ir.Source != want {
			t.Errorf("%s: source %q, want %q", ir.ID, ir.Source, want)
		}
	}
}

func TestEvaluateAgeAndListCautions(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		name string
		list string
		age  AgeStatus
		want []string
	}{
		{"adult list for a known adult", "adult", AgeAdult, nil},
		{"child list for a child", "child", AgeChild, nil},
		{"adult list for unknown age", "adult", AgeUnknown, []string{"caution.adult-list-for-child"}},
		{"adult list for disputed age", "adult", AgeDisputed, []string{"caution.adult-list-for-child"}},
		{"child list for an adult", "child", AgeAdult, []string{"caution.child-list-for-adult"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Evaluate(c, Answers{List: tt.list, Age: tt.age})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if diff := cmp.Diff(tt.want, reasonCodes(r.Suggestion.Cautions)); diff != "" {
				t.Errorf("cautions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListFor(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		form string
		age  AgeStatus
		want string
	}{
		{"forced_labour", AgeAdult, "adult"},
		{"forced_labour", AgeChild, "child"},
		{"forced_labour", AgeUnknown, "child"},
		{"forced_labour", AgeDisputed, "child"},
		{"begging", AgeAdult, "adult-begging"},
		{"begging", AgeUnknown, "adult-begging"}, // no child list: the adult one, with a caution at evaluation
	}
	for _, tt := range tests {
		t.Run(tt.form+"/"+string(tt.age), func(t *testing.T) {
			l, err := c.ListFor(tt.form, tt.age)
			if err != nil {
				t.Fatalf("ListFor: %v", err)
			}
			if l.ID != tt.want {
				t.Errorf("ListFor = %q, want %q", l.ID, tt.want)
			}
		})
	}
	if _, err := c.ListFor("organ_removal", AgeAdult); !errors.Is(err, ErrUnknownList) {
		t.Errorf("form without list: err = %v, want ErrUnknownList", err)
	}
	if _, err := c.ListFor("forced_labour", "old"); !errors.Is(err, ErrInvalidAnswers) {
		t.Errorf("bad age: err = %v, want ErrInvalidAnswers", err)
	}
}

func TestEvaluateErrors(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		name     string
		answers  Answers
		wantErr  error
		wantText []string // each must appear in the message
	}{
		{
			name:     "unknown indicator id",
			answers:  Answers{List: "adult", Age: AgeAdult, Observations: observed("a.dr.s1", "a.dr.nope")},
			wantErr:  ErrUnknownIndicator,
			wantText: []string{`"a.dr.nope"`, "test.1"},
		},
		{
			name:     "every unknown id is named",
			answers:  Answers{List: "adult", Age: AgeAdult, Observations: observed("zz.one", "zz.two")},
			wantErr:  ErrUnknownIndicator,
			wantText: []string{`"zz.one"`, `"zz.two"`},
		},
		{
			name:     "indicator of another list",
			answers:  Answers{List: "adult", Age: AgeAdult, Observations: observed("c.dr.s1")},
			wantErr:  ErrUnknownIndicator,
			wantText: []string{`"c.dr.s1"`, `list "child"`, `list "adult"`},
		},
		{
			name:     "unknown observation",
			answers:  Answers{List: "adult", Age: AgeAdult, Observations: map[string]Observation{"a.dr.s1": "yes"}},
			wantErr:  ErrInvalidAnswers,
			wantText: []string{`"a.dr.s1"`, `"yes"`},
		},
		{
			name:     "unknown age status",
			answers:  Answers{List: "adult", Age: "teenager"},
			wantErr:  ErrInvalidAnswers,
			wantText: []string{`"teenager"`},
		},
		{
			name:    "missing age status",
			answers: Answers{List: "adult"},
			wantErr: ErrInvalidAnswers,
		},
		{
			name:     "unknown list",
			answers:  Answers{List: "nope", Age: AgeAdult},
			wantErr:  ErrUnknownList,
			wantText: []string{`"nope"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(c, tt.answers)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			for _, text := range tt.wantText {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("error %q does not contain %s", err, text)
				}
			}
			if !strings.HasPrefix(err.Error(), "screening: evaluate: ") {
				t.Errorf("error %q is not wrapped with the operation's name", err)
			}
		})
	}
	if _, err := Evaluate(nil, Answers{}); err == nil {
		t.Errorf("Evaluate(nil) returned no error")
	}
}
