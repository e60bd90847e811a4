package disclosure

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
)

// TestLinkedCellsAreSuppressedAndProtected forces cells of a table with no
// small count to be suppressed, as a linked table would, and checks they
// are marked Linked, that enough other cells go with them that none can be
// computed back (the LP audit inside Protect checks the widths), and that
// the grand total can be linked too.
func TestLinkedCellsAreSuppressedAndProtected(t *testing.T) {
	// 2 × 3 inner cells, all large.
	tab := mustTable(t, []int{2, 3}, []int64{40, 50, 60, 70, 80, 90})
	cases := []struct {
		name   string
		linked [][]int
	}{
		{"an inner cell", [][]int{{0, 1}}},
		{"a row margin", [][]int{{1, Total}}},
		{"a column margin", [][]int{{Total, 2}}},
		{"the grand total", [][]int{{Total, Total}}},
		{"two at once", [][]int{{0, 0}, {Total, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Protect(context.Background(), tab, Options{K: 5, Linked: c.linked})
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range c.linked {
				why, err := r.Reason(at...)
				if err != nil || why != Linked {
					t.Fatalf("cell %v: reason %v (%v), want linked", at, why, err)
				}
			}
			rep, err := Audit(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if bad := rep.Unprotected(); len(bad) > 0 {
				t.Fatalf("cells recomputable: %+v", bad)
			}
			if s := r.Summary(); s.Linked != len(c.linked) || s.Primary != 0 {
				t.Fatalf("summary %+v", s)
			}
		})
	}
	if _, err := Protect(context.Background(), tab, Options{Linked: [][]int{{0}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a linked cell with too few coordinates: %v", err)
	}
	// A zero is never suppressed elsewhere: linking it changes nothing.
	zero := mustTable(t, []int{2}, []int64{0, 40})
	r, err := Protect(context.Background(), zero, Options{K: 5, Linked: [][]int{{0}}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := r.Cells()[0].Value(); !ok || v != 0 {
		t.Fatalf("linked zero: %v %v", v, ok)
	}
}

// TestLinkedRandomTables links random cells of random tables with small
// counts and checks that Protect's own audit never fails.
func TestLinkedRandomTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(38, 111))
	for i := range 60 {
		tab := smallRandomTable(t, rng, []int{2 + rng.IntN(3), 2 + rng.IntN(3)})
		var linked [][]int
		for range 1 + rng.IntN(3) {
			at := []int{rng.IntN(len(tab.dims[0].Categories) + 1), rng.IntN(len(tab.dims[1].Categories) + 1)}
			for j := range at {
				if at[j] == len(tab.dims[j].Categories) {
					at[j] = Total
				}
			}
			linked = append(linked, at)
		}
		r, err := Protect(context.Background(), tab, Options{K: 3, Linked: linked})
		if errors.Is(err, ErrAllSuppressed) {
			continue
		}
		if err != nil {
			t.Fatalf("table %d, linked %v: %v", i, linked, err)
		}
		for _, at := range linked {
			if c := r.cell(mustIdx(t, r, at)); c.Status() != Suppressed {
				if v, _ := c.Value(); v != 0 {
					t.Fatalf("table %d: linked cell %v published as %d", i, at, v)
				}
			}
		}
	}
}

func mustIdx(t *testing.T, r *Release, at []int) int {
	t.Helper()
	idx, err := r.lat.fromPublic(at)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}
