package estimate

import "math/bits"

// design lays a Poisson log-linear model out for one table. A parameter is
// named by the bit mask of the lists it involves: 0 is the intercept (the log
// of the dark figure), one bit a list's main effect, two bits the interaction
// of two lists. A capture history's log-mean is the sum of the parameters
// whose lists it is on, so the model matrix is x[c][k] = 1 when cell c covers
// term k — a matrix of 0s and 1s that is never stored as such.
type design struct {
	m     int
	terms []uint32 // intercept, main effects in column order, then the non-empty pairs in the order given
	pairs []uint32 // every interaction in the model, in the order given
	empty []uint32 // the pairs in the model that share nobody
	cells []uint32 // the capture histories kept
	y     []float64
	off   []int32 // the terms cell i covers are act[off[i]:off[i+1]], ascending
	act   []int32
}

// newDesign builds the model with all main effects and the given pairwise
// interactions, as SparseMSE's buildmodel does. A pair of lists that share
// nobody has an interaction whose estimate is minus infinity: every history
// on both lists has expected count zero. SparseMSE therefore drops such a
// parameter and the histories it would zero from the fit rather than let the
// fit chase −∞ (Chan, Silverman and Vincent 2019, §2).
func newDesign(h *histories, pairs []uint32) *design {
	m := len(h.lists)
	d := &design{m: m, pairs: pairs}
	d.terms = append(d.terms, 0)
	for i := range m {
		d.terms = append(d.terms, 1<<i)
	}
	for _, p := range pairs {
		if h.overlap(p) == 0 {
			d.empty = append(d.empty, p)
		} else {
			d.terms = append(d.terms, p)
		}
	}
	n := 1<<m - 1
	d.cells = make([]uint32, 0, n)
	d.y = make([]float64, 0, n)
	d.off = make([]int32, 1, n+1)
	d.act = make([]int32, 0, n*4)
cells:
	for c := uint32(1); c <= uint32(n); c++ {
		for _, e := range d.empty {
			if c&e == e {
				continue cells
			}
		}
		d.cells = append(d.cells, c)
		d.y = append(d.y, h.counts[c])
		for k, t := range d.terms {
			if c&t == t {
				d.act = append(d.act, int32(k))
			}
		}
		d.off = append(d.off, int32(len(d.act)))
	}
	return d
}

// covers returns the indices of the terms cell i covers.
func (d *design) covers(i int) []int32 { return d.act[d.off[i]:d.off[i+1]] }

// pairMask is the term for the interaction of lists i and j.
func pairMask(i, j int) uint32 { return 1<<i | 1<<j }

// pairLists splits an interaction's mask into its two lists.
func pairLists(p uint32) (i, j int) {
	i = bits.TrailingZeros32(p)
	j = bits.TrailingZeros32(p &^ (1 << i))
	return i, j
}
