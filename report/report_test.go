package report_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/i18n"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/report"
)

// year2025 is the period of most tests.
var year2025 = report.Period{From: date("2025-01-01"), To: date("2025-12-31")}

// base is a moment inside it.
var base = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func date(s string) haven.Date {
	d, err := haven.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func step(e lifecycle.Event, t time.Time) report.Step { return report.Step{Event: e, At: t} }

// decision is a decision step with its team's facts recorded.
func decision(e lifecycle.Event, t time.Time, sectors int, multi bool) report.Step {
	return report.Step{Event: e, At: t, Sectors: sectors, Multidisciplinary: &multi}
}

func input(cases ...report.Case) *report.Input {
	return &report.Input{Period: year2025, AsOf: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		Limits: lifecycle.DefaultConfig(), Cases: cases}
}

// result returns the indicator id of the report computed over in.
func result(t *testing.T, in *report.Input, id string) report.Result {
	t.Helper()
	for _, r := range report.Compute(in).Results {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no indicator %s", id)
	return report.Result{}
}

// values maps each published figure to its value, and each suppressed one
// to -1.
func values(r report.Result) map[string]float64 {
	out := map[string]float64{}
	for _, f := range r.Figures {
		if f.Suppressed {
			out[f.ID] = -1
		} else {
			out[f.ID] = f.Value
		}
	}
	return out
}

func check(t *testing.T, r report.Result, cases int, want map[string]float64) {
	t.Helper()
	if r.Suppressed {
		t.Fatalf("%s is suppressed, want published over %d cases", r.ID, cases)
	}
	if r.Cases != cases {
		t.Errorf("%s over %d cases, want %d", r.ID, r.Cases, cases)
	}
	if diff := cmp.Diff(want, values(r)); diff != "" {
		t.Errorf("%s figures (-want +got):\n%s", r.ID, diff)
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	twelve := []int{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8} // sorted: 1 1 2 3 3 4 5 5 5 6 8 9
	tests := []struct {
		values []int
		p      float64
		want   int
	}{
		{twelve, 50, 4},  // rank ceil(6) = 6
		{twelve, 90, 8},  // rank ceil(10.8) = 11
		{twelve, 100, 9}, // rank 12
		{twelve, 1, 1},   // rank ceil(0.12) = 1
		{twelve, 20, 2},  // rank ceil(2.4) = 3, not the nearer 2
		{[]int{7}, 50, 7},
		{[]int{10, 20}, 50, 10}, // rank 1: nearest rank never averages
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},      // rank 9
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90, 10}, // rank ceil(9.9) = 10
		{[]int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 50, 6},  // rank ceil(5.5) = 6
	}
	for _, tt := range tests {
		if got, ok := report.Percentile(tt.values, tt.p); !ok || got != tt.want {
			t.Errorf("Percentile(%v, %v) = %d, %v; want %d", tt.values, tt.p, got, ok, tt.want)
		}
	}
	if _, ok := report.Percentile(nil, 50); ok {
		t.Error("a percentile of no values")
	}
}

// referredAndDecided is a case referred at base and given its first
// reasonable-grounds decision after d.
func referredAndDecided(d time.Duration) report.Case {
	return report.Case{OpenedAt: base.Add(-days(3)), Steps: []report.Step{
		step(lifecycle.StartScreening, base.Add(-days(2))),
		step(lifecycle.Refer, base),
		decision(lifecycle.ReasonableGroundsPositive, base.Add(d), 2, true),
	}}
}

func TestReasonableGroundsDays(t *testing.T) {
	// Twelve decisions after 1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 10 and 15 whole
	// days (with a few hours more, which do not count): median the 6th
	// value, 4; 90th percentile the 11th, 10. The limit is 5 days: the six
	// decisions under 5 days are in time.
	var cases []report.Case
	for _, d := range []int{5, 1, 2, 8, 2, 3, 15, 4, 4, 10, 6, 7} {
		cases = append(cases, referredAndDecided(days(d)+3*time.Hour))
	}
	// Not counted: a first decision before the period (a later one in it
	// is not the first), a decision after the period, and a decision with
	// no referral recorded before it.
	early := time.Date(2024, 12, 20, 0, 0, 0, 0, time.UTC)
	cases = append(cases,
		report.Case{Steps: []report.Step{step(lifecycle.Refer, early), step(lifecycle.ReasonableGroundsNegative, early.Add(days(2))),
			step(lifecycle.ReviewOverturnedReasonableGrounds, base), step(lifecycle.ReasonableGroundsPositive, base.Add(days(1)))}},
		report.Case{Steps: []report.Step{step(lifecycle.Refer, time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC)),
			step(lifecycle.ReasonableGroundsPositive, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}},
		report.Case{Steps: []report.Step{step(lifecycle.ReasonableGroundsPositive, base), step(lifecycle.Refer, base.Add(time.Hour))}},
	)
	check(t, result(t, input(cases...), "reasonable_grounds_days"), 12, map[string]float64{
		"cases": 12, "median_days": 4, "p90_days": 10, "within_limit": 6, "within_limit_share": 50,
		"after_limit": 6, "limit_hours": 120,
	})
}

func TestPeriodEndsAreIncluded(t *testing.T) {
	// A decision at the first instant of the period and one in the last
	// second of its last day count; one at the first instant after does not.
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)
	var cases []report.Case
	for i := range 11 {
		at := first
		if i%2 == 1 {
			at = last
		}
		cases = append(cases, report.Case{Steps: []report.Step{step(lifecycle.Refer, at.Add(-days(i))), step(lifecycle.ReasonableGroundsPositive, at)}})
	}
	cases = append(cases, report.Case{Steps: []report.Step{step(lifecycle.Refer, last), step(lifecycle.ReasonableGroundsPositive, last.Add(time.Second))}})
	if r := result(t, input(cases...), "reasonable_grounds_days"); r.Suppressed || r.Cases != 11 {
		t.Fatalf("cases %d (suppressed %v), want 11", r.Cases, r.Suppressed)
	}
}

