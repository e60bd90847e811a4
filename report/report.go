package report

import (
	"slices"
	"strconv"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
	"github.com/haven-nrm/haven/lifecycle"
)

// K is the smallest number of cases an indicator is published over, and of
// values a share, median, percentile, minimum or maximum is computed over
// (GR 38 §111). Haven's statistics use the same threshold, the one the
// global counter-trafficking data hub publishes at.
const K = disclosure.DefaultK

// MaxYears bounds the period a report covers.
const MaxYears = 10

// Period is the span a report covers: From and To are days in UTC, both
// included.
type Period struct {
	From, To haven.Date
}

// ParsePeriod reads a period written YYYY-MM-DD. It returns an EINVALID
// *haven.Error naming each bad field ("from", "to"); reasons never repeat
// the value.
func ParsePeriod(from, to string) (Period, error) {
	var v haven.Validation
	var p Period
	for _, f := range []struct {
		field, in string
		out       *haven.Date
	}{{"from", from, &p.From}, {"to", to, &p.To}} {
		if f.in == "" {
			v.Add(f.field, "is required: a date YYYY-MM-DD")
			continue
		}
		d, err := haven.ParseDate(f.in)
		if err != nil {
			v.Add(f.field, "must be a date YYYY-MM-DD")
			continue
		}
		*f.out = d
	}
	if err := v.Err(); err != nil {
		return Period{}, err
	}
	if err := p.Validate(); err != nil {
		return Period{}, err
	}
	return p, nil
}

// Validate checks that both ends are set, the end is not before the start,
// and the period is at most MaxYears long.
func (p Period) Validate() error {
	var v haven.Validation
	switch {
	case p.From.IsZero():
		v.Add("from", "is required: a date YYYY-MM-DD")
	case p.To.IsZero():
		v.Add("to", "is required: a date YYYY-MM-DD")
	case p.To.Before(p.From.Time):
		v.Add("to", "must not be before from")
	case !p.To.Before(p.From.AddDate(MaxYears, 0, 0)):
		v.Addf("to", "must be less than %d years after from", MaxYears)
	}
	return v.Err()
}

// Start is the first instant of the period.
func (p Period) Start() time.Time { return p.From.Time }

// End is the first instant after the period.
func (p Period) End() time.Time { return p.To.AddDate(0, 0, 1) }

// Contains tells whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start()) && t.Before(p.End())
}

// ContainsDate tells whether the day d falls in the period.
func (p Period) ContainsDate(d haven.Date) bool {
	return !d.IsZero() && !d.Before(p.From.Time) && !d.After(p.To.Time)
}

// Input is what every indicator is computed from: the cases that were
// opened in the period, made a lifecycle step in it, or had a
// non-punishment finding decided in it, each with everything it has
// recorded up to AsOf (a review after the period still counts as a
// review). It holds no identifier and no sealed value.
type Input struct {
	Period Period
	// AsOf is when the data was read: what has not happened by then has
	// not happened, and time limits are judged at it.
	AsOf time.Time
	// Limits are the country's lifecycle time limits (lifecycle/limits.yaml).
	Limits lifecycle.Config
	Cases  []Case
}

// Case is what the report knows of one case.
type Case struct {
	OpenedAt time.Time
	// Child is haven.VictimContext.TreatedAsChild as the case holds it now
	// (GR 38 §96).
	Child bool
	// Steps are its lifecycle steps in the order they happened.
	Steps []Step
	// NonPunishment lists the days its non-punishment findings were decided
	// (GR 38 §98).
	NonPunishment []haven.Date
}

// Step is one lifecycle step and the plain facts the store keeps beside
// it. Facts not recorded (a step stored before Haven kept them) are zero.
type Step struct {
	Event lifecycle.Event
	At    time.Time
	// Sectors is how many distinct sectors the members of the step's
	// decision came from; 0 for a step without a decision.
	Sectors int
	// Multidisciplinary tells whether the decision was taken by members of
	// at least two sectors, not all of them law enforcement or immigration
	// (GR 38 §78); nil for a step without a decision.
	Multidisciplinary *bool
	// ReflectionDays is the length of the reflection and recovery period
	// the case has after a step that grants one; 0 otherwise.
	ReflectionDays int
}

// Indicator is one measure of how the mechanism keeps GR 38.
type Indicator struct {
	// ID is stable: the JSON API and the pages' anchors use it.
	ID string
	// Title and Definition are message ids (i18n/locales/report.*.yaml):
	// the indicator's name, and in one or two sentences what it counts.
	Title      string
	Definition string
	// Paragraph names the paragraphs of GR 38 the indicator measures.
	Paragraph string
	// Measure computes it. It need not suppress anything: Compute does.
	Measure func(in *Input) Measure
}

