package report

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven/lifecycle"
)

// indicators is the report, in order. To add one, write its Measure
// function, add its messages to i18n/locales/report.en.yaml, and append it
// here (docs/REPORT.md).
var indicators = []Indicator{
	{ID: "reasonable_grounds_days", Title: "report.reasonable_grounds_days.title",
		Definition: "report.reasonable_grounds_days.definition", Paragraph: "§38, §78", Measure: reasonableGroundsDays},
	{ID: "multidisciplinary_decisions", Title: "report.multidisciplinary_decisions.title",
		Definition: "report.multidisciplinary_decisions.definition", Paragraph: "§78", Measure: multidisciplinaryDecisions},
	{ID: "reflection_periods", Title: "report.reflection_periods.title",
		Definition: "report.reflection_periods.definition", Paragraph: "§92", Measure: reflectionPeriods},
	{ID: "child_guardians", Title: "report.child_guardians.title",
		Definition: "report.child_guardians.definition", Paragraph: "§96, §103", Measure: childGuardians},
	{ID: "returns_risk_assessment", Title: "report.returns_risk_assessment.title",
		Definition: "report.returns_risk_assessment.definition", Paragraph: "§87, §89–91", Measure: returnsRiskAssessment},
	{ID: "non_punishment", Title: "report.non_punishment.title",
		Definition: "report.non_punishment.definition", Paragraph: "§98", Measure: nonPunishment},
	{ID: "negative_decisions_reviewed", Title: "report.negative_decisions_reviewed.title",
		Definition: "report.negative_decisions_reviewed.definition", Paragraph: "§38, §78", Measure: negativeDecisionsReviewed},
}

// Events the indicators look for.
var (
	reasonableGroundsEvents = []lifecycle.Event{lifecycle.ReasonableGroundsPositive, lifecycle.ReasonableGroundsNegative}
	negativeEvents          = []lifecycle.Event{lifecycle.ReasonableGroundsNegative, lifecycle.ConclusiveNegative}
	reviewEvents            = []lifecycle.Event{
		lifecycle.ReviewUpheld, lifecycle.ReviewOverturnedReasonableGrounds, lifecycle.ReviewOverturnedConclusive,
	}
	// decisionEvents are the identification decisions and their reviews,
	// which GR 38 §78 asks multidisciplinary teams to take.
	decisionEvents = append(append(slices.Clone(reasonableGroundsEvents),
		lifecycle.ConclusivePositive, lifecycle.ConclusiveNegative), reviewEvents...)
	// grantEvents grant a reflection and recovery period (GR 38 §92).
	grantEvents   = []lifecycle.Event{lifecycle.ReasonableGroundsPositive, lifecycle.ReviewOverturnedReasonableGrounds}
	returnEvents  = []lifecycle.Event{lifecycle.CloseReturned, lifecycle.RecordRemoval}
	closingEvents = []lifecycle.Event{
		lifecycle.CloseIntegrated, lifecycle.CloseReturned, lifecycle.CloseTransferred, lifecycle.CloseWithdrawn,
	}
)

// first returns the index of the case's first step whose event is one of
// events, or -1.
func (c *Case) first(events ...lifecycle.Event) int {
	return slices.IndexFunc(c.Steps, func(s Step) bool { return slices.Contains(events, s.Event) })
}

// hours is a time limit in hours, for the figure that states it.
func hours(id string, d time.Duration) Figure {
	return Figure{ID: id, Kind: KindLimit, Unit: UnitHours, Value: float64(d / time.Hour)}
}