func TestSuppressionBelowK(t *testing.T) {
	var cases []report.Case
	for i := range report.K - 1 {
		cases = append(cases, referredAndDecided(days(i)))
	}
	r := result(t, input(cases...), "reasonable_grounds_days")
	if !r.Suppressed || r.Cases != 0 || r.Figures != nil {
		t.Fatalf("10 cases: suppressed %v, cases %d, figures %v; want suppressed with no numbers", r.Suppressed, r.Cases, r.Figures)
	}
	cases = append(cases, referredAndDecided(days(20)))
	r = result(t, input(cases...), "reasonable_grounds_days")
	if r.Suppressed || r.Cases != report.K {
		t.Fatalf("11 cases: suppressed %v, cases %d; want published", r.Suppressed, r.Cases)
	}
	// An empty period suppresses every indicator.
	for _, r := range report.Compute(input()).Results {
		if !r.Suppressed || len(r.Figures) != 0 {
			t.Errorf("%s published over no cases", r.ID)
		}
	}
}

func TestStatisticsOverFewerThanKValuesAreSuppressed(t *testing.T) {
	// Twelve periods granted, the length of only five recorded: the count
	// is published, the median, minimum and maximum are not.
	var cases []report.Case
	for i := range 12 {
		s := step(lifecycle.ReasonableGroundsPositive, base.Add(days(i)))
		if i < 5 {
			s.ReflectionDays = 30 + i
		}
		cases = append(cases, report.Case{Steps: []report.Step{s}})
	}
	check(t, result(t, input(cases...), "reflection_periods"), 12, map[string]float64{
		"granted": 12, "median_days": -1, "min_days": -1, "max_days": -1, "shorter_than_minimum": 0, "not_recorded": 7,
	})
	for _, f := range result(t, input(cases...), "reflection_periods").Figures {
		if f.Suppressed && (f.Value != 0 || f.Text() != "") {
			t.Errorf("suppressed %s carries the value %v", f.ID, f.Value)
		}
	}
}

