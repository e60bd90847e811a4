package disclosure

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNaiveSuppressionIsUndone shows the attacks that secondary suppression
// exists for: each release suppresses only its small cells (or too few
// complements), and FeasibleIntervals, using nothing but the release,
// computes them back exactly or to an interval below k.
func TestNaiveSuppressionIsUndone(t *testing.T) {
	tests := []struct {
		name       string
		sizes      []int
		counts     []int64
		suppressed [][]int
		want       []Interval // intervals of the suppressed cells, lattice order
	}{
		{
			name:  "one cell and a published total",
			sizes: []int{3}, counts: []int64{3, 20, 30},
			suppressed: [][]int{{0}},
			want:       []Interval{{At: []int{0}, Lo: 3, Hi: 3}},
		},
		{
			name:  "one cell in a row of a two-way table",
			sizes: []int{2, 3}, counts: []int64{3, 20, 30, 15, 25, 40},
			suppressed: [][]int{{0, 0}},
			want:       []Interval{{At: []int{0, 0}, Lo: 3, Hi: 3}},
		},
		{
			name:  "two cells in a row, each alone in its column",
			sizes: []int{3, 3}, counts: []int64{3, 4, 30, 20, 25, 40, 30, 35, 50},
			suppressed: [][]int{{0, 0}, {0, 1}},
			want:       []Interval{{At: []int{0, 0}, Lo: 3, Hi: 3}, {At: []int{0, 1}, Lo: 4, Hi: 4}},
		},
		{
			// The two cells swap persons freely, but since published zeros
			// make every suppressed cell at least 1, both lie in 1..10:
			// an attacker learns that both are small.
			name:  "two small cells under a published total",
			sizes: []int{4}, counts: []int64{5, 6, 0, 30},
			suppressed: [][]int{{0}, {1}},
			want:       []Interval{{At: []int{0}, Lo: 1, Hi: 10}, {At: []int{1}, Lo: 1, Hi: 10}},
		},
		{
			// A rectangle hides the 2 in a two-way table, but its
			// complements are small too: the 3s can give only 2 persons
			// each, so every cell of the rectangle is known to be small.
			name:  "rectangle of small cells",
			sizes: []int{2, 2}, counts: []int64{2, 3, 3, 40},
			suppressed: [][]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
			want: []Interval{
				{At: []int{0, 0}, Lo: 1, Hi: 4}, {At: []int{0, 1}, Lo: 1, Hi: 4},
				{At: []int{1, 0}, Lo: 1, Hi: 4}, {At: []int{1, 1}, Lo: 39, Hi: 42},
			},
		},
		{
			// Each layer of a three-way table protected as if it were a
			// two-way table on its own (a rectangle per layer), in
			// different columns: the margins across layers pin them.
			name:  "layers protected one by one",
			sizes: []int{2, 3, 2},
			counts: []int64{
				2, 30, 30, 30, 30, 40, // row 0: (col, layer) pairs
				30, 30, 30, 40, 30, 30, // row 1
			},
			// Layer 0 rectangle over columns {0,1}; layer 1 over {0,2}.
			suppressed: [][]int{{0, 0, 0}, {0, 1, 0}, {1, 0, 0}, {1, 1, 0}, {0, 0, 1}, {0, 2, 1}, {1, 0, 1}, {1, 2, 1}},
			want: []Interval{
				{At: []int{0, 0, 0}, Lo: 2, Hi: 2}, {At: []int{0, 0, 1}, Lo: 30, Hi: 30},
				{At: []int{0, 1, 0}, Lo: 30, Hi: 30}, {At: []int{0, 2, 1}, Lo: 40, Hi: 40},
				{At: []int{1, 0, 0}, Lo: 30, Hi: 30}, {At: []int{1, 0, 1}, Lo: 30, Hi: 30},
				{At: []int{1, 1, 0}, Lo: 30, Hi: 30}, {At: []int{1, 2, 1}, Lo: 30, Hi: 30},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := mustTable(t, tt.sizes, tt.counts)
			naive := releaseWith(t, tab, DefaultK, tt.suppressed...)
			got, err := FeasibleIntervals(context.Background(), naive)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("intervals (-want +got):\n%s", diff)
			}
			rep, err := Audit(context.Background(), naive)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Unprotected()) == 0 {
				t.Fatal("audit passes a naive release")
			}
			// Protect must do better on the same table.
			r, err := Protect(context.Background(), tab, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkAttack(t, tab, r)
		})
	}
}

