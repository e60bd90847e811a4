package disclosure

import (
	"context"
	"errors"
	"testing"
)

// TestJointBounds checks hand-computed bounds on a 2 × 2 table whose four
// counts x0 x1 / x2 x3 are unknown and whose margins are published.
func TestJointBounds(t *testing.T) {
	ctx := context.Background()
	margins := []LinearCell{
		{Vars: []int{0, 1}, Value: 10},       // first row
		{Vars: []int{0, 2}, Value: 7},        // first column
		{Vars: []int{0, 1, 2, 3}, Value: 20}, // total
	}
	got, err := JointBounds(ctx, 4, margins, [][]int{{0}, {3}, {1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	// x0 is at least 1 (hidden) and at most 7 (its column); x3 = 3 + x0;
	// x1 + x3 = the second column = 13.
	want := []Bounds{{1, 7}, {4, 10}, {13, 13}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("hidden %d: %v, want %v", i, got[i], want[i])
		}
	}
	// Publishing x1 pins x0: the attack the joint audit exists to find.
	pinned, err := JointBounds(ctx, 4, append(margins, LinearCell{Vars: []int{1}, Value: 6}), [][]int{{0}})
	if err != nil {
		t.Fatal(err)
	}
	if pinned[0] != (Bounds{4, 4}) || pinned[0].Width() != 0 {
		t.Fatalf("x0 = %v, want pinned at 4", pinned[0])
	}
	// An unknown no published cell bounds from above.
	free, err := JointBounds(ctx, 2, []LinearCell{{Vars: []int{0}, Value: 3}}, [][]int{{1}})
	if err != nil {
		t.Fatal(err)
	}
	if free[0].Lo != 1 || free[0].Hi != unbounded || free[0].Width() != unbounded {
		t.Fatalf("free cell %v", free[0])
	}
	if _, err := JointBounds(ctx, 2, []LinearCell{{Vars: []int{2}, Value: 3}}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown out of range: %v", err)
	}
	if _, err := JointBounds(ctx, 2, []LinearCell{{Vars: []int{0}, Value: 3}, {Vars: []int{0, 1}, Value: 2}}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("contradictory cells: %v", err)
	}
}
