package screening

// Clause names the clause of the dimension rule that made a dimension present.
// The rule is the ILO/EC one, as DESIGN.md states it.
type Clause string

// The clauses of the dimension rule, in the order they are tried.
const (
	ClauseNone             Clause = ""
	ClauseTwoStrong        Clause = "two-strong"
	ClauseStrongPlusOther  Clause = "strong-plus-other"
	ClauseThreeMedium      Clause = "three-medium"
	ClauseTwoMediumOneWeak Clause = "two-medium-one-weak"
)

// Counts is how many indicators of each grade were observed in a dimension.
type Counts struct {
	Strong int `json:"strong"`
	Medium int `json:"medium"`
	Weak   int `json:"weak"`
}

// add counts one observed indicator of grade g.
func (c *Counts) add(g Grade) {
	switch g {
	case Strong:
		c.Strong++
	case Medium:
		c.Medium++
	case Weak:
		c.Weak++
	}
}

// DimensionClause applies the dimension rule: a dimension is present with two
// strong indicators, or one strong and one other (medium or weak), or three
// medium, or two medium and one weak. It returns the first clause met, or
// ClauseNone. One strong alone, two medium alone, or weak indicators alone are
// never enough: the rule asks for corroboration.
func DimensionClause(c Counts) Clause {
	switch {
	case c.Strong >= 2:
		return ClauseTwoStrong
	case c.Strong >= 1 && c.Medium+c.Weak >= 1:
		return ClauseStrongPlusOther
	case c.Medium >= 3:
		return ClauseThreeMedium
	case c.Medium >= 2 && c.Weak >= 1:
		return ClauseTwoMediumOneWeak
	}
	return ClauseNone
}

// RequiredElements returns the elements that must all be present for the
// suggestion to refer: for an adult, recruitment, exploitation and coercion or
// abuse of vulnerability at destination; for a child, whom the Palermo
// Protocol (art. 3(c)) and the ILO/EC lists do not require means for,
// recruitment and exploitation.
func RequiredElements(treatedAsChild bool) []Element {
	if treatedAsChild {
		return []Element{Recruitment, Exploitation}
	}
	return []Element{Recruitment, Exploitation, MeansAtDestination}
}

// PresumedVictimIndicated applies the combination rule to the dimensions that
// are present. An element is present when any of its dimensions is. It only
// says whether the screening suggests referral; the presumption itself is the
// competent body's decision.
func PresumedVictimIndicated(present map[Dimension]bool, treatedAsChild bool) bool {
	for _, e := range RequiredElements(treatedAsChild) {
		if !elementPresent(present, e) {
			return false
		}
	}
	return true
}

// elementPresent reports whether any dimension of element e is present.
func elementPresent(present map[Dimension]bool, e Element) bool {
	for _, d := range Dimensions() {
		if d.Element() == e && present[d] {
			return true
		}
	}
	return false
}
