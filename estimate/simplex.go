package estimate

import (
	"errors"
	"math"
)

// pivotTol is the smallest magnitude a tableau entry may have to serve as a
// pivot, and the margin by which a reduced cost must be negative to improve.
// The linear programs here have entries 0 and 1 and integer right-hand
// sides, so genuine values are far from it.
const pivotTol = 1e-9

var (
	errInfeasible = errors.New("linear program is infeasible")
	errUnbounded  = errors.New("linear program is unbounded")
	errNoProgress = errors.New("linear program did not terminate")
)

// minimize solves the linear program
//
//	minimise cᵀv  subject to  Av = b,  v ≥ 0
//
// for an m×n row-major A and b ≥ 0, by the two-phase tableau simplex method,
// and returns the optimum and the rank of A. Dantzig's rule chooses the
// entering column until a degenerate pivot is met, and Bland's rule from then
// on, so the method cannot cycle.
//
// gonum's lp.Simplex solves the same problem, but refactorises and estimates
// a condition number at every step; on the problems checkModel poses —
// a few dozen rows, a few hundred columns — a dense tableau is some fifty
// times faster, and the stepwise search poses many of them.
func minimize(a []float64, m, n int, b, c []float64) (opt float64, rank int, err error) {
	w := n + m + 1 // original columns, one artificial per row, right-hand side
	t := make([]float64, m*w)
	basis := make([]int, m)
	for i := range m {
		copy(t[i*w:], a[i*n:(i+1)*n])
		t[i*w+n+i] = 1
		t[i*w+n+m] = b[i]
		basis[i] = n + i
	}
	tab := &tableau{t: t, w: w, m: m, basis: basis, live: make([]bool, m)}
	for i := range tab.live {
		tab.live[i] = true
	}

	// Phase I: minimise the sum of the artificials to reach a vertex of Av = b.
	cost := make([]float64, n+m)
	for j := n; j < n+m; j++ {
		cost[j] = 1
	}
	if err := tab.solve(cost, n+m); err != nil {
		return 0, 0, err
	}
	if tab.value(cost) > pivotTol*(1+sum(b)) {
		return 0, 0, errInfeasible
	}
	// Pivot the artificials left in the basis (at zero) out onto original
	// columns; a row where none can enter is a linear combination of the
	// others, and is dropped. What remains is the rank of A.
	tab.obj = nil // pivots between the phases need no reduced costs
	rank = m
	for i := range m {
		if basis[i] < n {
			continue
		}
		row := t[i*w:]
		j := 0
		for j < n && math.Abs(row[j]) <= pivotTol {
			j++
		}
		if j == n {
			tab.live[i] = false
			rank--
			continue
		}
		tab.pivot(i, j)
	}

	// Phase II, on the original columns only.
	copy(cost, c)
	clear(cost[n:])
	if err := tab.solve(cost, n); err != nil {
		return 0, 0, err
	}
	return tab.value(cost), rank, nil
}

type tableau struct {
	t     []float64 // m rows of w entries; the last entry of a row is its right-hand side
	w, m  int
	basis []int     // the basic column of each row
	live  []bool    // false for rows dropped as redundant
	obj   []float64 // reduced costs during solve, updated by pivot; nil outside it
}

// solve runs the simplex method for the costs given, letting only columns
// below allowed enter the basis.
func (tab *tableau) solve(cost []float64, allowed int) error {
	t, w, m := tab.t, tab.w, tab.m
	rhs := w - 1
	// The reduced costs cⱼ − Σᵢ c_B(i)·tᵢⱼ, kept up to date by pivot.
	tab.obj = append(tab.obj[:0], cost...)
	tab.obj = append(tab.obj, 0)
	for i, bi := range tab.basis {
		if !tab.live[i] || cost[bi] == 0 {
			continue
		}
		f := cost[bi]
		for k, v := range t[i*w : (i+1)*w] {
			tab.obj[k] -= f * v
		}
	}
	bland := false
	for iter := 0; iter < 50*(allowed+m); iter++ {
		enter, best := -1, -pivotTol
		for j, d := range tab.obj[:allowed] {
			if d < best {
				enter, best = j, d
				if bland {
					break
				}
			}
		}
		if enter < 0 {
			return nil
		}
		// Leaving row: the minimum ratio, ties to the smallest basic column.
		leave, ratio := -1, math.Inf(1)
		for i := range m {
			if !tab.live[i] {
				continue
			}
			if p := t[i*w+enter]; p > pivotTol {
				r := t[i*w+rhs] / p
				if r < ratio || (r == ratio && tab.basis[i] < tab.basis[leave]) {
					leave, ratio = i, r
				}
			}
		}
		if leave < 0 {
			return errUnbounded
		}
		if ratio <= pivotTol {
			bland = true
		}
		tab.pivot(leave, enter)
	}
	return errNoProgress
}

// pivot makes column j basic in row r.
func (tab *tableau) pivot(r, j int) {
	t, w := tab.t, tab.w
	row := t[r*w : (r+1)*w]
	inv := 1 / row[j]
	for k := range row {
		row[k] *= inv
	}
	row[j] = 1
	for i := range tab.m {
		if i == r || !tab.live[i] {
			continue
		}
		other := t[i*w : (i+1)*w]
		f := other[j]
		if f == 0 {
			continue
		}
		for k, v := range row {
			if v != 0 {
				other[k] -= f * v
			}
		}
		other[j] = 0
		if x := other[w-1]; x < 0 && x > -pivotTol {
			other[w-1] = 0 // rounding must not make a basic value infeasible
		}
	}
	if len(tab.obj) > 0 {
		if f := tab.obj[j]; f != 0 {
			for k, v := range row {
				tab.obj[k] -= f * v
			}
			tab.obj[j] = 0
		}
	}
	tab.basis[r] = j
}

// value is the objective at the current vertex.
func (tab *tableau) value(cost []float64) float64 {
	var v float64
	for i, j := range tab.basis {
		if tab.live[i] {
			v += cost[j] * tab.t[i*tab.w+tab.w-1]
		}
	}
	return v
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