func TestReflectionPeriods(t *testing.T) {
	// Eleven grants at reasonable grounds and one by a review overturning
	// a negative decision; lengths 30 ×6, 45 ×3, 60, 90, and one of 20
	// days that a country's rules should never allow. Sorted: 20 30 30 30
	// 30 30 30 45 45 45 60 90: median (6th) 30, minimum 20, maximum 90.
	lengths := []int{30, 45, 30, 60, 30, 45, 90, 30, 20, 30, 45, 30}
	var cases []report.Case
	for i, n := range lengths {
		e := lifecycle.ReasonableGroundsPositive
		if i == 0 {
			e = lifecycle.ReviewOverturnedReasonableGrounds
		}
		s := step(e, base.Add(days(i)))
		s.ReflectionDays = n
		cases = append(cases, report.Case{Steps: []report.Step{step(lifecycle.Refer, base), s}})
	}
	// Granted outside the period: not counted.
	late := step(lifecycle.ReasonableGroundsPositive, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	late.ReflectionDays = 30
	cases = append(cases, report.Case{Steps: []report.Step{late}})
	check(t, result(t, input(cases...), "reflection_periods"), 12, map[string]float64{
		"granted": 12, "median_days": 30, "min_days": 20, "max_days": 90, "shorter_than_minimum": 1, "not_recorded": 0,
	})
}

func TestMultidisciplinaryDecisions(t *testing.T) {
	// Eleven cases, fifteen decisions in the period: on each case a
	// reasonable-grounds decision by 2 sectors; on four cases also a
	// conclusive decision by 3 sectors, one of them by one sector only (as
	// a decision imported from before Haven could be); one more decision
	// stored before the team's facts were kept. Recorded 14, of which 13
	// multidisciplinary: 92.9 %. Sectors: 2 ×11, 3 ×2, 1 ×1; sorted the
	// 7th of 14 is 2.
	var cases []report.Case
	for i := range 11 {
		c := report.Case{Steps: []report.Step{step(lifecycle.Refer, base), decision(lifecycle.ReasonableGroundsPositive, base.Add(days(1)), 2, true)}}
		switch i {
		case 0, 1:
			c.Steps = append(c.Steps, decision(lifecycle.ConclusivePositive, base.Add(days(60)), 3, true))
		case 2:
			c.Steps = append(c.Steps, decision(lifecycle.ConclusiveNegative, base.Add(days(60)), 1, false))
		case 3:
			c.Steps = append(c.Steps, step(lifecycle.ConclusivePositive, base.Add(days(60))))
		}
		cases = append(cases, c)
	}
	// Not decisions: an age assessment, a referral. Outside the period: a
	// review in 2026.
	cases[4].Steps = append(cases[4].Steps, decision(lifecycle.RecordAgeAssessment, base, 2, true))
	cases[5].Steps = append(cases[5].Steps, decision(lifecycle.ReviewUpheld, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), 2, true))
	check(t, result(t, input(cases...), "multidisciplinary_decisions"), 11, map[string]float64{
		"decisions": 15, "multidisciplinary": 13, "multidisciplinary_share": 92.9, "not_multidisciplinary": 1,
		"not_recorded": 1, "median_sectors": 2,
	})
}

func TestChildGuardians(t *testing.T) {
	// The limit is 24 hours from the opening. Children opened in 2025:
	// 7 with a guardian in time (one at 23 h 59 min), 2 late (one at exactly
	// 24 h, which the inbox already calls overdue), 1 still within the
	// limit when the data was read, 3 past it with no guardian. 13
	// children; in time 7/13 = 53.8 %.
	asOf := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	child := func(opened time.Time, guardianAfter time.Duration) report.Case {
		c := report.Case{OpenedAt: opened, Child: true}
		if guardianAfter >= 0 {
			c.Steps = []report.Step{step(lifecycle.AppointGuardian, opened.Add(guardianAfter))}
		}
		return c
	}
	var cases []report.Case
	for i := range 6 {
		cases = append(cases, child(base.Add(days(i)), time.Duration(i+1)*time.Hour))
	}
	cases = append(cases,
		child(base, 24*time.Hour-time.Minute),
		child(base, 24*time.Hour),
		child(base, days(9)),
		child(asOf.Add(-time.Hour), -1),
		child(base, -1), child(base.Add(days(100)), -1), child(asOf.Add(-24*time.Hour), -1),
	)
	// Not counted: an adult; a child opened before the period.
	cases = append(cases, report.Case{OpenedAt: base}, child(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), days(5)))
	in := input(cases...)
	in.AsOf = asOf
	check(t, result(t, in, "child_guardians"), 13, map[string]float64{
		"children": 13, "in_time": 7, "in_time_share": 53.8, "late": 2, "waiting": 1, "overdue": 3, "limit_hours": 24,
	})
}

