package disclosure

import "fmt"

// certified is the range of values that a set of certificates proves
// indistinguishable for one lattice cell.
type certified struct {
	lo, hi int64 // hi may be unbounded
}

// verifyHypercube checks a hypercube as a certificate without trusting how
// it was built: it takes only its inner corners and their signs as a change
// of the inner table, recomputes the change of every lattice cell from the
// inner cells below it, and checks that each cell that changes is
// suppressed, so the changed table publishes the same values. It then
// returns, for every lattice cell that changes, the range over which the
// change can run while every inner cell stays at 1 or more (suppressed inner
// cells are never 0, see DISCLOSURE.md), so that every integer in that range
// is the cell's value in some non-negative integer table that publishes
// exactly the same numbers.
func verifyHypercube(lat *lattice, val []int64, supp []bool, h hypercube) (map[int]certified, error) {
	delta := make(map[int]int64)
	var buf []int
	inner := make(map[int]int8)
	for i, c := range h.corners {
		if !lat.isInner(c) {
			continue
		}
		if h.signs[i] != 1 && h.signs[i] != -1 {
			return nil, fmt.Errorf("corner sign %d: %w", h.signs[i], ErrInternal)
		}
		if _, dup := inner[c]; dup {
			return nil, fmt.Errorf("corner repeated: %w", ErrInternal)
		}
		inner[c] = h.signs[i]
		buf = lat.ancestors(c, buf, func(a int) { delta[a] += int64(h.signs[i]) })
	}
	// Moving the inner corners by t moves cell a by delta[a]*t; find the
	// largest t either way that keeps every moved inner cell at 1 or more.
	up, down := int64(unbounded), int64(unbounded)
	for c, sign := range inner {
		v := val[c]
		if v < 1 {
			return nil, fmt.Errorf("inner corner holds 0: %w", ErrInternal)
		}
		if sign > 0 {
			down = min(down, v-1)
		} else {
			up = min(up, v-1)
		}
	}
	out := make(map[int]certified)
	for a, d := range delta {
		if d == 0 {
			continue
		}
		if !supp[a] {
			return nil, fmt.Errorf("certificate changes a published cell: %w", ErrInternal)
		}
		if d != 1 && d != -1 {
			return nil, fmt.Errorf("certificate moves a cell by %d: %w", d, ErrInternal)
		}
		// A cell that moves against p (d < 0) swaps the two ranges.
		lo, hi := val[a]-down, addSat(val[a], up)
		if d < 0 {
			lo, hi = val[a]-up, addSat(val[a], down)
		}
		out[a] = certified{lo: lo, hi: hi}
	}
	return out, nil
}

// verify checks every certificate independently of the search and the
// guarantee they give together: each suppressed cell moves over a range at
// least the protection width wide, and each primary cell's range reaches k.
func (p *planner) verify(primaries []int) error {
	ranges := make(map[int]certified)
	for _, q := range primaries {
		h, ok := p.certs[q]
		if !ok {
			return fmt.Errorf("primary cell without certificate: %w", ErrInternal)
		}
		got, err := verifyHypercube(p.lat, p.val, p.supp, h)
		if err != nil {
			return err
		}
		if _, ok := got[q]; !ok {
			return fmt.Errorf("certificate does not move its primary cell: %w", ErrInternal)
		}
		for c, r := range got {
			if old, seen := ranges[c]; seen {
				r = certified{lo: min(r.lo, old.lo), hi: max(r.hi, old.hi)}
			}
			ranges[c] = r
		}
	}
	k, w := int64(p.o.K), int64(p.o.MinWidth)
	for c, suppressed := range p.supp {
		if !suppressed {
			continue
		}
		r, ok := ranges[c]
		if !ok {
			return fmt.Errorf("suppressed cell outside every certificate: %w", ErrInternal)
		}
		if !protected(p.reason[c], r.lo, r.hi, k, w) {
			return fmt.Errorf("certificate too narrow: %w", ErrInternal)
		}
	}
	p.ranges = ranges
	return nil
}

// protected is the protection rule: a suppressed cell's range is at least
// w wide, and a primary cell's may reach k, so that it is never pinned and
// never known to be small.
func protected(why Reason, lo, hi, k, w int64) bool {
	return width(lo, hi) >= w && (why != Primary || hi >= k)
}

// width returns hi-lo, saturating at unbounded.
func width(lo, hi int64) int64 {
	if hi == unbounded || lo < 0 && hi > unbounded+lo {
		return unbounded
	}
	return hi - lo
}
