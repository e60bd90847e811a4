package screening

// Dimension is one of the six elements of the trafficking definition that the
// ILO/EC lists measure separately. The six are fixed in code because the
// combination rule reads them; their names and descriptions are catalogue data.
type Dimension string

// The six dimensions, in the order of the ILO/EC lists.
const (
	DeceptiveRecruitment              Dimension = "deceptive-recruitment"
	CoerciveRecruitment               Dimension = "coercive-recruitment"
	RecruitmentAbuseOfVulnerability   Dimension = "recruitment-abuse-of-vulnerability"
	ExploitativeConditions            Dimension = "exploitative-conditions"
	CoercionAtDestination             Dimension = "coercion-at-destination"
	AbuseOfVulnerabilityAtDestination Dimension = "abuse-of-vulnerability-at-destination"
)

// Dimensions lists the six dimensions in the order of the ILO/EC lists.
func Dimensions() []Dimension {
	return []Dimension{
		DeceptiveRecruitment,
		CoerciveRecruitment,
		RecruitmentAbuseOfVulnerability,
		ExploitativeConditions,
		CoercionAtDestination,
		AbuseOfVulnerabilityAtDestination,
	}
}

// Element is the part of the trafficking definition a dimension stands for in
// the combination rule.
type Element string

// The three elements the combination rule combines.
const (
	// Recruitment is the act, seen through its means at recruitment.
	Recruitment Element = "recruitment"
	// Exploitation is the purpose.
	Exploitation Element = "exploitation"
	// MeansAtDestination is coercion or abuse of vulnerability that keeps the
	// person in exploitation; required for an adult, not for a child.
	MeansAtDestination Element = "means-at-destination"
)

// Elements lists the three elements in the order the rule reads them.
func Elements() []Element { return []Element{Recruitment, Exploitation, MeansAtDestination} }

// Element returns the element of the combination rule that d belongs to.
func (d Dimension) Element() Element {
	switch d {
	case DeceptiveRecruitment, CoerciveRecruitment, RecruitmentAbuseOfVulnerability:
		return Recruitment
	case ExploitativeConditions:
		return Exploitation
	default:
		return MeansAtDestination
	}
}

// Valid reports whether d is one of the six dimensions.
func (d Dimension) Valid() bool {
	for _, known := range Dimensions() {
		if d == known {
			return true
		}
	}
	return false
}
