package disclosure

import (
	"math"
	"slices"
)

// unbounded marks a movement, or an interval end, that no published value
// limits.
const unbounded = math.MaxInt64

// hypercube is a set of 2^dims lattice cells around a primary cell p, chosen
// by moving each coordinate j of p from a_j to one other position b_j (a
// category or the total). Adding +t to the corners with sign +1 and -t to
// those with sign -1 changes no other lattice cell: along dimension j, +t at
// a_j is balanced by -t at b_j when both are categories, and by +t at b_j
// when one of them is the total. So when every corner is suppressed, the
// published values cannot tell the true table from the one moved by t, for
// every t in [-down, up] that keeps the inner corners at 1 or more.
type hypercube struct {
	corners []int  // lattice cells; corners[0] is p
	signs   []int8 // sign of each corner
	up      int64  // how far p can move up; unbounded if no inner corner moves down
	down    int64  // how far p can move down
}

// candidate is one other position b for a coordinate a_j of p.
type candidate struct {
	offset int   // lattice offset from a_j to b
	sign   int8  // -1 when a_j and b are both categories
	cost   int64 // cost of the corner that moves only this coordinate
}

// searcher finds, by depth-first branch and bound, the hypercube of least
// cost that protects a primary cell on its own.
type searcher struct {
	lat     *lattice
	val     []int64
	supp    []bool
	costOf  Cost
	k       int64
	width   int64
	coords  []int
	order   []int // dimensions in search order
	cands   [][]candidate
	corners []int
	signs   []int8

	onlySuppressed bool // look only for a hypercube already fully suppressed
	best           hypercube
	bestCost       int64
	stop           bool
}

func newSearcher(lat *lattice, val []int64, supp []bool, o Options) *searcher {
	d := lat.dims()
	s := &searcher{
		lat: lat, val: val, supp: supp, costOf: o.Cost, k: int64(o.K), width: int64(o.MinWidth),
		coords: make([]int, d), cands: make([][]candidate, d),
		corners: make([]int, 1<<d), signs: make([]int8, 1<<d),
	}
	// Short dimensions first: few branches near the root, and the long
	// dimensions, tried cheapest first, at the deep levels where the
	// cost bound prunes most.
	s.order = make([]int, d)
	for j := range s.order {
		s.order[j] = j
	}
	slices.SortStableFunc(s.order, func(a, b int) int { return lat.sizes[a] - lat.sizes[b] })
	return s
}

func (s *searcher) weight(idx int) int64 {
	if s.supp[idx] {
		return 0
	}
	if s.costOf == CostCells {
		return 1
	}
	return s.val[idx]
}

// search returns the cheapest hypercube around p that moves p up by at
// least k-v(p) and whose movement range is at least the protection width.
// With onlySuppressed it returns one whose corners are all suppressed
// already, if any.
func (s *searcher) search(p int, onlySuppressed bool) (hypercube, bool) {
	s.onlySuppressed = onlySuppressed
	s.bestCost, s.stop = math.MaxInt64, false
	s.best = hypercube{}
	vp := s.val[p]
	s.lat.coords(p, s.coords)
	for level, j := range s.order {
		s.cands[level] = s.candidates(p, j, s.cands[level][:0])
	}
	down := int64(unbounded)
	if s.lat.isInner(p) {
		down = vp - 1
	}
	s.corners[0], s.signs[0] = p, 1
	s.descend(0, 0, unbounded, down, s.k-vp)
	if s.bestCost == math.MaxInt64 {
		return hypercube{}, false
	}
	return s.best, true
}

// candidates lists the other positions of dimension j for p, cheapest
// first, leaving out those whose single-move corner can never be a corner.
func (s *searcher) candidates(p, j int, out []candidate) []candidate {
	n, a := s.lat.sizes[j], s.coords[j]
	for b := 0; b <= n; b++ {
		if b == a {
			continue
		}
		c := candidate{offset: (b - a) * s.lat.strides[j], sign: 1}
		if a < n && b < n {
			c.sign = -1
		}
		idx := p + c.offset
		if s.val[idx] == 0 || (s.onlySuppressed && !s.supp[idx]) {
			continue
		}
		c.cost = s.weight(idx)
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(x, y candidate) int {
		switch {
		case x.cost < y.cost:
			return -1
		case x.cost > y.cost:
			return 1
		}
		return 0
	})
	return out
}

// descend chooses the position of the level-th dimension. The corners chosen
// so far are corners[:2^level]; moving along this dimension adds their
// images at corners[2^level:2^(level+1)].
func (s *searcher) descend(level int, cost, up, down, needUp int64) {
	if level == len(s.order) {
		if cost < s.bestCost {
			s.bestCost = cost
			n := len(s.corners)
			s.best = hypercube{corners: slices.Clone(s.corners[:n]), signs: slices.Clone(s.signs[:n]), up: up, down: down}
			s.stop = cost == 0
		}
		return
	}
	m := 1 << level
	for _, c := range s.cands[level] {
		if cost+c.cost >= s.bestCost {
			break // candidates are sorted by cost
		}
		newCost, newUp, newDown, ok := cost, up, down, true
		for i := range m {
			idx := s.corners[i] + c.offset
			sign := s.signs[i] * c.sign
			v := s.val[idx]
			if v == 0 || (s.onlySuppressed && !s.supp[idx]) {
				ok = false
				break
			}
			newCost += s.weight(idx)
			// Only inner cells bound the movement: a margin moves with the
			// inner corners below it, which stay at 1 or more.
			if s.lat.isInner(idx) {
				if sign > 0 {
					newDown = min(newDown, v-1)
				} else {
					newUp = min(newUp, v-1)
				}
			}
			if newCost >= s.bestCost || newUp < needUp || addSat(newUp, newDown) < s.width {
				ok = false
				break
			}
			s.corners[m+i], s.signs[m+i] = idx, sign
		}
		if ok {
			s.descend(level+1, newCost, newUp, newDown, needUp)
			if s.stop {
				return
			}
		}
	}
}

// addSat adds two non-negative movements, saturating at unbounded.
func addSat(a, b int64) int64 {
	if a >= unbounded-b {
		return unbounded
	}
	return a + b
}
