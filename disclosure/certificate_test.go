package disclosure

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// protectedPlanner returns the planner of a 3×3 table whose 4 is protected
// by the rectangle of the 30, 20 and 60 (see TestProtectPatterns).
func protectedPlanner(t *testing.T) (*planner, int) {
	t.Helper()
	tab := mustTable(t, []int{3, 3}, []int64{4, 30, 50, 20, 60, 70, 90, 80, 40})
	o, _ := Options{}.withDefaults()
	p, err := plan(context.Background(), tab, o)
	if err != nil {
		t.Fatal(err)
	}
	return p, tab.lat.index([]int{0, 0})
}

func TestVerifyHypercubeRange(t *testing.T) {
	p, q := protectedPlanner(t)
	got, err := verifyHypercube(p.lat, p.val, p.supp, p.certs[q])
	if err != nil {
		t.Fatal(err)
	}
	// The 4 can lose 3 and gain 19 (the 20 can lend 19); the 60 moves
	// with it, the 30 and the 20 against it.
	want := map[int]certified{
		p.lat.index([]int{0, 0}): {1, 23},
		p.lat.index([]int{1, 1}): {57, 79},
		p.lat.index([]int{0, 1}): {11, 33},
		p.lat.index([]int{1, 0}): {1, 23},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for idx, w := range want {
		if got[idx] != w {
			t.Errorf("cell %v: got %v, want %v", p.lat.toPublic(idx), got[idx], w)
		}
	}
}

// TestVerifyHypercubeRejects tampers with a valid certificate in each way
// the search could go wrong and expects verification to refuse it.
func TestVerifyHypercubeRejects(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(p *planner, h *hypercube)
	}{
		{"a corner published", func(p *planner, h *hypercube) { p.supp[h.corners[1]] = false }},
		{"a sign flipped", func(p *planner, h *hypercube) { h.signs[1] = -h.signs[1] }},
		{"a corner moved", func(p *planner, h *hypercube) { h.corners[3] = p.lat.index([]int{2, 2}) }},
		{"a corner repeated", func(p *planner, h *hypercube) { h.corners[3] = h.corners[0] }},
		{"an empty corner", func(p *planner, h *hypercube) { p.val[h.corners[3]] = 0 }},
		{"a bad sign", func(p *planner, h *hypercube) { h.signs[2] = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, q := protectedPlanner(t)
			h := p.certs[q]
			h.corners, h.signs = slices.Clone(h.corners), slices.Clone(h.signs)
			p.supp[p.lat.index([]int{2, 2})] = true // so that "moved" fails on arithmetic, not suppression
			tt.tamper(p, &h)
			if _, err := verifyHypercube(p.lat, p.val, p.supp, h); !errors.Is(err, ErrInternal) {
				t.Fatalf("got %v, want ErrInternal", err)
			}
		})
	}
}

func TestSearchFindsOnlySuppressedHypercubes(t *testing.T) {
	tab := mustTable(t, []int{4}, []int64{3, 500, 12, 0})
	vals, _ := tab.values()
	o, _ := Options{}.withDefaults()
	supp := make([]bool, tab.lat.cells)
	supp[0] = true
	s := newSearcher(tab.lat, vals, supp, o)
	if _, ok := s.search(0, true); ok {
		t.Fatal("found a fully suppressed hypercube where only the 3 is suppressed")
	}
	h, ok := s.search(0, false)
	if !ok || !slices.Equal(h.corners, []int{0, 2}) || h.up != 11 || h.down != 2 {
		t.Fatalf("got %+v, %v; want the 3 with the 12", h, ok)
	}
	// With the 12 at 5, it can lend only 4 persons: the 500 it is.
	vals[2] = 5
	if h, ok = s.search(0, false); !ok || !slices.Equal(h.corners, []int{0, 1}) {
		t.Fatalf("with a 5 for the 12: got %+v, %v; want the 3 with the 500", h, ok)
	}
	supp[4] = true // the total
	if h, ok = s.search(0, true); !ok || !slices.Equal(h.corners, []int{0, 4}) || h.up != unbounded {
		t.Fatalf("with the total suppressed: got %+v, %v; want the 3 with the total", h, ok)
	}
}