func TestReturnsRiskAssessment(t *testing.T) {
	// Twelve returns in 2025: nine voluntary returns after a risk
	// assessment made 10 days before, one removal after an assessment 40
	// days before, one return with the assessment only after it, one with
	// none. Assessed 10 of 12 (83.3 %), 2 not; the days since the
	// assessment are ten values, fewer than K: their median is suppressed.
	returned := func(assessedBefore time.Duration, e lifecycle.Event) report.Case {
		c := report.Case{Steps: []report.Step{step(lifecycle.RecordReturnWish, base.Add(-days(50)))}}
		if assessedBefore > 0 {
			c.Steps = append(c.Steps, step(lifecycle.RecordRiskAssessment, base.Add(-assessedBefore)))
		}
		return report.Case{Steps: append(c.Steps, step(e, base))}
	}
	var cases []report.Case
	for range 9 {
		cases = append(cases, returned(days(10), lifecycle.CloseReturned))
	}
	removed := returned(days(40), lifecycle.RecordRemoval)
	removed.Steps = append(removed.Steps, step(lifecycle.CloseReturned, base.Add(days(1)))) // one return, not two
	assessedAfter := returned(0, lifecycle.CloseReturned)
	assessedAfter.Steps = append(assessedAfter.Steps, step(lifecycle.RecordRiskAssessment, base.Add(time.Hour)))
	cases = append(cases, removed, assessedAfter, returned(0, lifecycle.CloseReturned))
	// Not counted: removed in 2024 and closed as returned in 2025.
	cases = append(cases, report.Case{Steps: []report.Step{
		step(lifecycle.RecordRiskAssessment, time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)),
		step(lifecycle.RecordRemoval, time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)),
		step(lifecycle.CloseReturned, base),
	}})
	r := result(t, input(cases...), "returns_risk_assessment")
	check(t, r, 12, map[string]float64{
		"returns": 12, "removals": 1, "assessed": 10, "assessed_share": 83.3, "not_assessed": 2, "median_days_since_assessment": -1,
	})
	// With one more assessed return the median is published: of 10 ×10
	// and 40, the 6th of 11 is 10.
	cases = append(cases, returned(days(10), lifecycle.CloseReturned))
	check(t, result(t, input(cases...), "returns_risk_assessment"), 13, map[string]float64{
		"returns": 13, "removals": 1, "assessed": 11, "assessed_share": 84.6, "not_assessed": 2, "median_days_since_assessment": 10,
	})
}

func TestNonPunishment(t *testing.T) {
	// Eleven persons with findings in 2025, two of them with two: 13
	// findings. Findings on 2024-12-31 and 2026-01-01 do not count.
	var cases []report.Case
	for i := range 11 {
		c := report.Case{NonPunishment: []haven.Date{date("2025-01-01")}}
		if i < 2 {
			c.NonPunishment = append(c.NonPunishment, date("2025-12-31"))
		}
		cases = append(cases, c)
	}
	cases = append(cases, report.Case{NonPunishment: []haven.Date{date("2024-12-31"), date("2026-01-01")}})
	check(t, result(t, input(cases...), "non_punishment"), 11, map[string]float64{"findings": 13, "persons": 11})
	// Ten persons: too few, whatever the number of findings.
	if r := result(t, input(cases[1:]...), "non_punishment"); !r.Suppressed {
		t.Errorf("10 persons published: %v", values(r))
	}
}

func TestNegativeDecisionsReviewed(t *testing.T) {
	// Twelve negative decisions in 2025 on eleven cases (the limit for a
	// review is 30 days; data read on 2025-12-31 12:00):
	//   4 reasonable-grounds negatives upheld, 2 overturned;
	//   on one case a negative overturned, then a conclusive negative upheld;
	//   2 conclusive negatives still open within 30 days, 1 open past them;
	//   1 closed (she withdrew) before the review.
	// Reviewed 8 of 12 = 66.7 %.
	asOf := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	neg := func(e lifecycle.Event, at time.Time, then ...report.Step) report.Case {
		return report.Case{Steps: append([]report.Step{step(lifecycle.Refer, at.Add(-days(1))), step(e, at)}, then...)}
	}
	var cases []report.Case
	for range 4 {
		cases = append(cases, neg(lifecycle.ReasonableGroundsNegative, base, step(lifecycle.ReviewUpheld, base.Add(days(20)))))
	}
	for range 2 {
		cases = append(cases, neg(lifecycle.ReasonableGroundsNegative, base, step(lifecycle.ReviewOverturnedReasonableGrounds, base.Add(days(20)))))
	}
	cases = append(cases, neg(lifecycle.ReasonableGroundsNegative, base,
		step(lifecycle.ReviewOverturnedReasonableGrounds, base.Add(days(10))),
		step(lifecycle.ReasonableGroundsPositive, base.Add(days(11))), // not a negative
		step(lifecycle.ConclusiveNegative, base.Add(days(100))),
		step(lifecycle.ReviewUpheld, base.Add(days(120))),
		step(lifecycle.RequestReconsideration, base.Add(days(130))),
		step(lifecycle.ReviewOverturnedConclusive, base.Add(days(140))), // the same decision, reviewed again
	))
	cases = append(cases,
		neg(lifecycle.ConclusiveNegative, asOf.Add(-days(5))),
		neg(lifecycle.ConclusiveNegative, asOf.Add(-days(29))),
		neg(lifecycle.ConclusiveNegative, asOf.Add(-days(31))),
		neg(lifecycle.ReasonableGroundsNegative, base, step(lifecycle.CloseWithdrawn, base.Add(days(3)))),
	)
	// A review after the period counts; a negative decision before it
	// does not.
	cases[0].Steps[2].At = time.Date(2025, 12, 31, 8, 0, 0, 0, time.UTC)
	cases = append(cases, neg(lifecycle.ReasonableGroundsNegative, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)))
	in := input(cases...)
	in.AsOf = asOf
	check(t, result(t, in, "negative_decisions_reviewed"), 11, map[string]float64{
		"negatives": 12, "reasonable_grounds": 8, "conclusive": 4, "reviewed": 8, "reviewed_share": 66.7,
		"upheld": 5, "overturned": 3, "waiting": 2, "overdue": 1, "closed": 1, "limit_hours": 720,
	})
}

