package disclosure

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
)

// planner holds the suppression pattern while it is being built, and the
// certificate (hypercube) that protects each primary cell.
type planner struct {
	lat    *lattice
	val    []int64
	o      Options
	reason []Reason
	supp   []bool
	search *searcher
	certs  map[int]hypercube // per primary cell
	users  [][]int           // per cell, primaries whose certificate may use it
	ranges map[int]certified // per suppressed cell, once verified
	linked []int             // cells to suppress as Linked (Options.Linked)
}

func newPlanner(lat *lattice, val []int64, o Options) *planner {
	p := &planner{
		lat: lat, val: val, o: o,
		reason: make([]Reason, lat.cells), supp: make([]bool, lat.cells),
		certs: make(map[int]hypercube), users: make([][]int, lat.cells),
	}
	p.search = newSearcher(lat, val, p.supp, o)
	return p
}

// markPrimary suppresses every cell, inner or margin, holding 1..k-1
// persons, and returns them in the order secondary suppression protects
// them: the most aggregated first, because their hypercubes reach down to
// inner cells that the inner primaries can then reuse; smaller counts
// first within a level.
func (p *planner) markPrimary() []int {
	var primaries []int
	k := int64(p.o.K)
	for idx, v := range p.val {
		if v >= 1 && v < k {
			p.supp[idx], p.reason[idx] = true, Primary
			primaries = append(primaries, idx)
		}
	}
	slices.SortStableFunc(primaries, func(a, b int) int {
		la, lb := bits.OnesCount16(p.lat.totals[a]), bits.OnesCount16(p.lat.totals[b])
		if la != lb {
			return lb - la
		}
		return cmp.Compare(p.val[a], p.val[b])
	})
	// Linked cells come last: the primaries' hypercubes may cover them.
	for _, idx := range p.linked {
		// A count of 0 is never suppressed elsewhere, so it is never linked.
		if !p.supp[idx] && p.val[idx] > 0 {
			p.supp[idx], p.reason[idx] = true, Linked
			primaries = append(primaries, idx)
		}
	}
	return primaries
}

// secondary gives each primary cell the cheapest hypercube that protects it
// on its own, counting cells already suppressed as free, and suppresses its
// corners. Suppressing more cells never narrows a feasible interval, so a
// hypercube chosen early stays valid to the end.
func (p *planner) secondary(ctx context.Context, primaries []int) error {
	for i, q := range primaries {
		if i%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		h, ok := p.search.search(q, false)
		if !ok {
			// The hypercube of q's own margins up to the grand total always
			// qualifies, so this is a bug.
			return fmt.Errorf("no protecting hypercube found: %w", ErrInternal)
		}
		for _, c := range h.corners {
			if !p.supp[c] {
				p.supp[c], p.reason[c] = true, Secondary
			}
		}
		p.setCert(q, h)
	}
	return nil
}

func (p *planner) setCert(q int, h hypercube) {
	p.certs[q] = h
	for _, c := range h.corners {
		p.users[c] = append(p.users[c], q)
	}
}

// liveUsers returns the primaries whose current certificate uses c.
func (p *planner) liveUsers(c int) []int {
	live := p.users[c][:0]
	for _, q := range p.users[c] {
		if slices.Contains(p.certs[q].corners, c) && !slices.Contains(live, q) {
			live = append(live, q)
		}
	}
	p.users[c] = live
	return live
}

// prune publishes again each secondary cell, the costliest first, whose
// primaries can all be protected by hypercubes of cells that stay
// suppressed. Greedy choice over-suppresses: a cell chosen for an early
// primary is often made redundant by cells chosen later.
func (p *planner) prune(ctx context.Context) error {
	var secs []int
	for idx, why := range p.reason {
		if why == Secondary {
			secs = append(secs, idx)
		}
	}
	slices.SortStableFunc(secs, func(a, b int) int { return cmp.Compare(p.val[b], p.val[a]) })
	for i, c := range secs {
		if i%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		users := slices.Clone(p.liveUsers(c))
		p.supp[c] = false
		replaced := make(map[int]hypercube, len(users))
		ok := true
		for _, q := range users {
			h, found := p.search.search(q, true)
			if !found {
				ok = false
				break
			}
			replaced[q] = h
		}
		if !ok {
			p.supp[c] = true
			continue
		}
		p.reason[c] = NotSuppressed
		for _, q := range users {
			p.setCert(q, replaced[q])
		}
	}
	// A secondary cell that no certificate uses any more protects nothing
	// and, published, moves no certificate.
	for _, c := range secs {
		if p.reason[c] == Secondary && len(p.liveUsers(c)) == 0 {
			p.supp[c], p.reason[c] = false, NotSuppressed
		}
	}
	return nil
}