// checkAttack attacks a release with FeasibleIntervals and fails the test
// if any suppressed cell's interval misses its true value or is narrower
// than the release's width, or if a primary cell's interval lies below k.
// It returns the intervals by lattice cell.
func checkAttack(t *testing.T, tab *Table, r *Release) map[int]Interval {
	t.Helper()
	vals, err := tab.values()
	if err != nil {
		t.Fatal(err)
	}
	ivs, err := FeasibleIntervals(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	byCell := make(map[int]Interval, len(ivs))
	for _, iv := range ivs {
		idx, err := r.lat.fromPublic(iv.At)
		if err != nil {
			t.Fatal(err)
		}
		byCell[idx] = iv
		v := vals[idx]
		switch {
		case v < iv.Lo || v > iv.Hi:
			t.Fatalf("cell %v = %d outside its interval [%d, %d]", iv.At, v, iv.Lo, iv.Hi)
		case iv.Lo == iv.Hi:
			t.Fatalf("cell %v (%v) pinned at %d", iv.At, r.reason[idx], v)
		case iv.Width() < int64(r.width):
			t.Fatalf("cell %v (%v) in [%d, %d], narrower than %d", iv.At, r.reason[idx], iv.Lo, iv.Hi, r.width)
		case r.reason[idx] == Primary && iv.Hi < int64(r.k):
			t.Fatalf("primary cell %v known to lie in [%d, %d], below k=%d", iv.At, iv.Lo, iv.Hi, r.k)
		}
	}
	for idx := range r.lat.cells {
		if _, ok := byCell[idx]; (r.status[idx] == Suppressed) != ok {
			t.Fatalf("cell %v: suppressed %v but interval %v", r.lat.toPublic(idx), r.status[idx] == Suppressed, ok)
		}
	}
	return byCell
}

// TestFeasibleIntervalsAgainstEnumeration checks the linear programs
// against brute force over integer tables on small tables with random
// suppression patterns. For one- and two-way tables the constraints are
// totally unimodular, so the bounds must agree exactly; for three-way
// tables the linear bounds may only be wider.
func TestFeasibleIntervalsAgainstEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	checked := map[int]int{}
	for trial := range 300 {
		sizes := [][]int{{4}, {2, 3}, {3, 3}, {2, 2, 2}}[trial%4]
		tab := mustTable(t, sizes, nil)
		for i := range tab.counts {
			tab.counts[i] = rng.Int64N(9)
		}
		vals, _ := tab.values()
		var suppressed [][]int
		for idx := range tab.lat.cells {
			if vals[idx] > 0 && rng.IntN(3) == 0 {
				suppressed = append(suppressed, tab.lat.toPublic(idx))
			}
		}
		r := releaseWith(t, tab, DefaultK, suppressed...)
		exact, ok := integerIntervals(r)
		if !ok {
			continue
		}
		ivs, err := FeasibleIntervals(context.Background(), r)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		for _, iv := range ivs {
			idx, _ := r.lat.fromPublic(iv.At)
			e, ok := exact[idx]
			if !ok {
				t.Fatalf("trial %d: no enumeration for %v", trial, iv.At)
			}
			if len(sizes) < 3 && (iv.Lo != e[0] || iv.Hi != e[1]) {
				t.Fatalf("trial %d, sizes %v, cell %v: linear [%d, %d], integer [%d, %d]", trial, sizes, iv.At, iv.Lo, iv.Hi, e[0], e[1])
			}
			if iv.Lo > e[0] || iv.Hi < e[1] {
				t.Fatalf("trial %d, sizes %v, cell %v: linear [%d, %d] inside integer [%d, %d]", trial, sizes, iv.At, iv.Lo, iv.Hi, e[0], e[1])
			}
		}
		checked[len(sizes)]++
	}
	for d := 1; d <= 3; d++ {
		if checked[d] < 30 {
			t.Fatalf("only %d %d-way tables checked", checked[d], d)
		}
	}
}

