package disclosure

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// Unbounded is an Interval's Hi when no published value limits the cell
// from above.
const Unbounded int64 = unbounded

// Interval is what an attacker can compute about a suppressed cell from a
// release: the smallest and largest values it takes over all real tables
// that publish the same numbers.
type Interval struct {
	// At holds a category index per dimension, or Total.
	At     []int
	Lo, Hi int64
}

// Width returns Hi-Lo, or Unbounded.
func (iv Interval) Width() int64 { return width(iv.Lo, iv.Hi) }

// FeasibleIntervals attacks a release the way the audit must assume an
// attacker does, using nothing but what the release publishes: for every
// suppressed cell it minimises and maximises the cell by linear programming
// over the inner cells, subject to every published value, the additivity of
// the margins, and every suppressed inner cell being at least 1 (zeros are
// always published, see DISCLOSURE.md). The bounds are rounded inwards to
// integers, since counts are integers. The intervals come in lattice order.
func FeasibleIntervals(ctx context.Context, r *Release) ([]Interval, error) {
	ivs, err := feasibleIntervals(ctx, r, nil)
	if err != nil {
		return nil, fmt.Errorf("disclosure: feasible intervals: %w", err)
	}
	return ivs, nil
}

// auditRule is the protection rule, for feasibleIntervals to stop each
// maximisation once it has a witness that the cell's interval is wide
// enough. A nil rule computes exact intervals.
type auditRule struct {
	k, width int64
	reason   []Reason
}

// enough returns the value a suppressed cell's maximum must reach, given
// its minimum: the rule applies to the bounds rounded to integers.
func (a *auditRule) enough(cell int, lo float64) float64 {
	need := math.Ceil(lo-1e-6) + float64(a.width)
	if a.reason[cell] == Primary {
		need = max(need, float64(a.k))
	}
	return need
}

func feasibleIntervals(ctx context.Context, r *Release, rule *auditRule) ([]Interval, error) {
	if r == nil || r.lat == nil {
		return nil, fmt.Errorf("no release; use Protect: %w", ErrInvalid)
	}
	lat := r.lat
	// The unknowns are the suppressed inner cells; everything else is a
	// constant the release publishes.
	var cells []int
	inner := make([]int64, len(lat.innerExt))
	for i, c := range lat.innerExt {
		if r.status[c] == Suppressed {
			cells = append(cells, c)
		} else {
			inner[i] = r.value[c]
		}
	}
	known := lat.margins(inner) // sum of the published inner cells below each cell

	// One equality per published margin over the unknowns below it, and
	// for each suppressed cell the unknowns its value sums.
	rowOf := make(map[int]int)
	var rows []lpRow
	below := make(map[int][]int)
	var buf []int
	for v, c := range cells {
		buf = lat.ancestors(c, buf, func(a int) {
			if r.status[a] == Suppressed {
				below[a] = append(below[a], v)
				return
			}
			i, ok := rowOf[a]
			if !ok {
				i = len(rows)
				rowOf[a] = i
				rows = append(rows, lpRow{rhs: float64(r.value[a] - known[a])})
			}
			rows[i].cols = append(rows[i].cols, v)
			rows[i].coefs = append(rows[i].coefs, 1)
		})
	}
	for a := range lat.cells {
		if _, ok := rowOf[a]; !ok && r.status[a] == Published && r.value[a] != known[a] {
			return nil, fmt.Errorf("published margins do not add up: %w", ErrInvalid)
		}
	}

	// Unknowns that share no constraint are independent: solve each
	// connected component as its own, smaller program.
	comp := components(len(cells), rows)
	jobs := make([]componentJob, len(comp.members))
	for i, members := range comp.members {
		jobs[i].local = make(map[int]int, len(members))
		for l, v := range members {
			jobs[i].local[v] = l
		}
	}
	for _, row := range rows {
		job := &jobs[comp.of[row.cols[0]]]
		lr := lpRow{cols: make([]int, len(row.cols)), coefs: row.coefs, rhs: row.rhs}
		for k, v := range row.cols {
			lr.cols[k] = job.local[v]
		}
		job.rows = append(job.rows, lr)
	}
	var suppressed []int
	for a := range lat.cells {
		if r.status[a] == Suppressed {
			suppressed = append(suppressed, a)
		}
	}
	for _, a := range suppressed {
		byComp := make(map[int][]int)
		for _, v := range below[a] {
			byComp[comp.of[v]] = append(byComp[comp.of[v]], v)
		}
		for ci, vars := range byComp {
			obj := objective{cell: a, whole: len(byComp) == 1, base: float64(known[a])}
			for _, v := range vars {
				obj.vars = append(obj.vars, jobs[ci].local[v])
			}
			jobs[ci].objectives = append(jobs[ci].objectives, obj)
		}
	}
	lo := make(map[int]float64, len(suppressed))
	hi := make(map[int]float64, len(suppressed))
	for i := range jobs {
		// Objectives in lattice order, so that runs are reproducible.
		slices.SortFunc(jobs[i].objectives, func(x, y objective) int { return x.cell - y.cell })
		if err := jobs[i].solve(ctx, rule, lo, hi); err != nil {
			return nil, err
		}
	}
	var out []Interval
	for _, a := range suppressed {
		base := float64(known[a])
		iv := Interval{At: lat.toPublic(a), Lo: int64(math.Ceil(base + lo[a] - 1e-6)), Hi: Unbounded}
		if h := hi[a]; !math.IsInf(h, 1) {
			iv.Hi = int64(math.Floor(base + h + 1e-6))
		}
		out = append(out, iv)
	}
	return out, nil
}

