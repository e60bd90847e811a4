package screening

import (
	"fmt"
	"slices"
)

// Catalogue is a loaded, validated and (optionally) translated set of
// indicator lists. It is read-only once Load returns it; callers must not
// modify the slices it exposes.
type Catalogue struct {
	// Version and Date identify the catalogue; a screening records them so the
	// competent body knows which indicators and grades were used.
	Version string
	Date    string
	// Digest is the SHA-256 of the source files (translations excluded), so a
	// change that forgot to bump Version is still visible in the record.
	Digest string
	// Language is the language of the texts; SourceLanguage the language the
	// catalogue is written in, used wherever a translation has no text.
	Language       string
	SourceLanguage string

	Title       string
	Description string
	Sources     []Source
	Grades      []GradeInfo
	Dimensions  []DimensionInfo
	Forms       []Form
	Lists       []*List
	// ForcedLabour is the ILO's checklist of eleven indicators of forced
	// labour, reported beside the trafficking lists.
	ForcedLabour *Checklist

	messages   map[string]string
	lists      map[string]*List
	indicators map[string]*Indicator
	checklist  map[string]*ChecklistIndicator
}

// Source is where a list or indicator comes from.
type Source struct {
	ID       string
	Title    string
	Citation string
	URL      string
	// HavenExtension marks Haven's own material, which no international body
	// has reviewed, so a reader never mistakes it for the ILO/EC lists.
	HavenExtension bool
}

// GradeInfo is the display text of a grade.
type GradeInfo struct {
	Grade       Grade
	Name        string
	Description string
}

// DimensionInfo is the display text of a dimension.
type DimensionInfo struct {
	Dimension   Dimension
	Element     Element
	Name        string
	Description string
}

// Form is a form of exploitation (GR 38 §112c) that lists can cover.
type Form struct {
	ID          string
	Name        string
	Description string
}

// List is one list of indicators, resolved: a variant that extends another
// list holds the inherited indicators and its own.
type List struct {
	ID          string
	Title       string
	Description string
	AgeGroup    AgeGroup
	Forms       []string
	// Source is the source of the list itself; each indicator carries its own,
	// because a Haven variant inherits ILO/EC indicators.
	Source  string
	Extends string
	// Indicators are ordered by dimension, then as written in the files.
	Indicators []*Indicator
}

// Indicator is one graded indicator of a list.
type Indicator struct {
	ID        string
	List      string // the list that defines it; variants share it
	Dimension Dimension
	Grade     Grade
	Source    string
	// Label is the indicator's name; for ILO/EC indicators, their wording.
	Label string
	// Question is what a frontline worker can ask: short, open, non-leading.
	Question    string
	Explanation string
	// ForcedLabour names the ILO forced-labour indicators this one is evidence
	// of, so the checklist can show what the list answers already suggest.
	ForcedLabour []string
}

// Checklist is an ungraded list of indicators reported one by one.
type Checklist struct {
	ID          string
	Title       string
	Description string
	Source      string
	Indicators  []*ChecklistIndicator
}

// ChecklistIndicator is one indicator of a Checklist.
type ChecklistIndicator struct {
	ID          string
	Label       string
	Question    string
	Explanation string
}

// List returns the list with the given id.
func (c *Catalogue) List(id string) (*List, error) {
	l, ok := c.lists[id]
	if !ok {
		return nil, fmt.Errorf("screening: list %q: %w", id, ErrUnknownList)
	}
	return l, nil
}

// ListsFor returns the lists that cover a form of exploitation, in catalogue
// order.
func (c *Catalogue) ListsFor(form string) []*List {
	var out []*List
	for _, l := range c.Lists {
		if slices.Contains(l.Forms, form) {
			out = append(out, l)
		}
	}
	return out
}

// ListFor returns the list to use for a form of exploitation and a person's
// age status: the child list when the person is treated as a child (including
// unknown or disputed age). Where a form has a list for one age group only,
// that list is returned, and Evaluate adds a caution that its grades were
// written for the other group: screening with it is better than not screening.
func (c *Catalogue) ListFor(form string, age AgeStatus) (*List, error) {
	if !age.Valid() {
		return nil, fmt.Errorf("screening: list for %q: %w: age status %q", form, ErrInvalidAnswers, age)
	}
	candidates := c.ListsFor(form)
	if len(candidates) == 0 {
		return nil, fmt.Errorf("screening: list for %q: %w: no list covers this form of exploitation", form, ErrUnknownList)
	}
	want := ageGroupFor(age)
	for _, l := range candidates {
		if l.AgeGroup == want {
			return l, nil
		}
	}
	return candidates[0], nil
}

// Indicator returns the list indicator with the given id.
func (c *Catalogue) Indicator(id string) (*Indicator, bool) {
	ind, ok := c.indicators[id]
	return ind, ok
}

// Source returns the source with the given id.
func (c *Catalogue) Source(id string) (Source, bool) {
	for _, s := range c.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return Source{}, false
}

// DimensionInfo returns the display text of a dimension.
func (c *Catalogue) DimensionInfo(d Dimension) DimensionInfo {
	for _, info := range c.Dimensions {
		if info.Dimension == d {
			return info
		}
	}
	return DimensionInfo{Dimension: d, Element: d.Element(), Name: string(d)}
}

// Has reports whether the list holds the indicator.
func (l *List) Has(id string) bool {
	return slices.ContainsFunc(l.Indicators, func(ind *Indicator) bool { return ind.ID == id })
}

// InDimension returns the list's indicators of one dimension.
func (l *List) InDimension(d Dimension) []*Indicator {
	var out []*Indicator
	for _, ind := range l.Indicators {
		if ind.Dimension == d {
			out = append(out, ind)
		}
	}
	return out
}