// Measure is what an indicator's function returns.
type Measure struct {
	// Cases is how many distinct cases the indicator is computed over:
	// below K the whole indicator is suppressed.
	Cases   int
	Figures []Figure
}

// Kind says how a figure is computed, and so how it is protected.
type Kind string

// The kinds of figure. A count, and a time limit the country set, are
// published with their indicator; a share or a statistic is suppressed on
// its own when Over is below K.
const (
	KindCount     Kind = "count"
	KindShare     Kind = "share"
	KindStatistic Kind = "statistic"
	KindLimit     Kind = "limit"
)

// Unit is what a figure's value counts.
type Unit string

// The units.
const (
	UnitCases     Unit = "cases"
	UnitDecisions Unit = "decisions"
	UnitFindings  Unit = "findings"
	UnitPercent   Unit = "percent"
	UnitDays      Unit = "days"
	UnitHours     Unit = "hours"
	UnitSectors   Unit = "sectors"
)

// Figure is one number of an indicator.
type Figure struct {
	ID string
	// Label is its message id: "report.<indicator>.<figure>", filled by
	// Compute.
	Label string
	Kind  Kind
	Unit  Unit
	Value float64
	// Over is, for a share, its denominator, and for a statistic the number
	// of values it is computed over.
	Over int
	// Shortfall marks a figure that counts a failure to keep GR 38, such as
	// a return without a risk assessment: pages show it prominently.
	Shortfall bool
	// Suppressed figures have no value: fewer than K values.
	Suppressed bool
}

// Text writes the value as pages print it: a share with one decimal, every
// other value as a whole number. It is empty for a suppressed figure.
func (f Figure) Text() string {
	switch {
	case f.Suppressed:
		return ""
	case f.Unit == UnitPercent:
		return strconv.FormatFloat(f.Value, 'f', 1, 64)
	}
	return strconv.FormatFloat(f.Value, 'f', 0, 64)
}

// FallsShort tells whether the figure is a published shortfall above zero:
// a failure to keep GR 38 that happened.
func (f Figure) FallsShort() bool { return f.Shortfall && !f.Suppressed && f.Value > 0 }

// Result is one indicator as published.
type Result struct {
	ID, Title, Definition, Paragraph string
	// Suppressed: fewer than K cases. Cases and Figures are then empty.
	Suppressed bool
	Cases      int
	Figures    []Figure
}

// Report is every indicator, in the order of Indicators, for a period.
type Report struct {
	Period  Period
	AsOf    time.Time
	K       int
	Results []Result
}

// Indicators returns the indicators in the order the report shows them.
func Indicators() []Indicator { return slices.Clone(indicators) }

// Compute measures every indicator over in and suppresses what is over
// fewer than K cases or values.
func Compute(in *Input) Report {
	rep := Report{Period: in.Period, AsOf: in.AsOf, K: K, Results: make([]Result, 0, len(indicators))}
	for _, ind := range indicators {
		rep.Results = append(rep.Results, publish(ind, ind.Measure(in)))
	}
	return rep
}

// publish applies the suppression rule to one measure.
func publish(ind Indicator, m Measure) Result {
	r := Result{ID: ind.ID, Title: ind.Title, Definition: ind.Definition, Paragraph: ind.Paragraph}
	if m.Cases < K {
		r.Suppressed = true
		return r
	}
	r.Cases = m.Cases
	r.Figures = make([]Figure, len(m.Figures))
	for i, f := range m.Figures {
		f.Label = "report." + ind.ID + "." + f.ID
		if (f.Kind == KindShare || f.Kind == KindStatistic) && f.Over < K {
			f.Suppressed, f.Value = true, 0
		}
		r.Figures[i] = f
	}
	return r
}

// Shortfalls returns the published shortfall figures above zero, in
// report order, each with its indicator: what a summary shows first.
func (rep Report) Shortfalls() []Shortfall {
	var out []Shortfall
	for _, r := range rep.Results {
		for _, f := range r.Figures {
			if f.FallsShort() {
				out = append(out, Shortfall{Indicator: r, Figure: f})
			}
		}
	}
	return out
}

// Shortfall is a published shortfall figure and its indicator.
type Shortfall struct {
	Indicator Result
	Figure    Figure
}
