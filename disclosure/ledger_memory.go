package disclosure

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryLedger is a Ledger held in memory, safe for concurrent use; its
// zero value is an empty ledger. It forgets everything when the process
// ends, so it serves tests and one-off analyses; production uses the
// database ledger.
type MemoryLedger struct {
	// Now stamps charges; nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	datasets map[string]*memoryBudget
}

type memoryBudget struct {
	total, spent Epsilon
	charges      []Charge
}

// NewMemoryLedger returns an empty ledger.
func NewMemoryLedger() *MemoryLedger {
	return &MemoryLedger{datasets: make(map[string]*memoryBudget)}
}

// Open implements Ledger.
func (l *MemoryLedger) Open(ctx context.Context, dataset string, total Epsilon) error {
	if dataset == "" || total <= 0 || total > maxEpsilon {
		return fmt.Errorf("disclosure: open budget: need a dataset and a positive total: %w", ErrInvalid)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.datasets[dataset]; ok {
		return fmt.Errorf("disclosure: open budget %q: %w", dataset, ErrBudgetExists)
	}
	if l.datasets == nil {
		l.datasets = make(map[string]*memoryBudget)
	}
	l.datasets[dataset] = &memoryBudget{total: total}
	return nil
}

// Charge implements Ledger.
func (l *MemoryLedger) Charge(ctx context.Context, c Charge) error {
	if c.Epsilon <= 0 || c.Epsilon > maxEpsilon || c.Release == "" {
		return fmt.Errorf("disclosure: charge: need a named release and a positive epsilon: %w", ErrInvalid)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.datasets[c.Dataset]
	if !ok {
		return fmt.Errorf("disclosure: charge %q: %w", c.Dataset, ErrUnknownDataset)
	}
	if c.Epsilon > b.total-b.spent {
		return fmt.Errorf("disclosure: charge %q: release %q needs epsilon %v, %v of %v left: %w",
			c.Dataset, c.Release, c.Epsilon, b.total-b.spent, b.total, ErrBudgetExceeded)
	}
	c.Time = time.Now()
	if l.Now != nil {
		c.Time = l.Now()
	}
	b.spent += c.Epsilon
	b.charges = append(b.charges, c)
	return nil
}

// Balance implements Ledger.
func (l *MemoryLedger) Balance(ctx context.Context, dataset string) (Balance, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.datasets[dataset]
	if !ok {
		return Balance{}, fmt.Errorf("disclosure: balance %q: %w", dataset, ErrUnknownDataset)
	}
	return Balance{Dataset: dataset, Total: b.total, Spent: b.spent}, nil
}

// Charges implements Ledger.
func (l *MemoryLedger) Charges(ctx context.Context, dataset string) ([]Charge, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.datasets[dataset]
	if !ok {
		return nil, fmt.Errorf("disclosure: charges %q: %w", dataset, ErrUnknownDataset)
	}
	return slices.Clone(b.charges), nil
}
