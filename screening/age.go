package screening

// AgeStatus is what the first responder knows of the person's age. Only a
// known adult is screened as an adult: GR 38 §96 and DESIGN.md rule 5 presume
// childhood while age is unknown or disputed.
type AgeStatus string

// The age statuses a screening accepts.
const (
	AgeAdult    AgeStatus = "adult"
	AgeChild    AgeStatus = "child"
	AgeUnknown  AgeStatus = "unknown"
	AgeDisputed AgeStatus = "disputed"
)

// Valid reports whether a is one of the four age statuses.
func (a AgeStatus) Valid() bool {
	switch a {
	case AgeAdult, AgeChild, AgeUnknown, AgeDisputed:
		return true
	}
	return false
}

// TreatedAsChild reports whether a screening applies the child rule: for a
// child, and, by the presumption of childhood, when age is unknown or disputed.
func (a AgeStatus) TreatedAsChild() bool { return a != AgeAdult }

// AgeGroup is who an indicator list was written for.
type AgeGroup string

// The age groups of the lists.
const (
	ForAdults   AgeGroup = "adult"
	ForChildren AgeGroup = "child"
)

// Valid reports whether g is one of the two age groups.
func (g AgeGroup) Valid() bool { return g == ForAdults || g == ForChildren }

// ageGroupFor returns the list age group that fits a screening with age
// status a.
func ageGroupFor(a AgeStatus) AgeGroup {
	if a.TreatedAsChild() {
		return ForChildren
	}
	return ForAdults
}
