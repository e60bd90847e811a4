package disclosure

import (
	"errors"
	"fmt"
	"math"
)

// The audit solves many small linear programs over the same constraints
// with different objectives. This is a bounded-variable primal simplex on a
// dense tableau: phase 1 once, then each objective warm-starts from the
// previous optimal basis, which is feasible for every objective. gonum's
// lp.Simplex needs full row rank (margin constraints are redundant by
// nature), has no variable bounds and restarts from scratch for each
// objective, so it does not fit.

const (
	lpPivotTol = 1e-9  // smallest usable pivot element
	lpOptTol   = 1e-9  // reduced cost below which a column is not improving
	lpFeasTol  = 1e-6  // residual accepted when checking a solution
	lpTieTol   = 1e-12 // ratio-test tie
	lpZeroTol  = 1e-11 // tableau entries below this are rounded to 0
)

var (
	// An infeasible attacker's program means published values that
	// contradict each other.
	errLPInfeasible = fmt.Errorf("linear program infeasible: %w", ErrInvalid)
	errLPNumerical  = errors.New("linear program numerically unstable")
	errLPIterations = errors.New("linear program iteration limit")
)

// lpRow is one equality constraint: sum of coefs[i]*x[cols[i]] = rhs.
type lpRow struct {
	cols  []int
	coefs []float64
	rhs   float64
}

// simplex solves min or max c·x subject to the rows and lo <= x <= up,
// with lo finite and up possibly +Inf.
//
// The tableau keeps the columns of the artificial variables after they
// leave the basis: they hold B⁻¹ (up to the rows' signs), which lets a
// solution be refined against the original rows, so that rounding built up
// over thousands of pivots does not reach the results.
type simplex struct {
	m, n   int // rows; structural columns (artificial column of row i: n+i)
	w      int // tableau width, n+m
	rows   []lpRow
	sign   []float64 // ±1: the sign row i was multiplied by
	lo, up []float64
	t      []float64 // m×w tableau, B⁻¹[SA | I]
	beta   []float64 // values of the basic variables
	basis  []int     // basic variable (column) of each row
	rowOf  []int     // row in which column j is basic, or -1
	atUp   []bool    // nonbasic structural column j sits at its upper bound
	d      []float64 // reduced costs of the structural columns
	cost   []float64 // objective being minimised
	nz     []int     // scratch: non-zero columns of the pivot row
	col    []float64 // scratch: the entering column
	res    []float64 // scratch: row residuals, for refinement
	last   []float64 // the last verified feasible solution
	obj    float64   // objective value of the current point
	stopAt float64   // iterate stops once obj reaches this (-Inf: never)
	stop   bool      // whether iterate stopped there
	phase1 bool
}

func newSimplex(n int, rows []lpRow, lo, up []float64) (*simplex, error) {
	m := len(rows)
	w := n + m
	s := &simplex{
		m: m, n: n, w: w, rows: rows, sign: make([]float64, m), lo: lo, up: up,
		t: make([]float64, m*w), beta: make([]float64, m), basis: make([]int, m),
		rowOf: make([]int, w), atUp: make([]bool, n), d: make([]float64, n), cost: make([]float64, n),
		res: make([]float64, m),
	}
	for j := range n {
		if math.IsInf(lo[j], 0) || math.IsNaN(lo[j]) || up[j] < lo[j] {
			return nil, fmt.Errorf("column %d has bounds [%v, %v]: %w", j, lo[j], up[j], ErrInvalid)
		}
		s.rowOf[j] = -1
	}
	// Start with every column at its lower bound and one artificial
	// variable per row absorbing the residual, made non-negative by
	// flipping the row's sign.
	for i, r := range rows {
		res := r.rhs
		for k, j := range r.cols {
			res -= r.coefs[k] * lo[j]
		}
		s.sign[i] = 1
		if res < 0 {
			s.sign[i] = -1
		}
		for k, j := range r.cols {
			s.t[i*w+j] += s.sign[i] * r.coefs[k]
		}
		s.t[i*w+n+i] = 1
		s.beta[i] = s.sign[i] * res
		s.basis[i] = n + i
		s.rowOf[n+i] = i
	}
	// Phase 1 minimises the sum of the artificial variables.
	s.phase1, s.stopAt = true, math.Inf(-1)
	for j := range n {
		var sum float64
		for i := range m {
			sum += s.t[i*w+j]
		}
		s.d[j] = -sum
	}
	if _, err := s.iterate(); err != nil {
		return nil, err
	}
	scale := 1.0
	for _, r := range rows {
		scale = max(scale, math.Abs(r.rhs))
	}
	for i := range m {
		if s.basis[i] >= n && s.beta[i] > lpFeasTol*scale {
			return nil, errLPInfeasible
		}
	}
	// Artificial variables still basic stay there fixed at 0: their rows
	// are redundant or degenerate.
	s.phase1 = false
	x := s.solution()
	if err := s.check(x); err != nil {
		return nil, err
	}
	s.last = x
	return s, nil
}

