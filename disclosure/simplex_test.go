package disclosure

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

func denseRows(a [][]float64, b []float64) []lpRow {
	rows := make([]lpRow, len(a))
	for i, r := range a {
		rows[i].rhs = b[i]
		for j, v := range r {
			if v != 0 {
				rows[i].cols = append(rows[i].cols, j)
				rows[i].coefs = append(rows[i].coefs, v)
			}
		}
	}
	return rows
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestSimplexTextbook(t *testing.T) {
	// max 3x + 5y, x <= 4, 2y <= 12, 3x + 2y <= 18 (slacks s1..s3):
	// optimum 36 at x=2, y=6.
	a := [][]float64{{1, 0, 1, 0, 0}, {0, 2, 0, 1, 0}, {3, 2, 0, 0, 1}}
	s, err := newSimplex(5, denseRows(a, []float64{4, 12, 18}), fill(5, 0), fill(5, math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	got, unb, err := s.optimize([]float64{3, 5, 0, 0, 0}, true)
	if err != nil || unb || math.Abs(got-36) > 1e-9 {
		t.Fatalf("max = %v, unbounded %v, %v; want 36", got, unb, err)
	}
	// Warm start: a different objective over the same constraints.
	got, unb, err = s.optimize([]float64{1, 1, 0, 0, 0}, false)
	if err != nil || unb || math.Abs(got) > 1e-9 {
		t.Fatalf("min x+y = %v, unbounded %v, %v; want 0", got, unb, err)
	}
	got, _, _ = s.optimize([]float64{1, 0, 0, 0, 0}, true)
	if math.Abs(got-4) > 1e-9 {
		t.Fatalf("max x = %v, want 4", got)
	}
}

func TestSimplexBoundsAndRedundancy(t *testing.T) {
	// x + y + z = 10 stated twice (redundant, which gonum rejects), with
	// 1 <= x <= 3, 2 <= y <= 4, z >= 0.
	a := [][]float64{{1, 1, 1}, {1, 1, 1}, {2, 2, 2}}
	lo, up := []float64{1, 2, 0}, []float64{3, 4, math.Inf(1)}
	s, err := newSimplex(3, denseRows(a, []float64{10, 10, 20}), lo, up)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		c        []float64
		maximize bool
		want     float64
	}{
		{"max z", []float64{0, 0, 1}, true, 7},
		{"min z", []float64{0, 0, 1}, false, 3},
		{"max x-y", []float64{1, -1, 0}, true, 1},
		{"min x-y", []float64{1, -1, 0}, false, -3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, unb, err := s.optimize(tt.c, tt.maximize)
			if err != nil || unb || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("got %v, unbounded %v, %v; want %v", got, unb, err, tt.want)
			}
		})
	}
}

func TestSimplexInfeasibleAndUnbounded(t *testing.T) {
	a := [][]float64{{1, 1}, {1, 1}}
	if _, err := newSimplex(2, denseRows(a, []float64{1, 2}), fill(2, 0), fill(2, math.Inf(1))); !errors.Is(err, errLPInfeasible) {
		t.Fatalf("contradictory rows: %v, want errLPInfeasible", err)
	}
	s, err := newSimplex(2, denseRows([][]float64{{1, -1}}, []float64{1}), fill(2, 0), fill(2, math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, unb, err := s.optimize([]float64{1, 0}, true); err != nil || !unb {
		t.Fatalf("max x with x - y = 1: unbounded %v, %v; want unbounded", unb, err)
	}
	if got, unb, err := s.optimize([]float64{1, 0}, false); err != nil || unb || math.Abs(got-1) > 1e-9 {
		t.Fatalf("min x = %v, %v, %v; want 1", got, unb, err)
	}
}

// TestSimplexAgainstGonum compares optima with gonum's simplex on random
// feasible, full-rank programs in standard form.
func TestSimplexAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	compared, unbounded := 0, 0
	for trial := range 200 {
		m, n := 1+rng.IntN(6), 0
		n = m + 1 + rng.IntN(8)
		a := make([][]float64, m)
		dense := mat.NewDense(m, n, nil)
		x0 := make([]float64, n)
		for j := range x0 {
			x0[j] = float64(rng.IntN(5))
		}
		for i := range a {
			a[i] = make([]float64, n)
			for j := range a[i] {
				if rng.IntN(3) > 0 {
					a[i][j] = float64(rng.IntN(7) - 2)
				}
			}
		}
		for j := range n {
			if a[rng.IntN(m)][j] == 0 {
				a[rng.IntN(m)][j] = 1 // gonum refuses zero columns
			}
		}
		b := make([]float64, m)
		for i := range a {
			for j := range a[i] {
				dense.Set(i, j, a[i][j])
				b[i] += a[i][j] * x0[j]
			}
		}
		c := make([]float64, n)
		for j := range c {
			c[j] = float64(rng.IntN(11) - 3)
		}
		want, _, gerr := lp.Simplex(c, dense, b, 1e-10, nil)
		if gerr != nil && !errors.Is(gerr, lp.ErrUnbounded) {
			continue // gonum cannot take this one (rank, zero column); skip it
		}
		s, err := newSimplex(n, denseRows(a, b), fill(n, 0), fill(n, math.Inf(1)))
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		got, unb, err := s.optimize(c, false)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if errors.Is(gerr, lp.ErrUnbounded) != unb {
			t.Fatalf("trial %d: unbounded %v, gonum says %v", trial, unb, gerr)
		}
		if !unb && math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
			t.Fatalf("trial %d: optimum %v, gonum %v", trial, got, want)
		}
		compared++
		if unb {
			unbounded++
		}
	}
	// The comparison means something only if most programs were taken,
	// bounded and unbounded alike.
	t.Logf("compared %d programs, %d unbounded", compared, unbounded)
	if compared < 150 || unbounded == 0 || unbounded == compared {
		t.Fatalf("compared %d programs, %d unbounded", compared, unbounded)
	}
}

