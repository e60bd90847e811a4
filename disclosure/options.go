package disclosure

import "fmt"

// DefaultK is the threshold of the global counter-trafficking data hub: a
// published cell must count 0 or at least 11 persons.
const DefaultK = 11

// defaultLPAuditLimit is the number of suppressed inner cells up to which
// Protect also runs the linear-programming audit; above it the verified
// certificates stand alone (see DISCLOSURE.md, Performance).
const defaultLPAuditLimit = 500

// Cost says what secondary suppression minimises.
type Cost int

const (
	// CostValue minimises the sum of the counts suppressed: it prefers
	// small cells and keeps large ones, totals in particular, visible.
	CostValue Cost = iota
	// CostCells minimises the number of cells suppressed.
	CostCells
)

// Options configure Protect. The zero value is the default protection.
type Options struct {
	// K is the threshold: a published cell holding 1..K-1 persons is
	// suppressed. Zero means DefaultK; otherwise K must be at least 2.
	K int
	// MinWidth is the narrowest feasible interval an attacker may be left
	// with for any suppressed cell. Zero means K.
	MinWidth int
	// Cost is what secondary suppression minimises.
	Cost Cost
	// LPAuditLimit is the number of suppressed inner cells up to which
	// Protect cross-checks its result with the linear-programming Audit.
	// Zero means 500; a negative value disables the cross-check.
	LPAuditLimit int
	// Linked lists cells (a category index per dimension, or Total) that
	// must be suppressed whatever their count, because the same count is
	// suppressed in a linked table: a count hidden there must not be shown
	// here. Each is protected like a primary cell (an interval at least
	// MinWidth wide), so this table cannot pin it either.
	Linked [][]int
}

func (o Options) withDefaults() (Options, error) {
	if o.K == 0 {
		o.K = DefaultK
	}
	if o.K < 2 || o.K > maxCount {
		return o, fmt.Errorf("threshold k must be at least 2: %w", ErrInvalid)
	}
	if o.MinWidth == 0 {
		o.MinWidth = o.K
	}
	if o.MinWidth < 1 || o.MinWidth > maxCount {
		return o, fmt.Errorf("protection width must be at least 1: %w", ErrInvalid)
	}
	if o.Cost != CostValue && o.Cost != CostCells {
		return o, fmt.Errorf("unknown cost %d: %w", o.Cost, ErrInvalid)
	}
	if o.LPAuditLimit == 0 {
		o.LPAuditLimit = defaultLPAuditLimit
	}
	return o, nil
}