// optimize returns the optimum of c·x (the minimum, or with maximize the
// maximum); unbounded reports an infinite optimum.
func (s *simplex) optimize(c []float64, maximize bool) (value float64, unboundedOpt bool, err error) {
	return s.optimizeUntil(c, maximize, math.Inf(1))
}

// optimizeUntil is optimize, except that a maximisation may stop at the
// first verified solution whose value reaches enough: the audit needs a
// witness that the maximum is at least that high, not the maximum itself.
// If rounding has built up in the tableau over many objectives, it
// rebuilds the tableau from the rows once and solves again.
func (s *simplex) optimizeUntil(c []float64, maximize bool, enough float64) (value float64, unboundedOpt bool, err error) {
	value, unboundedOpt, err = s.solve(c, maximize, enough)
	if err == nil {
		return value, unboundedOpt, nil
	}
	fresh, ferr := newSimplex(s.n, s.rows, s.lo, s.up)
	if ferr != nil {
		return 0, false, ferr
	}
	*s = *fresh
	return s.solve(c, maximize, enough)
}

func (s *simplex) solve(c []float64, maximize bool, enough float64) (value float64, unboundedOpt bool, err error) {
	for j := range s.n {
		s.cost[j] = c[j]
		if maximize {
			s.cost[j] = -c[j]
		}
	}
	copy(s.d, s.cost)
	for i := range s.m {
		cb := s.basicCost(i)
		if cb == 0 {
			continue
		}
		row := s.t[i*s.w : i*s.w+s.n]
		for j, v := range row {
			if v != 0 {
				s.d[j] -= cb * v
			}
		}
	}
	// The tableau's objective value, kept up to date by iterate.
	s.obj, s.stopAt = 0, math.Inf(-1)
	for j, v := range s.point() {
		s.obj += s.cost[j] * v
	}
	if maximize && !math.IsInf(enough, 1) {
		s.stopAt = -enough
	}
	for {
		bounded, err := s.iterate()
		if err != nil {
			return 0, false, err
		}
		if !bounded {
			return 0, true, nil
		}
		x := s.solution()
		if err := s.check(x); err != nil {
			return 0, false, err
		}
		value = 0
		for j, cj := range c {
			value += cj * x[j]
		}
		if s.stop && value < enough-lpFeasTol {
			// Stopped on the tableau's value, which the refined one does
			// not confirm: go on to the optimum.
			s.stopAt = math.Inf(-1)
			continue
		}
		s.last = x
		return value, false, nil
	}
}

func (s *simplex) basicCost(i int) float64 {
	b := s.basis[i]
	if b >= s.n {
		if s.phase1 {
			return 1
		}
		return 0
	}
	return s.cost[b]
}

func (s *simplex) lower(b int) float64 {
	if b >= s.n {
		return 0
	}
	return s.lo[b]
}

func (s *simplex) upper(b int) float64 {
	if b >= s.n {
		if s.phase1 {
			return math.Inf(1)
		}
		return 0
	}
	return s.up[b]
}

// iterate pivots until optimal; it returns false when the objective is
// unbounded. Dantzig's rule picks the entering column; after a run of
// degenerate pivots it switches to Bland's rule, which cannot cycle.
func (s *simplex) iterate() (bounded bool, err error) {
	degenerate, bland := 0, false
	limit := 50*(s.m+s.n) + 1000
	s.stop = false
	for range limit {
		if s.obj <= s.stopAt {
			s.stop = true
			return true, nil
		}
		j, dir := s.entering(bland)
		if j < 0 {
			return true, nil
		}
		// Read the entering column once: the tableau is row-major, and
		// striding down a column is what costs most.
		col := s.col[:0]
		for i := range s.m {
			col = append(col, s.t[i*s.w+j])
		}
		s.col = col
		leave, step := s.ratioTest(j, dir, bland)
		if math.IsInf(step, 1) {
			return false, nil
		}
		for i, a := range col {
			if a != 0 {
				s.beta[i] -= step * dir * a
			}
		}
		s.obj += s.d[j] * dir * step
		if step <= lpTieTol {
			degenerate++
			bland = bland || degenerate > 30
		} else {
			degenerate, bland = 0, false
		}
		if leave < 0 {
			s.atUp[j] = !s.atUp[j] // the entering column runs to its other bound
			continue
		}
		enter := s.lo[j]
		if s.atUp[j] {
			enter = s.up[j]
		}
		enter += dir * step
		if out := s.basis[leave]; out < s.n {
			s.atUp[out] = dir*col[leave] < 0 // it left at the bound it reached
		}
		s.rowOf[s.basis[leave]] = -1
		s.pivot(leave, j)
		s.basis[leave], s.rowOf[j], s.beta[leave] = j, leave, enter
	}
	return false, errLPIterations
}

