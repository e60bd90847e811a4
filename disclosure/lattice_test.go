package disclosure

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveMargin sums the inner cells under a lattice cell by brute force.
func naiveMargin(l *lattice, inner []int64, idx int) int64 {
	want := l.coords(idx, make([]int, l.dims()))
	var sum int64
	got := make([]int, l.dims())
	for i, e := range l.innerExt {
		l.coords(e, got)
		match := true
		for j := range want {
			if want[j] != l.sizes[j] && want[j] != got[j] {
				match = false
			}
		}
		if match {
			sum += inner[i]
		}
	}
	return sum
}

func TestLatticeMargins(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, sizes := range [][]int{{1}, {4}, {3, 2}, {2, 3, 4}, {2, 1, 3, 2}} {
		l, err := newLattice(sizes)
		if err != nil {
			t.Fatal(err)
		}
		inner := make([]int64, len(l.innerExt))
		for i := range inner {
			inner[i] = rng.Int64N(20)
		}
		ext := l.margins(inner)
		for idx := range l.cells {
			if want := naiveMargin(l, inner, idx); ext[idx] != want {
				t.Fatalf("sizes %v: cell %v = %d, want %d", sizes, l.toPublic(idx), ext[idx], want)
			}
		}
	}
}

func TestLatticeAncestors(t *testing.T) {
	l, err := newLattice([]int{3, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l.innerExt {
		var got []int
		l.ancestors(e, nil, func(a int) { got = append(got, a) })
		if len(got) != 8 {
			t.Fatalf("%d ancestors, want 8", len(got))
		}
		// Every ancestor contains e: e's inner coordinates agree with it
		// wherever the ancestor is not at a total.
		ce := l.coords(e, make([]int, 3))
		for _, a := range got {
			ca := l.coords(a, make([]int, 3))
			for j := range ca {
				if ca[j] != l.sizes[j] && ca[j] != ce[j] {
					t.Fatalf("%v is not a margin of %v", l.toPublic(a), l.toPublic(e))
				}
			}
		}
		slices.Sort(got)
		if len(slices.Compact(got)) != 8 {
			t.Fatalf("repeated ancestors of %v", l.toPublic(e))
		}
	}
}

func TestLatticePublicCoordinates(t *testing.T) {
	l, err := newLattice([]int{3, 2})
	if err != nil {
		t.Fatal(err)
	}
	for idx := range l.cells {
		back, err := l.fromPublic(l.toPublic(idx))
		if err != nil || back != idx {
			t.Fatalf("round trip of %d: %d, %v", idx, back, err)
		}
	}
	for _, at := range [][]int{{3, 0}, {0, -2}, {0}, {0, 0, 0}} {
		if _, err := l.fromPublic(at); !errors.Is(err, ErrInvalid) {
			t.Errorf("fromPublic(%v) = %v, want ErrInvalid", at, err)
		}
	}
}

func TestLatticeLimits(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
	}{
		{"no dimension", nil},
		{"empty dimension", []int{3, 0}},
		{"too many dimensions", []int{1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"too many cells", []int{4096, 4096}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newLattice(tt.sizes); !errors.Is(err, ErrInvalid) {
				t.Fatalf("newLattice(%v) = %v, want ErrInvalid", tt.sizes, err)
			}
		})
	}
}
