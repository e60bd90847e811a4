package disclosure

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProtectRejectsOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"k of 1", Options{K: 1}},
		{"negative k", Options{K: -3}},
		{"negative width", Options{MinWidth: -1}},
		{"unknown cost", Options{Cost: 7}},
	}
	tab := mustTable(t, []int{2}, []int64{3, 40})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Protect(context.Background(), tab, tt.o); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := Protect(context.Background(), nil, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil table: got %v, want ErrInvalid", err)
	}
	if _, err := Audit(context.Background(), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil release: got %v, want ErrInvalid", err)
	}
}

// statuses renders a release as its cells' strings in lattice order.
func statuses(r *Release) []string {
	var out []string
	for _, c := range r.Cells() {
		out = append(out, c.String())
	}
	return out
}

func TestProtectPatterns(t *testing.T) {
	tests := []struct {
		name   string
		sizes  []int
		counts []int64
		o      Options
		want   []string // every cell, lattice order (Total last in each dimension)
	}{
		{
			name:  "nothing small",
			sizes: []int{3}, counts: []int64{11, 0, 40},
			want: []string{"11", "0", "40", "51"},
		},
		{
			// The 3 needs a complement: the 12 rather than the 500 or
			// the total, because suppressing small cells loses least.
			name:  "smallest complement",
			sizes: []int{4}, counts: []int64{3, 500, 12, 0},
			want: []string{"C", "500", "C", "0", "515"},
		},
		{
			// With the 12 left as the only complement of the 10, the two
			// could only trade 11 persons: width 11 needs the 10's
			// interval [1, 21], so the 12 suffices.
			name:  "complement just wide enough",
			sizes: []int{3}, counts: []int64{10, 12, 300},
			want: []string{"C", "C", "300", "322"},
		},
		{
			// By default the 20 would do (it can lend 19 persons, the 10
			// can lose 9: width 28). Asking for width 30 needs a
			// complement that can lend 21: the 300, cheaper than the
			// total.
			name:  "width decides",
			sizes: []int{3}, counts: []int64{10, 20, 300},
			o:    Options{MinWidth: 30},
			want: []string{"C", "20", "C", "330"},
		},
		{
			// Two-way: the 4 needs a rectangle whose other corners can
			// lend it 8 persons; the cheapest is the 30, 20 and 60
			// (cost 110, against 140 and more for the others).
			name:  "two-way rectangle",
			sizes: []int{3, 3}, counts: []int64{4, 30, 50, 20, 60, 70, 90, 80, 40},
			want: []string{
				"C", "C", "50", "84",
				"C", "C", "70", "150",
				"90", "80", "40", "210",
				"114", "170", "160", "444",
			},
		},
		{
			// The 1 is the only small cell; the 2 can lend it only one
			// person (suppressed cells stay at 1 or more), too few for
			// width 2, so the 40 is its complement.
			name:  "k of 2 suppresses only ones",
			sizes: []int{3}, counts: []int64{1, 2, 40},
			o:    Options{K: 2, MinWidth: 2},
			want: []string{"C", "2", "C", "43"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := mustTable(t, tt.sizes, tt.counts)
			r, err := Protect(context.Background(), tab, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, statuses(r)); diff != "" {
				t.Fatalf("release (-want +got):\n%s", diff)
			}
			checkAttack(t, tab, r)
		})
	}
}

func TestProtectWithholdsTablesWithNothingToPublish(t *testing.T) {
	tests := []struct {
		name   string
		sizes  []int
		counts []int64
	}{
		{"grand total below k", []int{2, 2}, []int64{3, 0, 2, 4}},
		{"one category", []int{1}, []int64{7}},
		{"two small cells and a zero", []int{3}, []int64{5, 6, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Protect(context.Background(), mustTable(t, tt.sizes, tt.counts), Options{})
			if !errors.Is(err, ErrAllSuppressed) || r != nil {
				t.Fatalf("got %v, %v; want nil, ErrAllSuppressed", r, err)
			}
		})
	}
	// An empty table shows only zeros, which expose nobody.
	r, err := Protect(context.Background(), mustTable(t, []int{2, 2}, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"0", "0", "0", "0", "0", "0", "0", "0", "0"}, statuses(r)); diff != "" {
		t.Fatalf("empty table (-want +got):\n%s", diff)
	}
}

