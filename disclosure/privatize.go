package disclosure

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// Privatize returns an ε-differentially private copy of t: it charges
// opts.Epsilon for the named release to the dataset's budget in the ledger,
// and only then adds discrete Laplace noise to the inner cells and makes
// them consistent. A release the budget cannot pay for fails with
// ErrBudgetExceeded and draws no noise. The budget is spent once charged,
// even if the caller discards the result: it cannot know whether the
// output was seen. The noisy table is then published through Protect like
// any other, which only post-processes it.
//
// src must be CryptoSource() in production; tests pass a seeded source.
func Privatize(ctx context.Context, l Ledger, dataset, release string, t *Table, opts NoiseOptions, src rand.Source) (*Table, error) {
	out, err := privatize(ctx, l, dataset, release, t, opts, src)
	if err != nil {
		return nil, fmt.Errorf("disclosure: privatize: %w", err)
	}
	return out, nil
}

func privatize(ctx context.Context, l Ledger, dataset, release string, t *Table, opts NoiseOptions, src rand.Source) (*Table, error) {
	if l == nil || src == nil || t == nil || t.lat == nil {
		return nil, fmt.Errorf("a table, a ledger and a source of randomness are required: %w", ErrInvalid)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, err := t.values(); err != nil {
		return nil, err
	}
	mech := fmt.Sprintf("discrete Laplace, scale %d/ε, %s", o.Sensitivity, o.Consistency)
	if err := l.Charge(ctx, Charge{Dataset: dataset, Release: release, Epsilon: o.Epsilon, Mechanism: mech}); err != nil {
		return nil, err
	}
	return addNoise(t, o, src)
}

func (c Consistency) String() string {
	switch c {
	case ProjectTotal:
		return "projected on the noisy total"
	case Clamp:
		return "negative cells clamped to 0"
	}
	return fmt.Sprintf("Consistency(%d)", int(c))
}