// reasonableGroundsDays: cases whose first reasonable-grounds decision falls
// in the period, and the whole days from the first referral before it.
func reasonableGroundsDays(in *Input) Measure {
	var days []int
	within := 0
	for _, c := range in.Cases {
		d := c.first(reasonableGroundsEvents...)
		if d < 0 || !in.Period.Contains(c.Steps[d].At) {
			continue
		}
		r := c.first(lifecycle.Refer)
		if r < 0 || r > d {
			continue
		}
		referred, decided := c.Steps[r].At, c.Steps[d].At
		days = append(days, wholeDays(decided.Sub(referred)))
		if decided.Before(referred.Add(in.Limits.ReasonableGroundsWithin)) {
			within++
		}
	}
	n := len(days)
	return Measure{Cases: n, Figures: []Figure{
		count("cases", UnitCases, n),
		percentile("median_days", UnitDays, days, 50),
		percentile("p90_days", UnitDays, days, 90),
		count("within_limit", UnitCases, within),
		share("within_limit_share", within, n),
		shortfall(count("after_limit", UnitCases, n-within)),
		hours("limit_hours", in.Limits.ReasonableGroundsWithin),
	}}
}

// multidisciplinaryDecisions: reasonable-grounds, conclusive and review
// decisions taken in the period, and how many by a multidisciplinary team.
func multidisciplinaryDecisions(in *Input) Measure {
	var cases, decisions, recorded, multi int
	var sectors []int
	for _, c := range in.Cases {
		counted := false
		for _, s := range c.Steps {
			if !slices.Contains(decisionEvents, s.Event) || !in.Period.Contains(s.At) {
				continue
			}
			decisions++
			counted = true
			if s.Multidisciplinary == nil {
				continue
			}
			recorded++
			if *s.Multidisciplinary {
				multi++
			}
			if s.Sectors > 0 {
				sectors = append(sectors, s.Sectors)
			}
		}
		if counted {
			cases++
		}
	}
	return Measure{Cases: cases, Figures: []Figure{
		count("decisions", UnitDecisions, decisions),
		count("multidisciplinary", UnitDecisions, multi),
		share("multidisciplinary_share", multi, recorded),
		shortfall(count("not_multidisciplinary", UnitDecisions, recorded-multi)),
		count("not_recorded", UnitDecisions, decisions-recorded),
		percentile("median_sectors", UnitSectors, sectors, 50),
	}}
}

// reflectionPeriods: reflection and recovery periods granted in the
// period, by a positive reasonable-grounds decision or a review overturning
// a negative one, and their length.
func reflectionPeriods(in *Input) Measure {
	var cases, grants, short int
	var lengths []int
	for _, c := range in.Cases {
		counted := false
		for _, s := range c.Steps {
			if !slices.Contains(grantEvents, s.Event) || !in.Period.Contains(s.At) {
				continue
			}
			grants++
			counted = true
			if s.ReflectionDays > 0 {
				lengths = append(lengths, s.ReflectionDays)
				if s.ReflectionDays < lifecycle.MinReflectionDays {
					short++
				}
			}
		}
		if counted {
			cases++
		}
	}
	return Measure{Cases: cases, Figures: []Figure{
		count("granted", UnitCases, grants),
		percentile("median_days", UnitDays, lengths, 50),
		extreme("min_days", UnitDays, lengths, false),
		extreme("max_days", UnitDays, lengths, true),
		shortfall(count("shorter_than_minimum", UnitCases, short)),
		count("not_recorded", UnitCases, grants-len(lengths)),
	}}
}

// childGuardians: cases treated as a child opened in the period, and
// whether a guardian was appointed before the time limit ran out.
func childGuardians(in *Input) Measure {
	limit := in.Limits.GuardianWithin
	var children, inTime, late, waiting, overdue int
	for _, c := range in.Cases {
		if !c.Child || !in.Period.Contains(c.OpenedAt) {
			continue
		}
		children++
		due := c.OpenedAt.Add(limit)
		g := c.first(lifecycle.AppointGuardian)
		switch {
		case g >= 0 && c.Steps[g].At.Before(due):
			inTime++
		case g >= 0:
			late++
		case in.AsOf.Before(due):
			waiting++
		default:
			overdue++
		}
	}
	return Measure{Cases: children, Figures: []Figure{
		count("children", UnitCases, children),
		count("in_time", UnitCases, inTime),
		share("in_time_share", inTime, children),
		shortfall(count("late", UnitCases, late)),
		count("waiting", UnitCases, waiting),
		shortfall(count("overdue", UnitCases, overdue)),
		hours("limit_hours", limit),
	}}
}

