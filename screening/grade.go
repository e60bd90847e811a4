package screening

// Grade is how strongly an indicator points to trafficking, as graded by the
// ILO/EC Delphi survey of experts.
type Grade string

// The three grades of the ILO/EC operational indicators.
const (
	Strong Grade = "strong"
	Medium Grade = "medium"
	Weak   Grade = "weak"
)

// Grades lists the grades from strongest to weakest.
func Grades() []Grade { return []Grade{Strong, Medium, Weak} }

// Valid reports whether g is one of the three grades.
func (g Grade) Valid() bool {
	switch g {
	case Strong, Medium, Weak:
		return true
	}
	return false
}
