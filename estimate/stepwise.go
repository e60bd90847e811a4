package estimate

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mathext"
)

// step is one interaction the stepwise search added, with its p-value at the
// moment it was added.
type step struct {
	pair   uint32
	shared float64
	p      float64
}

// stepwise is SparseMSE's stepwisefit. Starting from the main-effects fit, it
// computes for every pairwise interaction not yet in the model a p-value for
// the number of people on both lists, n* (whatever other lists they are on).
// Under the current model n* is Poisson with mean λ*, the sum of the fitted
// counts of the histories on both lists, and the p-value is
//
//	min(P(N ≤ n*), P(N ≥ n*)),  N ~ Poisson(λ*),
//
// small when the lists share either far fewer or far more people than the
// model expects. It is neither a Wald test, undefined when the lists share
// nobody (the interaction's estimate is −∞), nor a likelihood-ratio test,
// whose χ² reference fails at that boundary; the Poisson tail is well defined
// there, e^−λ*, and is what lets an empty overlap enter the model. A
// candidate whose model would not be identifiable or would have no finite
// estimate (checkModel) gets p-value 1. The interaction with the smallest p-value is added if that
// p-value is below pthresh — ties go to the pair that comes first in column
// order, as R's which-min does — and the search repeats until no candidate is
// below pthresh.
//
// SparseMSE checks every candidate and then takes the smallest p-value; here
// candidates are checked in order of p-value and the first that passes is
// taken, which selects the same interaction with far fewer linear programs.
func stepwise(h *histories, pthresh float64, start *fit) (*fit, []step, error) {
	m := len(h.lists)
	var cands []uint32 // in R's order: (1,2), (1,3), …, (2,3), …
	for i := range m - 1 {
		for j := i + 1; j < m; j++ {
			cands = append(cands, pairMask(i, j))
		}
	}
	shared := make([]float64, len(cands))
	for k, c := range cands {
		shared[k] = h.overlap(c)
	}
	included := make([]bool, len(cands))
	type candidate struct {
		k int
		p float64
	}
	order := make([]candidate, 0, len(cands))
	var model []uint32
	var steps []step
	cur := start
	for range cands {
		order = order[:0]
		for k, c := range cands {
			if included[k] {
				continue
			}
			if p := poissonPValue(shared[k], expectedShared(cur, c)); p < pthresh {
				order = append(order, candidate{k, p})
			}
		}
		slices.SortStableFunc(order, func(a, b candidate) int { return cmp.Compare(a.p, b.p) })
		var next *fit
		for _, cand := range order {
			d := newDesign(h, append(slices.Clip(model), cands[cand.k]))
			err := checkModel(d)
			if errors.Is(err, ErrNotEstimable) {
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("stepwise: add %s: %w", h.names(cands[cand.k]), err)
			}
			if next, err = fitPoisson(d); err != nil {
				return nil, nil, fmt.Errorf("stepwise: add %s: %w", h.names(cands[cand.k]), err)
			}
			included[cand.k] = true
			model = d.pairs
			steps = append(steps, step{pair: cands[cand.k], shared: shared[cand.k], p: cand.p})
			break
		}
		if next == nil {
			break
		}
		cur = next
	}
	return cur, steps, nil
}

// expectedShared is λ*, the number of people the fitted model expects on
// both lists of the pair.
func expectedShared(f *fit, pair uint32) float64 {
	var s float64
	for i, c := range f.d.cells {
		if c&pair == pair {
			s += f.mu[i]
		}
	}
	return s
}

// poissonPValue is min(P(N ≤ n), P(N ≥ n)) for N ~ Poisson(λ), R's
// min(ppois(n, λ), ppois(n−1, λ, lower.tail = FALSE)). Each tail is computed
// directly from the regularised incomplete gamma function rather than as one
// minus the other, so that p-values far below 1e-16 — common for big lists —
// still order correctly.
func poissonPValue(n, lambda float64) float64 {
	lower := mathext.GammaIncRegComp(n+1, lambda) // P(N ≤ n)
	upper := 1.0                                  // P(N ≥ 0)
	if n > 0 {
		upper = mathext.GammaIncReg(n, lambda) // P(N ≥ n)
	}
	return min(lower, upper)
}