// TestSimplexBoundedAgainstGonum checks finite upper bounds (bound flips)
// against gonum on the same program rewritten in standard form: x = lo + y,
// y + s = up - lo, y, s >= 0.
func TestSimplexBoundedAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	compared := 0
	for trial := range 150 {
		m := 1 + rng.IntN(4)
		n := m + 1 + rng.IntN(5)
		a := make([][]float64, m)
		lo, up, x0 := make([]float64, n), make([]float64, n), make([]float64, n)
		for j := range n {
			lo[j] = float64(rng.IntN(3))
			up[j] = lo[j] + float64(1+rng.IntN(6))
			x0[j] = lo[j] + float64(rng.IntN(int(up[j]-lo[j])+1))
		}
		b := make([]float64, m)
		for i := range a {
			a[i] = make([]float64, n)
			for j := range a[i] {
				a[i][j] = float64(rng.IntN(7) - 2)
				b[i] += a[i][j] * x0[j]
			}
		}
		c := make([]float64, n)
		for j := range c {
			c[j] = float64(rng.IntN(11) - 5)
		}
		// Standard form over (y, s): m + n rows, 2n columns.
		std := mat.NewDense(m+n, 2*n, nil)
		bs := make([]float64, m+n)
		cs := make([]float64, 2*n)
		var shift float64
		for i := range m {
			bs[i] = b[i]
			for j := range n {
				std.Set(i, j, a[i][j])
				bs[i] -= a[i][j] * lo[j]
			}
		}
		for j := range n {
			std.Set(m+j, j, 1)
			std.Set(m+j, n+j, 1)
			bs[m+j] = up[j] - lo[j]
			cs[j] = c[j]
			shift += c[j] * lo[j]
		}
		want, _, gerr := lp.Simplex(cs, std, bs, 1e-10, nil)
		if gerr != nil {
			continue // rank-deficient for gonum
		}
		s, err := newSimplex(n, denseRows(a, b), lo, up)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		got, unb, err := s.optimize(c, false)
		if err != nil || unb {
			t.Fatalf("trial %d: %v, unbounded %v", trial, err, unb)
		}
		if math.Abs(got-(want+shift)) > 1e-6*(1+math.Abs(want)) {
			t.Fatalf("trial %d: optimum %v, gonum %v", trial, got, want+shift)
		}
		compared++
	}
	t.Logf("compared %d programs", compared)
	if compared < 100 {
		t.Fatalf("only %d programs compared", compared)
	}
}

// TestSimplexRefinesDrift perturbs the tableau's basic values, as rounding
// over many pivots does, and checks that the solution the simplex reports
// is corrected back onto the constraints.
func TestSimplexRefinesDrift(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 50 {
		m := 1 + rng.IntN(6)
		n := m + 1 + rng.IntN(8)
		x0 := make([]float64, n)
		for j := range x0 {
			x0[j] = float64(rng.IntN(5))
		}
		a := make([][]float64, m)
		b := make([]float64, m)
		for i := range a {
			a[i] = make([]float64, n)
			for j := range a[i] {
				a[i][j] = float64(rng.IntN(7) - 2)
				b[i] += a[i][j] * x0[j]
			}
		}
		s, err := newSimplex(n, denseRows(a, b), fill(n, 0), fill(n, math.Inf(1)))
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.beta {
			s.beta[i] += (rng.Float64() - 0.5) * 1e-3
		}
		x := s.solution()
		for i, row := range a {
			var sum float64
			for j, v := range row {
				sum += v * x[j]
			}
			if math.Abs(sum-b[i]) > 1e-9 {
				t.Fatalf("trial %d, row %d: residual %g after refinement", trial, i, sum-b[i])
			}
		}
	}
}

func TestSimplexOptimizeUntil(t *testing.T) {
	// max x subject to x + y = 10, 1 <= x, y: the maximum is 9.
	s, err := newSimplex(2, denseRows([][]float64{{1, 1}}, []float64{10}), fill(2, 1), fill(2, math.Inf(1)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		enough float64
		want   float64
	}{
		{math.Inf(1), 9}, // no stop: the maximum
		{5, 9},           // the first vertex past 5 is the maximum here
		{20, 9},          // out of reach: the maximum, and no more
	}
	for _, tt := range tests {
		got, unb, err := s.optimizeUntil([]float64{1, 0}, true, tt.enough)
		if err != nil || unb || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("enough %v: got %v, %v, %v; want %v", tt.enough, got, unb, err, tt.want)
		}
	}
	// Stopping early: after max y (x = 1, y = 9), max 2x + y, whose
	// maximum is 19 at x = 9, stops at once: the vertex it starts from is
	// worth 11, enough for 10.
	s, _ = newSimplex(2, denseRows([][]float64{{1, 1}}, []float64{10}), fill(2, 1), fill(2, math.Inf(1)))
	if _, _, err := s.optimize([]float64{0, 1}, true); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.optimizeUntil([]float64{2, 1}, true, 10); err != nil || got != 11 {
		t.Fatalf("stopped at %v, %v; want 11", got, err)
	}
	if got, _, err := s.optimizeUntil([]float64{2, 1}, true, 12); err != nil || got != 19 {
		t.Fatalf("with 12 needed: %v, %v; want the maximum 19", got, err)
	}
}