// TestProtectNeverSuppressesZeros checks the zero rule on random tables:
// every zero, inner or margin, is published as 0, so that suppression
// never hides an empty cell (and the audit may assume suppressed cells are
// at least 1); every cell of 1..k-1 is suppressed as primary.
func TestProtectNeverSuppressesZeros(t *testing.T) {
	rng := rand.New(rand.NewPCG(0, 0))
	for trial := range 100 {
		tab := smallRandomTable(t, rng, [][]int{{6}, {4, 5}, {3, 3, 4}}[trial%3])
		r, err := Protect(context.Background(), tab, Options{})
		if errors.Is(err, ErrAllSuppressed) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		vals, _ := tab.values()
		for idx, c := range r.Cells() {
			v, ok := c.Value()
			switch {
			case vals[idx] == 0 && (!ok || v != 0):
				t.Fatalf("zero cell %v shown as %v", c.At, c)
			case vals[idx] >= 1 && vals[idx] < DefaultK && (ok || r.reason[idx] != Primary):
				t.Fatalf("small cell %v shown as %v, reason %v", c.At, c, r.reason[idx])
			case ok && v != vals[idx]:
				t.Fatalf("cell %v shown as %d, is %d", c.At, v, vals[idx])
			}
		}
	}
}

func TestReleaseCells(t *testing.T) {
	tab := mustTable(t, []int{2, 2}, []int64{3, 40, 50, 60})
	r, err := Protect(context.Background(), tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	small, err := r.Cell(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := small.Value(); ok || v != 0 {
		t.Errorf("suppressed Value() = %d, %v; want no value", v, ok)
	}
	if small.String() != "C" || small.Status() != Suppressed || small.Status().ConfStatus() != "C" {
		t.Errorf("suppressed cell shows %q, %v, %q", small.String(), small.Status(), small.Status().ConfStatus())
	}
	if why, _ := r.Reason(0, 0); why != Primary {
		t.Errorf("reason of the 3 = %v, want primary", why)
	}
	total, err := r.Cell(Total, Total)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := total.Value(); !ok || v != 153 || total.Status().ConfStatus() != "F" {
		t.Errorf("grand total = %d, %v, %q; want 153 published", v, ok, total.Status().ConfStatus())
	}
	if _, err := r.Cell(2, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("Cell out of range = %v, want ErrInvalid", err)
	}
	s := r.Summary()
	if s.Cells != 9 || s.Primary != 1 || s.Primary+s.Secondary+s.Published != 9 {
		t.Errorf("summary %+v", s)
	}
	// A release holds no count of a suppressed cell.
	for idx, st := range r.status {
		if st == Suppressed && r.value[idx] != 0 {
			t.Fatalf("release keeps the count of suppressed cell %v", r.lat.toPublic(idx))
		}
	}
}

func TestProtectIsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	tab := realisticTable(t, rng, []int{20, 6, 4}, 2000)
	first, err := Protect(context.Background(), tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := Protect(context.Background(), tab, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(statuses(first), statuses(again)); diff != "" {
			t.Fatalf("two runs differ (-first +again):\n%s", diff)
		}
	}
}

// TestPruneOnlyRemovesSuppressions checks that pruning publishes cells
// without breaking any certificate, and that it does publish some on
// tables where greedy choice over-suppresses.
func TestPruneOnlyRemovesSuppressions(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	o, _ := Options{}.withDefaults()
	var before, after int
	for range 20 {
		tab := realisticTable(t, rng, []int{15, 5, 3}, 1200)
		vals, _ := tab.values()
		p := newPlanner(tab.lat, vals, o)
		primaries := p.markPrimary()
		if err := p.secondary(context.Background(), primaries); err != nil {
			t.Fatal(err)
		}
		greedy := append([]bool(nil), p.supp...)
		if err := p.prune(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := p.verify(primaries); err != nil {
			t.Fatalf("pruned pattern fails verification: %v", err)
		}
		for idx := range greedy {
			if p.supp[idx] && !greedy[idx] {
				t.Fatalf("prune suppressed a new cell %v", tab.lat.toPublic(idx))
			}
			if greedy[idx] {
				before++
			}
			if p.supp[idx] {
				after++
			}
		}
	}
	t.Logf("suppressed cells: %d greedy, %d pruned", before, after)
	if after >= before {
		t.Fatalf("prune published nothing (%d cells before and after)", before)
	}
}

func TestProtectHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tab := realisticTable(t, rand.New(rand.NewPCG(1, 1)), []int{50, 10, 5}, 5000)
	if _, err := Protect(ctx, tab, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
