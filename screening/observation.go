package screening

// Observation is what the first responder recorded for one indicator.
type Observation string

// The observations a screening accepts. An indicator missing from the answers
// counts as not asked.
const (
	Observed    Observation = "observed"
	NotObserved Observation = "not-observed"
	NotAsked    Observation = "not-asked"
)

// Valid reports whether o is one of the three observations.
func (o Observation) Valid() bool {
	switch o {
	case Observed, NotObserved, NotAsked:
		return true
	}
	return false
}
