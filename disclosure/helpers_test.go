package disclosure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// mustTable builds a table with the given sizes (dimensions d0, d1, ...,
// categories c0, c1, ...) and inner counts in row-major order.
func mustTable(t testing.TB, sizes []int, counts []int64) *Table {
	t.Helper()
	dims := make([]Dimension, len(sizes))
	for j, n := range sizes {
		dims[j].Name = fmt.Sprintf("d%d", j)
		for c := range n {
			dims[j].Categories = append(dims[j].Categories, fmt.Sprintf("c%d", c))
		}
	}
	tab, err := NewTable(dims...)
	if err != nil {
		t.Fatalf("NewTable: %v", err)
	}
	if counts != nil {
		if len(counts) != len(tab.counts) {
			t.Fatalf("%d counts for %d cells", len(counts), len(tab.counts))
		}
		copy(tab.counts, counts)
	}
	return tab
}

// realisticTable draws a table shaped like detected-victim statistics:
// skewed category weights in every dimension (a few nationalities and forms
// of exploitation dominate), an interaction term, and Poisson counts, so
// that most cells are zero or small and a few are large.
func realisticTable(t testing.TB, rng *rand.Rand, sizes []int, persons float64) *Table {
	t.Helper()
	tab := mustTable(t, sizes, nil)
	weights := make([][]float64, len(sizes))
	for j, n := range sizes {
		weights[j] = make([]float64, n)
		var sum float64
		for c := range n {
			weights[j][c] = 1 / math.Pow(float64(c+1), 1.1)
			sum += weights[j][c]
		}
		rng.Shuffle(n, func(a, b int) { weights[j][a], weights[j][b] = weights[j][b], weights[j][a] })
		for c := range n {
			weights[j][c] /= sum
		}
	}
	coords := make([]int, len(sizes))
	for i := range tab.counts {
		rest := i
		for j := len(sizes) - 1; j >= 0; j-- {
			coords[j] = rest % sizes[j]
			rest /= sizes[j]
		}
		mean := persons * math.Exp(rng.NormFloat64()*0.8-0.32)
		for j, c := range coords {
			mean *= weights[j][c]
		}
		tab.counts[i] = int64(distuv.Poisson{Lambda: mean, Src: rng}.Rand())
	}
	return tab
}

// smallRandomTable draws a table whose counts mix zeros, primary-sized and
// large values, for the attacker tests.
func smallRandomTable(t testing.TB, rng *rand.Rand, sizes []int) *Table {
	t.Helper()
	tab := mustTable(t, sizes, nil)
	for i := range tab.counts {
		switch u := rng.Float64(); {
		case u < 0.2:
			tab.counts[i] = 0
		case u < 0.55:
			tab.counts[i] = 1 + rng.Int64N(10)
		default:
			tab.counts[i] = 11 + rng.Int64N(60)
		}
	}
	return tab
}

// releaseWith builds the release of tab that suppresses exactly the given
// cells (public coordinates), as a careless publisher might, marking
// those below k primary.
func releaseWith(t testing.TB, tab *Table, k int, suppressed ...[]int) *Release {
	t.Helper()
	vals, err := tab.values()
	if err != nil {
		t.Fatal(err)
	}
	reason := make([]Reason, tab.lat.cells)
	for _, at := range suppressed {
		idx, err := tab.lat.fromPublic(at)
		if err != nil {
			t.Fatal(err)
		}
		reason[idx] = Secondary
		if vals[idx] >= 1 && vals[idx] < int64(k) {
			reason[idx] = Primary
		}
	}
	return newRelease(tab.dims, tab.lat, vals, reason, k, k)
}

// integerIntervals enumerates every integer table consistent with a
// release (suppressed inner cells at least 1) and returns each suppressed
// cell's smallest and largest value, keyed by lattice cell. ok is false
// when some suppressed inner cell has no published margin above it (the
// enumeration would not end) or the search is too large.
func integerIntervals(r *Release) (map[int][2]int64, bool) {
	lat := r.lat
	var vars []int
	varOf := map[int]int{}
	inner := make([]int64, len(lat.innerExt))
	for i, c := range lat.innerExt {
		if r.status[c] == Suppressed {
			varOf[c] = len(vars)
			vars = append(vars, c)
		} else {
			inner[i] = r.value[c]
		}
	}
	known := lat.margins(inner)
	type constraint struct {
		vars []int
		rhs  int64
	}
	var cons []constraint
	byCell := map[int]int{}
	caps := make([]int64, len(vars))
	for i := range caps {
		caps[i] = -1
	}
	belowOf := map[int][]int{}
	for v, c := range vars {
		lat.ancestors(c, nil, func(a int) {
			if r.status[a] == Suppressed {
				belowOf[a] = append(belowOf[a], v)
				return
			}
			i, ok := byCell[a]
			if !ok {
				i = len(cons)
				byCell[a] = i
				cons = append(cons, constraint{rhs: r.value[a] - known[a]})
			}
			cons[i].vars = append(cons[i].vars, v)
			if caps[v] < 0 || cons[i].rhs < caps[v] {
				caps[v] = cons[i].rhs
			}
		})
	}
	for _, c := range caps {
		if c < 0 {
			return nil, false
		}
	}
	x := make([]int64, len(vars))
	out := map[int][2]int64{}
	nodes := 0
	var dfs func(i int) bool
	dfs = func(i int) bool {
		if nodes++; nodes > 2_000_000 {
			return false
		}
		if i == len(vars) {
			for _, c := range cons {
				var sum int64
				for _, v := range c.vars {
					sum += x[v]
				}
				if sum != c.rhs {
					return true
				}
			}
			for a := range lat.cells {
				if r.status[a] != Suppressed {
					continue
				}
				val, below := known[a], belowOf[a]
				for _, v := range below {
					val += x[v]
				}
				iv, seen := out[a]
				if !seen {
					iv = [2]int64{val, val}
				}
				out[a] = [2]int64{min(iv[0], val), max(iv[1], val)}
			}
			return true
		}
		for val := int64(1); val <= caps[i]; val++ {
			x[i] = val
			// Prune: no published margin may be exceeded by the cells
			// assigned so far plus 1 for each cell still to assign.
			feasible := true
			for _, c := range cons {
				var sum int64
				for _, v := range c.vars {
					if v <= i {
						sum += x[v]
					} else {
						sum++
					}
				}
				if sum > c.rhs {
					feasible = false
					break
				}
			}
			if !feasible {
				break
			}
			if !dfs(i + 1) {
				return false
			}
		}
		return true
	}
	if !dfs(0) {
		return nil, false
	}
	return out, true
}