// ratioTest returns the row that leaves the basis when column j moves in
// direction dir (-1 for a bound flip) and the step: the row that blocks
// first, and among rows that block together the largest pivot (small
// pivots are what makes rounding grow) or, under Bland's rule, the lowest
// variable, so that the rule still cannot cycle.
func (s *simplex) ratioTest(j int, dir float64, bland bool) (leave int, step float64) {
	step, leave = s.up[j]-s.lo[j], -1
	for i, a := range s.col {
		alpha := dir * a
		if math.Abs(alpha) <= lpPivotTol {
			continue
		}
		b := s.basis[i]
		var lim float64
		if alpha > 0 {
			lim = (s.beta[i] - s.lower(b)) / alpha
		} else {
			u := s.upper(b)
			if math.IsInf(u, 1) {
				continue
			}
			lim = (u - s.beta[i]) / -alpha
		}
		lim = max(lim, 0)
		switch {
		case lim < step-lpTieTol:
		case lim > step+lpTieTol || leave < 0:
			continue
		case bland && b < s.basis[leave]:
		case !bland && math.Abs(a) > math.Abs(s.col[leave]):
		default:
			continue
		}
		step, leave = lim, i
	}
	return leave, step
}

// entering returns an improving nonbasic column and the direction it moves
// (+1 up from its lower bound, -1 down from its upper bound), or -1.
// Artificial columns never enter.
func (s *simplex) entering(bland bool) (int, float64) {
	best, dir, score := -1, 0.0, 0.0
	for j := range s.n {
		if s.rowOf[j] >= 0 {
			continue
		}
		var sc, dj float64
		switch {
		case !s.atUp[j] && s.d[j] < -lpOptTol && s.up[j] > s.lo[j]:
			sc, dj = -s.d[j], 1
		case s.atUp[j] && s.d[j] > lpOptTol:
			sc, dj = s.d[j], -1
		default:
			continue
		}
		if bland {
			return j, dj
		}
		if sc > score {
			best, dir, score = j, dj, sc
		}
	}
	return best, dir
}

// pivot makes column j basic in row r; s.col must hold column j.
func (s *simplex) pivot(r, j int) {
	w := s.w
	row := s.t[r*w : (r+1)*w]
	inv := 1 / row[j]
	// The tableau of margin constraints stays sparse: update only the
	// pivot row's non-zero columns.
	s.nz = s.nz[:0]
	for k, v := range row {
		if v != 0 {
			row[k] = v * inv
			s.nz = append(s.nz, k)
		}
	}
	row[j] = 1
	for i, f := range s.col {
		if i == r || f == 0 {
			continue
		}
		ri := s.t[i*w : (i+1)*w]
		for _, k := range s.nz {
			x := ri[k] - f*row[k]
			if math.Abs(x) < lpZeroTol {
				x = 0
			}
			ri[k] = x
		}
		ri[j] = 0
	}
	if f := s.d[j]; f != 0 {
		for _, k := range s.nz {
			if k < s.n {
				s.d[k] -= f * row[k]
			}
		}
	}
	s.d[j] = 0
}

// solution returns the current point. Its basic values are corrected by
// one step of iterative refinement against the original rows: with x the
// point as the tableau has it, the residual r = b - A x - S a (a the
// artificial values) is what rounding has lost over the pivots, and B⁻¹ r,
// read from the artificial columns, is the correction. The tableau's own
// values are left as they are: correcting them would break the exact ties
// that degenerate margin problems are full of, and cost many more pivots.
func (s *simplex) solution() []float64 {
	x := s.point()
	for i, row := range s.rows {
		r := row.rhs
		for k, j := range row.cols {
			r -= row.coefs[k] * x[j]
		}
		if a := s.rowOf[s.n+i]; a >= 0 {
			r -= s.sign[i] * s.beta[a]
		}
		s.res[i] = s.sign[i] * r
	}
	for j := range s.n {
		i := s.rowOf[j]
		if i < 0 {
			continue
		}
		var corr float64
		for k, v := range s.t[i*s.w+s.n : (i+1)*s.w] {
			if v != 0 {
				corr += v * s.res[k]
			}
		}
		x[j] += corr
	}
	return x
}

// point returns the current point as the tableau has it.
func (s *simplex) point() []float64 {
	x := make([]float64, s.n)
	for j := range s.n {
		switch {
		case s.rowOf[j] >= 0:
			x[j] = s.beta[s.rowOf[j]]
		case s.atUp[j]:
			x[j] = s.up[j]
		default:
			x[j] = s.lo[j]
		}
	}
	return x
}

// check verifies a solution against the original rows and bounds, so that
// rounding accumulated in the tableau cannot pass unnoticed.
func (s *simplex) check(x []float64) error {
	for j, v := range x {
		if v < s.lo[j]-lpFeasTol || v > s.up[j]+lpFeasTol {
			return errLPNumerical
		}
	}
	for _, r := range s.rows {
		sum := -r.rhs
		for k, j := range r.cols {
			sum += r.coefs[k] * x[j]
		}
		if math.Abs(sum) > lpFeasTol*(1+math.Abs(r.rhs)) {
			return errLPNumerical
		}
	}
	return nil
}