// returnsRiskAssessment: returns in the period (a case's first return
// closure or recorded removal) and whether a risk and security assessment
// was recorded before it.
func returnsRiskAssessment(in *Input) Measure {
	var returns, removals, assessed int
	var ages []int
	for _, c := range in.Cases {
		i := c.first(returnEvents...)
		if i < 0 || !in.Period.Contains(c.Steps[i].At) {
			continue
		}
		returns++
		if c.Steps[i].Event == lifecycle.RecordRemoval {
			removals++
		}
		last := -1
		for j, s := range c.Steps[:i] {
			if s.Event == lifecycle.RecordRiskAssessment {
				last = j
			}
		}
		if last >= 0 {
			assessed++
			ages = append(ages, wholeDays(c.Steps[i].At.Sub(c.Steps[last].At)))
		}
	}
	return Measure{Cases: returns, Figures: []Figure{
		count("returns", UnitCases, returns),
		count("removals", UnitCases, removals),
		count("assessed", UnitCases, assessed),
		share("assessed_share", assessed, returns),
		shortfall(count("not_assessed", UnitCases, returns-assessed)),
		percentile("median_days_since_assessment", UnitDays, ages, 50),
	}}
}

// nonPunishment: non-punishment findings decided in the period, and the
// persons they concern.
func nonPunishment(in *Input) Measure {
	var findings, persons int
	for _, c := range in.Cases {
		n := 0
		for _, d := range c.NonPunishment {
			if in.Period.ContainsDate(d) {
				n++
			}
		}
		if n > 0 {
			findings += n
			persons++
		}
	}
	return Measure{Cases: persons, Figures: []Figure{
		count("findings", UnitFindings, findings),
		count("persons", UnitCases, persons),
	}}
}

// negativeDecisionsReviewed: negative reasonable-grounds and conclusive
// decisions taken in the period, and what became of their review.
func negativeDecisionsReviewed(in *Input) Measure {
	limit := in.Limits.ReviewWithin
	var cases, negatives, rg, conclusive, upheld, overturned, waiting, overdue, closed int
	for _, c := range in.Cases {
		counted := false
		for i, s := range c.Steps {
			if !slices.Contains(negativeEvents, s.Event) || !in.Period.Contains(s.At) {
				continue
			}
			negatives++
			counted = true
			if s.Event == lifecycle.ReasonableGroundsNegative {
				rg++
			} else {
				conclusive++
			}
			switch e := reviewOf(c.Steps, i); {
			case e == lifecycle.ReviewUpheld:
				upheld++
			case slices.Contains(reviewEvents, e):
				overturned++
			case slices.Contains(closingEvents, e):
				closed++
			case in.AsOf.Before(s.At.Add(limit)):
				waiting++
			default:
				overdue++
			}
		}
		if counted {
			cases++
		}
	}
	return Measure{Cases: cases, Figures: []Figure{
		count("negatives", UnitDecisions, negatives),
		count("reasonable_grounds", UnitDecisions, rg),
		count("conclusive", UnitDecisions, conclusive),
		count("reviewed", UnitDecisions, upheld+overturned),
		share("reviewed_share", upheld+overturned, negatives),
		count("upheld", UnitDecisions, upheld),
		count("overturned", UnitDecisions, overturned),
		count("waiting", UnitDecisions, waiting),
		shortfall(count("overdue", UnitDecisions, overdue)),
		count("closed", UnitDecisions, closed),
		hours("limit_hours", limit),
	}}
}

// reviewOf returns what ended the review of the negative decision at
// steps[i]: the event of the first review decision after it, or of the
// closure of the case before any; "" while the review is awaited.
func reviewOf(steps []Step, i int) lifecycle.Event {
	for _, s := range steps[i+1:] {
		switch {
		case slices.Contains(reviewEvents, s.Event), slices.Contains(closingEvents, s.Event):
			return s.Event
		case slices.Contains(negativeEvents, s.Event):
			return ""
		}
	}
	return ""
}