// componentJob is the linear program of one connected component of the
// unknowns, and the objectives to optimise over it.
type componentJob struct {
	local      map[int]int // unknown -> column
	rows       []lpRow
	objectives []objective
}

// objective is the part of a suppressed cell's value that lies in one
// component: the sum of these columns.
type objective struct {
	cell  int
	vars  []int
	whole bool    // the cell's unknowns all lie in this component
	base  float64 // the published part of the cell's value
}

// solve adds to lo and hi, for every objective's cell, the minimum and
// maximum of its part. With a rule, a maximisation stops at the first
// verified solution that meets the rule.
//
// Many programs need not be solved: every solution the simplex verifies is
// a feasible table. When one of them puts a cell at a bound that no
// feasible table can pass (below, 1 for each unknown it sums; above, for an
// inner cell, a published margin minus 1 for each other unknown under it),
// that bound is the optimum; and with a rule, one that meets the rule is
// the witness sought.
func (job *componentJob) solve(ctx context.Context, rule *auditRule, lo, hi map[int]float64) error {
	n := len(job.local)
	lower, upper := make([]float64, n), make([]float64, n)
	for i := range n {
		lower[i], upper[i] = 1, math.Inf(1)
	}
	ceiling := make([]float64, n)
	for i := range ceiling {
		ceiling[i] = math.Inf(1)
	}
	for _, row := range job.rows {
		for _, v := range row.cols { // margin rows: all coefficients 1
			ceiling[v] = min(ceiling[v], row.rhs-float64(len(row.cols)-1))
		}
	}
	s, err := newSimplex(n, job.rows, lower, upper)
	if err != nil {
		return err
	}
	seenLo, seenHi := slices.Clone(s.last), slices.Clone(s.last)
	recent := [][]float64{s.last} // the last verified solutions, newest last
	see := func() {
		for v, x := range s.last {
			seenLo[v], seenHi[v] = min(seenLo[v], x), max(seenHi[v], x)
		}
		if len(recent) == recentSolutions {
			recent = recent[1:]
		}
		recent = append(recent, s.last)
	}
	// seen returns the smallest and largest value of an objective over
	// the recent solutions.
	seen := func(vars []int) (lo, hi float64) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, x := range recent {
			var sum float64
			for _, v := range vars {
				sum += x[v]
			}
			lo, hi = min(lo, sum), max(hi, sum)
		}
		return lo, hi
	}
	c := make([]float64, n)
	for i, obj := range job.objectives {
		if i%16 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		clear(c)
		for _, v := range obj.vars {
			c[v] = 1
		}
		single := len(obj.vars) == 1
		recentLo, recentHi := seen(obj.vars)

		// Every unknown is at least 1, so a solution at that bound settles
		// the minimum.
		floor := float64(len(obj.vars))
		var least float64
		if recentLo <= floor+1e-9 || single && seenLo[obj.vars[0]] <= 1+1e-9 {
			least = floor
		} else {
			val, unb, err := s.optimizeUntil(c, false, math.Inf(1))
			if err != nil {
				return err
			}
			if unb {
				return fmt.Errorf("minimum unbounded below: %w", ErrInternal)
			}
			least = val
			see()
		}
		lo[obj.cell] += least

		if single && seenHi[obj.vars[0]] >= ceiling[obj.vars[0]]-1e-9 {
			hi[obj.cell] += ceiling[obj.vars[0]]
			continue
		}
		enough := math.Inf(1)
		if rule != nil && obj.whole {
			enough = rule.enough(obj.cell, obj.base+least) - obj.base
			if recentHi >= enough-1e-9 {
				hi[obj.cell] += recentHi // a recent solution is witness enough
				continue
			}
		}
		val, unb, err := s.optimizeUntil(c, true, enough)
		if err != nil {
			return err
		}
		if unb {
			hi[obj.cell] = math.Inf(1)
			continue
		}
		hi[obj.cell] += val
		see()
	}
	return nil
}

// recentSolutions is how many verified solutions the audit keeps to settle
// objectives without solving them.
const recentSolutions = 16

// componentSet partitions unknowns into groups linked by shared rows.
type componentSet struct {
	of      []int   // component of each unknown
	members [][]int // unknowns of each component
}

func components(n int, rows []lpRow) componentSet {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, row := range rows {
		for _, v := range row.cols[1:] {
			a, b := find(row.cols[0]), find(v)
			if a != b {
				parent[a] = b
			}
		}
	}
	cs := componentSet{of: make([]int, n)}
	index := make(map[int]int)
	for v := range n {
		root := find(v)
		i, ok := index[root]
		if !ok {
			i = len(cs.members)
			index[root] = i
			cs.members = append(cs.members, nil)
		}
		cs.of[v] = i
		cs.members[i] = append(cs.members[i], v)
	}
	return cs
}
