package disclosure

import (
	"context"
	"time"
)

// Ledger accounts for the privacy budget of each dataset. Differential
// privacy losses add up over releases (sequential composition): k releases
// at ε each about the same persons lose k·ε in total. A dataset (for
// example "victims identified in 2026") gets one total budget when it is
// opened; every noisy release charges its ε first, and a charge that would
// take the spending above the total is refused, so the total bounds the
// privacy loss of everything ever released from the dataset.
//
// Implementations must make Charge atomic (check and record in one
// transaction), so that concurrent releases cannot both fit a budget that
// holds only one. The in-memory MemoryLedger is the reference; the
// database store implements the same contract.
type Ledger interface {
	// Open gives a dataset its total budget. Opening an opened dataset
	// fails with ErrBudgetExists: a budget is never raised or reset,
	// because the releases already made stay in the world.
	Open(ctx context.Context, dataset string, total Epsilon) error
	// Charge records a release against its dataset's budget, stamping its
	// Time, or refuses it with ErrBudgetExceeded, recording nothing.
	// Unknown datasets fail with ErrUnknownDataset.
	Charge(ctx context.Context, c Charge) error
	// Balance returns the dataset's total and spent budget.
	Balance(ctx context.Context, dataset string) (Balance, error)
	// Charges returns the dataset's charges in the order they were made.
	Charges(ctx context.Context, dataset string) ([]Charge, error)
}

// Charge is one release's entry in the ledger.
type Charge struct {
	Dataset string
	// Release names what was released, for example
	// "victims by sex, age band and form of exploitation, 2026, v1".
	Release string
	Epsilon Epsilon
	// Mechanism describes the noise: distribution, sensitivity and
	// post-processing, so that the loss can be re-derived later.
	Mechanism string
	Time      time.Time
}

// Balance is a dataset's budget.
type Balance struct {
	Dataset      string
	Total, Spent Epsilon
}

// Remaining returns the budget still available.
func (b Balance) Remaining() Epsilon { return b.Total - b.Spent }
