package screening

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Answers is what a first responder recorded in one screening.
type Answers struct {
	// List is the id of the indicator list used (see Catalogue.ListFor).
	List string `json:"list"`
	// Age is what is known of the person's age; unknown and disputed are
	// screened as a child.
	Age AgeStatus `json:"age"`
	// Observations maps indicator ids of the list, and of the forced-labour
	// checklist, to what was recorded. An id left out was not asked.
	Observations map[string]Observation `json:"observations"`
}

// Evaluate applies the combination rule to the answers and returns a Result
// whose outcome is a suggestion for a trained person, never a decision. It
// fails, naming every offending id, when an answer names an indicator that is
// not in the list or the checklist, or records an unknown observation.
func Evaluate(c *Catalogue, a Answers) (Result, error) {
	if c == nil {
		return Result{}, errors.New("screening: evaluate: no catalogue")
	}
	list, ok := c.lists[a.List]
	if !ok {
		return Result{}, fmt.Errorf("screening: evaluate: %w: %q", ErrUnknownList, a.List)
	}
	if !a.Age.Valid() {
		return Result{}, fmt.Errorf("screening: evaluate: %w: age status %q is not adult, child, unknown or disputed", ErrInvalidAnswers, a.Age)
	}
	if err := c.checkAnswers(list, a.Observations); err != nil {
		return Result{}, fmt.Errorf("screening: evaluate: %w", err)
	}

	child := a.Age.TreatedAsChild()
	source, _ := c.Source(list.Source)
	r := Result{
		CatalogueVersion: c.Version,
		CatalogueDate:    c.Date,
		CatalogueDigest:  c.Digest,
		Language:         c.Language,
		List: ListSummary{
			ID: list.ID, Title: list.Title, AgeGroup: list.AgeGroup,
			Source: list.Source, HavenExtension: source.HavenExtension,
		},
		Age:            a.Age,
		TreatedAsChild: child,
		Disclaimer:     c.text("disclaimer"),
	}

	t := tallyAnswers(list, a.Observations)
	r.Indicators = t.indicators
	present := map[Dimension]bool{}
	anyPresent := false
	for _, d := range Dimensions() {
		clause := DimensionClause(t.counts[d])
		present[d] = clause != ClauseNone
		anyPresent = anyPresent || present[d]
		r.Dimensions = append(r.Dimensions, c.dimensionResult(d, clause, t.counts[d], t.observed[d]))
	}

	required := RequiredElements(child)
	for _, e := range Elements() {
		r.Elements = append(r.Elements, c.elementResult(e, present, slices.Contains(required, e), child))
	}

	outcome := SuggestInsufficientIndicators
	switch {
	case PresumedVictimIndicated(present, child):
		outcome = SuggestReferral
	case anyPresent || t.strongObserved:
		// Something is there even though the rule is not met: say so rather
		// than "insufficient", which a reader may take as "nothing".
		outcome = SuggestContinueAssessment
	}
	r.Suggestion = c.suggestion(outcome, a.Age, r.Elements, present, t.notAsked, list, source)
	r.ForcedLabour = c.forcedLabour(a.Observations, list)
	return r, nil
}

// tally is what the answers say about one list, before the rule is applied.
type tally struct {
	indicators     []IndicatorResult
	counts         map[Dimension]Counts
	observed       map[Dimension][]string // ids of observed indicators
	notAsked       int
	strongObserved bool
}

func tallyAnswers(list *List, answers map[string]Observation) tally {
	t := tally{counts: map[Dimension]Counts{}, observed: map[Dimension][]string{}}
	for _, ind := range list.Indicators {
		obs := observation(answers, ind.ID)
		seen := obs == Observed
		t.indicators = append(t.indicators, IndicatorResult{
			ID: ind.ID, Dimension: ind.Dimension, Grade: ind.Grade, Label: ind.Label,
			Source: ind.Source, Observation: obs, Observed: seen,
		})
		switch {
		case seen:
			n := t.counts[ind.Dimension]
			n.add(ind.Grade)
			t.counts[ind.Dimension] = n
			t.observed[ind.Dimension] = append(t.observed[ind.Dimension], ind.ID)
			t.strongObserved = t.strongObserved || ind.Grade == Strong
		case obs == NotAsked:
			t.notAsked++
		}
	}
	return t
}

// observation returns what was recorded for id; nothing recorded means the
// question was not asked.
func observation(answers map[string]Observation, id string) Observation {
	if obs, ok := answers[id]; ok {
		return obs
	}
	return NotAsked
}

