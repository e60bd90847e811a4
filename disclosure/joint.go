package disclosure

import (
	"context"
	"fmt"
	"math"
)

// LinearCell is a count that several tables may publish: the sum of some
// of the n unknown counts of a finer table that none of them publishes
// (for example the victims by year, sex, age band and form of
// exploitation, of which the SDG table and the age-band table are both
// sums).
type LinearCell struct {
	// Vars are the indexes, in [0, n), of the unknowns the cell sums.
	Vars []int
	// Value is the published count; it is ignored for a hidden cell.
	Value int64
}

// Bounds is the range of values a hidden cell can take.
type Bounds struct{ Lo, Hi int64 }

// Width returns Hi-Lo, or Unbounded.
func (b Bounds) Width() int64 { return width(b.Lo, b.Hi) }

// JointBounds attacks tables released together the way an attacker who
// holds all of them would: the unknowns are the n counts of the finer table
// they are all sums of, each at least 0; every published cell fixes its
// sum; every hidden cell, being suppressed, holds at least 1 person. For
// each hidden cell it returns the least and greatest value consistent with
// all that, by linear programming (so the bounds are those of the
// relaxation, which an integer attacker cannot beat).
func JointBounds(ctx context.Context, n int, published []LinearCell, hidden [][]int) ([]Bounds, error) {
	if n < 1 || n > 100_000 {
		return nil, fmt.Errorf("disclosure: joint bounds: %d unknowns: %w", n, ErrInvalid)
	}
	check := func(vars []int) error {
		for _, v := range vars {
			if v < 0 || v >= n {
				return fmt.Errorf("disclosure: joint bounds: unknown %d out of range: %w", v, ErrInvalid)
			}
		}
		return nil
	}
	// Columns: the n unknowns, then one slack per hidden cell for "at
	// least 1": sum - slack = 1.
	cols := n + len(hidden)
	var rows []lpRow
	for _, c := range published {
		if err := check(c.Vars); err != nil {
			return nil, err
		}
		r := lpRow{rhs: float64(c.Value)}
		for _, v := range c.Vars {
			r.cols = append(r.cols, v)
			r.coefs = append(r.coefs, 1)
		}
		rows = append(rows, r)
	}
	for i, vars := range hidden {
		if err := check(vars); err != nil {
			return nil, err
		}
		r := lpRow{rhs: 1}
		for _, v := range vars {
			r.cols = append(r.cols, v)
			r.coefs = append(r.coefs, 1)
		}
		r.cols = append(r.cols, n+i)
		r.coefs = append(r.coefs, -1)
		rows = append(rows, r)
	}
	lo, up := make([]float64, cols), make([]float64, cols)
	for j := range up {
		up[j] = math.Inf(1)
	}
	s, err := newSimplex(cols, rows, lo, up)
	if err != nil {
		return nil, fmt.Errorf("disclosure: joint bounds: %w", err)
	}
	out := make([]Bounds, len(hidden))
	c := make([]float64, cols)
	for i, vars := range hidden {
		if i%16 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		clear(c)
		for _, v := range vars {
			c[v] = 1
		}
		minV, _, err := s.optimize(c, false)
		if err != nil {
			return nil, fmt.Errorf("disclosure: joint bounds: %w", err)
		}
		maxV, unb, err := s.optimize(c, true)
		if err != nil {
			return nil, fmt.Errorf("disclosure: joint bounds: %w", err)
		}
		out[i].Lo = int64(math.Ceil(minV - 1e-6))
		if unb || maxV >= float64(unbounded) {
			out[i].Hi = unbounded
		} else {
			out[i].Hi = int64(math.Floor(maxV + 1e-6))
		}
	}
	return out, nil
}