func TestShortfallsListPublishedBreachesInOrder(t *testing.T) {
	var cases []report.Case
	for i := range 12 {
		c := report.Case{Steps: []report.Step{step(lifecycle.RecordReturnWish, base)}}
		if i > 0 {
			c.Steps = append(c.Steps, step(lifecycle.RecordRiskAssessment, base))
		}
		c.Steps = append(c.Steps, step(lifecycle.CloseReturned, base.Add(days(1))))
		cases = append(cases, c)
	}
	// Three children without a guardian: too few to publish, so not
	// listed either.
	for range 3 {
		cases = append(cases, report.Case{OpenedAt: base, Child: true})
	}
	var got []string
	for _, s := range report.Compute(input(cases...)).Shortfalls() {
		got = append(got, s.Indicator.ID+"."+s.Figure.ID+"="+s.Figure.Text())
	}
	if diff := cmp.Diff([]string{"returns_risk_assessment.not_assessed=1"}, got); diff != "" {
		t.Errorf("shortfalls (-want +got):\n%s", diff)
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		from, to string
		fields   []string
	}{
		{"2025-01-01", "2025-12-31", nil},
		{"2025-01-01", "2025-01-01", nil},
		{"2016-01-01", "2025-12-31", nil}, // ten years exactly
		{"", "2025-12-31", []string{"from"}},
		{"2025-01-01", "", []string{"to"}},
		{"", "", []string{"from", "to"}},
		{"2025-13-01", "31/12/2025", []string{"from", "to"}},
		{"2025-06-01", "2025-05-31", []string{"to"}},
		{"2015-12-31", "2025-12-31", []string{"to"}}, // ten years and a day
	}
	for _, tt := range tests {
		p, err := report.ParsePeriod(tt.from, tt.to)
		var fields []string
		for _, f := range haven.ErrorFields(err) {
			fields = append(fields, f.Field)
		}
		if diff := cmp.Diff(tt.fields, fields); diff != "" {
			t.Errorf("ParsePeriod(%q, %q) fields (-want +got):\n%s", tt.from, tt.to, diff)
		}
		if err == nil && (p.From.String() != tt.from || p.To.String() != tt.to) {
			t.Errorf("ParsePeriod(%q, %q) = %v", tt.from, tt.to, p)
		}
		if err != nil && haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("ParsePeriod(%q, %q): code %s", tt.from, tt.to, haven.ErrorCode(err))
		}
	}
}

func TestIndicatorsHaveMessagesAndStableOrder(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ind := range report.Indicators() {
		ids = append(ids, ind.ID)
		if ind.Paragraph == "" || ind.Measure == nil {
			t.Errorf("%s: no paragraph or no measure", ind.ID)
		}
		for _, id := range []string{ind.Title, ind.Definition} {
			if !c.Has(id) {
				t.Errorf("%s: message %q is missing", ind.ID, id)
			}
		}
		for _, f := range ind.Measure(input()).Figures {
			if id := "report." + ind.ID + "." + f.ID; !c.Has(id) {
				t.Errorf("%s: message %q is missing", ind.ID, id)
			}
		}
	}
	want := []string{"reasonable_grounds_days", "multidisciplinary_decisions", "reflection_periods", "child_guardians",
		"returns_risk_assessment", "non_punishment", "negative_decisions_reviewed"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("indicators (-want +got):\n%s", diff)
	}
}