// checkAnswers reports every id the list and checklist do not hold, and every
// unknown observation, in id order.
func (c *Catalogue) checkAnswers(list *List, answers map[string]Observation) error {
	var errs []error
	for _, id := range sortedKeys(answers) {
		if obs := answers[id]; !obs.Valid() {
			errs = append(errs, fmt.Errorf("%w: indicator %q: observation %q is not observed, not-observed or not-asked", ErrInvalidAnswers, id, obs))
		}
		if _, ok := c.checklist[id]; ok || list.Has(id) {
			continue
		}
		if ind, ok := c.indicators[id]; ok {
			errs = append(errs, fmt.Errorf("%w: %q belongs to list %q, not to list %q", ErrUnknownIndicator, id, ind.List, list.ID))
			continue
		}
		errs = append(errs, fmt.Errorf("%w: %q is not in catalogue version %s", ErrUnknownIndicator, id, c.Version))
	}
	return errors.Join(errs...)
}

func (c *Catalogue) dimensionResult(d Dimension, clause Clause, n Counts, observed []string) DimensionResult {
	info := c.DimensionInfo(d)
	countsText := c.text("counts",
		"strong", strconv.Itoa(n.Strong), "medium", strconv.Itoa(n.Medium), "weak", strconv.Itoa(n.Weak))
	res := DimensionResult{
		Dimension: d,
		Name:      info.Name,
		Element:   d.Element(),
		Present:   clause != ClauseNone,
		Clause:    clause,
		Counts:    n,
		Observed:  nonNil(observed),
	}
	if res.Present {
		res.Reason = c.text("dimension.present", "dimension", info.Name, "counts", countsText, "clause", c.text("clause."+string(clause)))
	} else {
		res.Reason = c.text("dimension.absent", "dimension", info.Name, "counts", countsText)
	}
	return res
}

func (c *Catalogue) elementResult(e Element, present map[Dimension]bool, required, child bool) ElementResult {
	res := ElementResult{Element: e, Required: required, Present: elementPresent(present, e), Dimensions: []Dimension{}}
	var names []string
	for _, d := range Dimensions() {
		if d.Element() == e && present[d] {
			res.Dimensions = append(res.Dimensions, d)
			names = append(names, c.DimensionInfo(d).Name)
		}
	}
	key := "element." + string(e)
	switch {
	case res.Present:
		res.Reason = c.reason(key+".present", "dimensions", strings.Join(names, ", "))
	case !required && child:
		res.Reason = c.reason(key + ".not-required")
	default:
		res.Reason = c.reason(key + ".absent")
	}
	return res
}

func (c *Catalogue) suggestion(outcome SuggestedOutcome, age AgeStatus, elements []ElementResult,
	present map[Dimension]bool, notAsked int, list *List, source Source) Suggestion {
	s := Suggestion{
		Outcome: outcome,
		Title:   c.text("outcome." + string(outcome) + ".title"),
		Text:    c.text("outcome." + string(outcome) + ".text"),
	}
	s.Reasons = append(s.Reasons, c.reason("age."+string(age)))
	for _, e := range elements {
		s.Reasons = append(s.Reasons, e.Reason)
	}
	child := age.TreatedAsChild()
	if child && outcome != SuggestInsufficientIndicators {
		s.Reasons = append(s.Reasons, c.reason("child-protection"))
	}
	if !child && outcome != SuggestReferral && present[ExploitativeConditions] {
		s.Reasons = append(s.Reasons, c.reason("exploitation-without-trafficking"))
	}
	if notAsked > 0 {
		s.Reasons = append(s.Reasons, c.reason("not-asked", "count", strconv.Itoa(notAsked)))
	}

	s.Cautions = []Reason{}
	switch {
	case child && list.AgeGroup == ForAdults:
		s.Cautions = append(s.Cautions, c.reason("caution.adult-list-for-child", "list", list.Title))
	case !child && list.AgeGroup == ForChildren:
		s.Cautions = append(s.Cautions, c.reason("caution.child-list-for-adult", "list", list.Title))
	}
	if source.HavenExtension {
		s.Cautions = append(s.Cautions, c.reason("caution.haven-extension", "list", list.Title))
	}
	return s
}

func (c *Catalogue) forcedLabour(answers map[string]Observation, list *List) []ForcedLabourResult {
	var out []ForcedLabourResult
	for _, fl := range c.ForcedLabour.Indicators {
		obs := observation(answers, fl.ID)
		res := ForcedLabourResult{ID: fl.ID, Label: fl.Label, Observation: obs, Observed: obs == Observed, SuggestedBy: []string{}}
		for _, ind := range list.Indicators {
			if observation(answers, ind.ID) == Observed && slices.Contains(ind.ForcedLabour, fl.ID) {
				res.SuggestedBy = append(res.SuggestedBy, ind.ID)
			}
		}
		out = append(out, res)
	}
	return out
}

// nonNil keeps empty lists as [] in JSON, which API clients handle more
// simply than null.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
