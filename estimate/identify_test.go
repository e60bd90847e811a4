package estimate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestCheckModel(t *testing.T) {
	AB, AC, BC := pairMask(0, 1), pairMask(0, 2), pairMask(1, 2)
	tests := []struct {
		name   string
		tb     *Table
		pairs  []uint32
		reason string // "" when the model can be estimated
	}{
		{"main effects", table(t, "ABC", "A 10", "B 10", "C 10", "AB 5", "ABC 1"), nil, ""},
		{"one interaction", table(t, "ABC", "A 10", "B 10", "C 10", "AB 5", "AC 5", "ABC 1"), []uint32{AB}, ""},
		// All pairs with three lists is saturated: a zero anywhere sends a
		// parameter to infinity.
		{"saturated, nobody on all three", table(t, "ABC", "A 10", "B 10", "C 10", "AB 5", "AC 5", "BC 5"), []uint32{AB, AC, BC}, "does not exist"},
		{"saturated, all seen", table(t, "ABC", "A 10", "B 10", "C 10", "AB 5", "AC 5", "BC 5", "ABC 1"), []uint32{AB, AC, BC}, ""},
		// A and B share nobody, so AB and ABC drop out, leaving 5
		// combinations for 6 parameters.
		{"empty pair leaves too few combinations", table(t, "ABC", "A 10", "B 10", "C 10", "AC 5", "BC 5"), []uint32{AB, AC, BC}, "not identifiable"},
		{"empty pair alone", table(t, "ABC", "A 10", "B 10", "C 10", "AC 5", "BC 5"), []uint32{AB}, ""},
		// Main effects with two lists that share nobody: m = 0 in n₁n₂/m.
		{"two lists, no overlap", table(t, "AB", "A 10", "B 20"), nil, "does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkModel(newDesign(&tc.tb.h, tc.pairs))
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("checkModel = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrNotEstimable) || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("checkModel = %v, want ErrNotEstimable saying %q", err, tc.reason)
			}
		})
	}
}

// TestCheckModelAgreesWithOracles compares checkModel, on random sparse
// tables and random models, with two independent judges: the rank of the
// model matrix from a singular value decomposition, and what a long run of
// Newton's method does — when the estimate does not exist, some fitted
// counts fall towards zero without end (until the information matrix is
// singular to working precision, at about 1e-14), while when it exists they
// settle at positive values, here all above 1e-6.
func TestCheckModelAgreesWithOracles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var exists, missing, unidentifiable int
	for trial := range 400 {
		m := 3 + rng.IntN(2)
		h := histories{lists: strings.Split("ABCD"[:m], ""), counts: make([]float64, 1<<m)}
		for c := 1; c < 1<<m; c++ {
			if rng.Float64() < 0.55 {
				h.counts[c] = float64(1 + rng.IntN(20))
				h.observed += int(h.counts[c])
			}
		}
		var pairs []uint32
		for i := range m {
			for j := i + 1; j < m; j++ {
				if rng.Float64() < 0.4 {
					pairs = append(pairs, pairMask(i, j))
				}
			}
		}
		d := newDesign(&h, pairs)
		err := checkModel(d)
		name := fmt.Sprintf("trial %d: %v, pairs %v", trial, h.counts, pairs)

		if fullRank := svdRank(d) == len(d.terms); fullRank == errors.Is(err, errNotIdentifiable) {
			t.Errorf("%s: SVD says full rank %v, checkModel says %v", name, fullRank, err)
			continue
		}
		if errors.Is(err, errNotIdentifiable) {
			unidentifiable++
			continue
		}
		minMu := newtonMinFitted(d, 300)
		switch {
		case err == nil:
			exists++
			if !(minMu > 1e-6) {
				t.Errorf("%s: checkModel says the estimate exists, but Newton's fitted counts fall to %g", name, minMu)
			}
			if _, ferr := fitPoisson(d); ferr != nil {
				t.Errorf("%s: checkModel says the estimate exists, but fitPoisson: %v", name, ferr)
			}
		case errors.Is(err, errNoEstimate):
			missing++
			if !(minMu < 1e-9) {
				t.Errorf("%s: checkModel says %v, but Newton's fitted counts stay above %g", name, err, minMu)
			}
		default:
			t.Errorf("%s: %v", name, err)
		}
	}
	// The random tables must hit every verdict, or the test tests little.
	if exists < 20 || missing < 20 || unidentifiable < 5 {
		t.Errorf("verdicts: %d exist, %d do not, %d unidentifiable; want each well represented", exists, missing, unidentifiable)
	}
}

func svdRank(d *design) int {
	x := mat.NewDense(len(d.cells), len(d.terms), nil)
	for i := range d.cells {
		for _, k := range d.covers(i) {
			x.Set(i, int(k), 1)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDNone) {
		panic("SVD failed")
	}
	return svd.Rank(1e-9)
}

// newtonMinFitted runs a fixed number of Newton steps on the Poisson
// log-likelihood, with no stopping rule, and returns the smallest fitted
// count. When the estimate exists this converges to a positive vector; when
// it does not, the steps keep pushing some fitted counts down geometrically.
func newtonMinFitted(d *design, steps int) float64 {
	n, p := len(d.cells), len(d.terms)
	beta := make([]float64, p)
	beta[0] = math.Log(sum(d.y) / float64(n))
	mu := make([]float64, n)
	for range steps {
		info := mat.NewSymDense(p, nil)
		grad := mat.NewVecDense(p, nil)
		for i := range d.cells {
			var eta float64
			for _, k := range d.covers(i) {
				eta += beta[k]
			}
			mu[i] = math.Exp(eta)
			for a, ka := range d.covers(i) {
				grad.SetVec(int(ka), grad.AtVec(int(ka))+d.y[i]-mu[i])
				for _, kb := range d.covers(i)[a:] {
					info.SetSym(int(ka), int(kb), info.At(int(ka), int(kb))+mu[i])
				}
			}
		}
		var step mat.VecDense
		if err := step.SolveVec(info, grad); err != nil {
			break // information singular: fitted counts have underflowed
		}
		for k := range beta {
			beta[k] += step.AtVec(k)
		}
	}
	return min(mu[0], minSlice(mu))
}

func minSlice(x []float64) float64 {
	m := math.Inf(1)
	for _, v := range x {
		m = min(m, v)
	}
	return m
}
