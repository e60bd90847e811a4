package estimate

import (
	"errors"
	"math"
	"testing"
)

func TestMinimize(t *testing.T) {
	tests := []struct {
		name string
		a    [][]float64
		b, c []float64
		opt  float64
		rank int
		err  error
	}{
		{
			// max x + y s.t. x + 2y ≤ 4, 3x + y ≤ 6: optimum at (8/5, 6/5).
			name: "two variables with slacks",
			a:    [][]float64{{1, 2, 1, 0}, {3, 1, 0, 1}},
			b:    []float64{4, 6},
			c:    []float64{-1, -1, 0, 0},
			opt:  -14.0 / 5,
			rank: 2,
		},
		{
			// Beale (1955): Dantzig's rule cycles forever on it without an
			// anti-cycling rule. Optimum −5/4 at x₄ = 1, x₆ = 1.
			name: "Beale's cycling example",
			a: [][]float64{
				{1, 0, 0, 0.25, -8, -1, 9},
				{0, 1, 0, 0.5, -12, -0.5, 3},
				{0, 0, 1, 0, 0, 1, 0},
			},
			b:    []float64{0, 0, 1},
			c:    []float64{0, 0, 0, -0.75, 20, -0.5, 6},
			opt:  -1.25,
			rank: 3,
		},
		{
			name: "redundant row",
			a:    [][]float64{{1, 1, 1}, {2, 2, 2}, {1, 0, 0}},
			b:    []float64{3, 6, 1},
			c:    []float64{0, -1, 0},
			opt:  -2,
			rank: 2,
		},
		{
			name: "infeasible",
			a:    [][]float64{{1, 1}, {1, 1}},
			b:    []float64{1, 2},
			c:    []float64{1, 1},
			err:  errInfeasible,
		},
		{
			name: "unbounded",
			a:    [][]float64{{1, -1}},
			b:    []float64{1},
			c:    []float64{-1, 0},
			err:  errUnbounded,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, n := len(tc.a), len(tc.a[0])
			var flat []float64
			for _, row := range tc.a {
				flat = append(flat, row...)
			}
			opt, rank, err := minimize(flat, m, n, tc.b, tc.c)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if math.Abs(opt-tc.opt) > 1e-12 || rank != tc.rank {
				t.Errorf("optimum %g, rank %d; want %g, %d", opt, rank, tc.opt, tc.rank)
			}
		})
	}
}