func TestFeasibleIntervalsRejectsInconsistentRelease(t *testing.T) {
	tests := []struct {
		name       string
		suppressed [][]int
	}{
		{"nothing suppressed", nil},
		{"a cell suppressed", [][]int{{0}, {1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := mustTable(t, []int{3}, []int64{20, 30, 0})
			r := releaseWith(t, tab, DefaultK, tt.suppressed...)
			r.value[r.lat.cells-1] = 1 // a grand total too small for its cells
			if _, err := FeasibleIntervals(context.Background(), r); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestAuditReportsPrimaryBelowK(t *testing.T) {
	tab := mustTable(t, []int{3}, []int64{5, 6, 0})
	rep, err := Audit(context.Background(), releaseWith(t, tab, DefaultK, []int{0}, []int{1}))
	if err != nil {
		t.Fatal(err)
	}
	bad := rep.Unprotected()
	if len(bad) != 2 || bad[0].Reason != Primary || bad[0].Hi != 10 {
		t.Fatalf("unprotected = %+v, want both primary cells with Hi 10", bad)
	}
}

// TestAuditAgreesWithFeasibleIntervals checks the audit's early-stopping
// maximisations against exact intervals on protected and naive releases:
// same minima, same verdicts, maxima never above the exact ones and equal
// to them wherever the rule fails.
func TestAuditAgreesWithFeasibleIntervals(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	var protected, unprotected, early int
	for trial := range 80 {
		tab := smallRandomTable(t, rng, [][]int{{7}, {5, 4}, {4, 3, 3}}[trial%3])
		r, err := Protect(context.Background(), tab, Options{})
		if errors.Is(err, ErrAllSuppressed) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var small [][]int
		for idx, why := range r.reason {
			if why == Primary {
				small = append(small, tab.lat.toPublic(idx))
			}
		}
		for _, rel := range []*Release{r, releaseWith(t, tab, DefaultK, small...)} {
			exact, err := FeasibleIntervals(context.Background(), rel)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Audit(context.Background(), rel)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Cells) != len(exact) {
				t.Fatalf("trial %d: %d audited cells, %d intervals", trial, len(rep.Cells), len(exact))
			}
			for i, c := range rep.Cells {
				e := exact[i]
				idx, _ := rel.lat.fromPublic(e.At)
				ok := e.Width() >= int64(rel.width) && (rel.reason[idx] != Primary || e.Hi >= int64(rel.k))
				switch {
				case c.Lo != e.Lo || c.Hi > e.Hi:
					t.Fatalf("trial %d, cell %v: audit [%d, %d], exact [%d, %d]", trial, e.At, c.Lo, c.Hi, e.Lo, e.Hi)
				case c.Protected != ok:
					t.Fatalf("trial %d, cell %v: audit says protected %v, exact interval [%d, %d]", trial, e.At, c.Protected, e.Lo, e.Hi)
				case !ok && c.Hi != e.Hi:
					t.Fatalf("trial %d, cell %v: unprotected with Hi %d, exact %d", trial, e.At, c.Hi, e.Hi)
				}
				if ok {
					protected++
				} else {
					unprotected++
				}
				if c.Hi < e.Hi {
					early++
				}
			}
		}
	}
	t.Logf("%d protected and %d unprotected cells, %d maxima stopped early", protected, unprotected, early)
	if protected < 500 || unprotected < 100 || early < 50 {
		t.Fatalf("test too weak: %d protected and %d unprotected cells, %d maxima stopped early", protected, unprotected, early)
	}
}
