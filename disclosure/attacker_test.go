package disclosure

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestAttackerCannotRecoverSuppressedCells publishes many random tables of
// one to four dimensions under varied options, then attacks every release
// with FeasibleIntervals (linear programming over the published values
// only). It fails if any suppressed cell is pinned, any interval is
// narrower than the protection width or misses the true value, or any
// primary cell's interval lies entirely below k. It also checks that the
// certificates Protect relies on lie inside the attacker's intervals, and
// that the same attacker does break the naive releases, so that a
// toothless attacker cannot pass the test.
func TestAttackerCannotRecoverSuppressedCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	shapes := [][]int{{2}, {5}, {9}, {2, 2}, {3, 4}, {6, 5}, {8, 7}, {2, 2, 2}, {4, 3, 2}, {3, 3, 3}, {5, 4, 3}, {2, 2, 2, 2}, {3, 2, 2, 2}}
	optionsList := []Options{{}, {}, {K: 5}, {K: 2}, {K: 20}, {MinWidth: 1}, {MinWidth: 22}, {Cost: CostCells}}
	var tables, primaries, allSuppressed, naiveBroken int
	for trial := range 600 {
		sizes := shapes[trial%len(shapes)]
		o := optionsList[rng.IntN(len(optionsList))]
		tab := smallRandomTable(t, rng, sizes)
		name := fmt.Sprintf("trial %d %v %+v", trial, sizes, o)
		r, err := Protect(context.Background(), tab, o)
		if errors.Is(err, ErrAllSuppressed) {
			allSuppressed++
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tables++
		attacked := checkAttack(t, tab, r)
		primaries += r.Summary().Primary

		// The certificates prove ranges of integer tables; the
		// attacker's real-valued intervals must contain them.
		od, _ := o.withDefaults()
		p, err := plan(context.Background(), tab, od)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for idx, c := range p.ranges {
			iv, ok := attacked[idx]
			if !ok {
				t.Fatalf("%s: certified cell %v not suppressed", name, tab.lat.toPublic(idx))
			}
			if c.lo < iv.Lo || (iv.Hi != Unbounded && c.hi > iv.Hi) {
				t.Fatalf("%s: cell %v certified [%d, %d] outside attacker's [%d, %d]", name, tab.lat.toPublic(idx), c.lo, c.hi, iv.Lo, iv.Hi)
			}
		}

		// The naive release, small cells only, must fall to the attack
		// often.
		var small [][]int
		for idx, why := range r.reason {
			if why == Primary {
				small = append(small, tab.lat.toPublic(idx))
			}
		}
		if len(small) > 0 {
			naive := releaseWith(t, tab, od.K, small...)
			naive.width = od.MinWidth
			rep, err := Audit(context.Background(), naive)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(rep.Unprotected()) > 0 {
				naiveBroken++
			}
		}
	}
	t.Logf("%d tables, %d primary cells, %d withheld whole, %d naive releases broken", tables, primaries, allSuppressed, naiveBroken)
	if tables < 500 || primaries < 4000 || naiveBroken < tables/2 {
		t.Fatalf("test too weak: %d tables, %d primary cells, %d naive releases broken", tables, primaries, naiveBroken)
	}
}

// TestAttackerOnRealisticTables attacks releases of tables shaped like
// detected-victim statistics, larger than the random ones.
func TestAttackerOnRealisticTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(38, 111))
	tests := []struct {
		sizes   []int
		persons float64
	}{
		{[]int{40}, 600},
		{[]int{30, 8}, 1500},
		{[]int{12, 6, 4}, 1500},
		{[]int{8, 4, 3, 2}, 800},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.sizes), func(t *testing.T) {
			tab := realisticTable(t, rng, tt.sizes, tt.persons)
			r, err := Protect(context.Background(), tab, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Summary().Primary == 0 {
				t.Fatal("no primary cell: the table tests nothing")
			}
			checkAttack(t, tab, r)
		})
	}
}
