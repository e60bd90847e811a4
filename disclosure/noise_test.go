package disclosure

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProjectTotal(t *testing.T) {
	tests := []struct {
		name string
		z    []int64
		want []int64
	}{
		{"no negative cell", []int64{4, 0, 7}, []int64{4, 0, 7}},
		{"all lowered by one", []int64{5, -2, 1}, []int64{4, 0, 0}},
		// τ = 0.5 leaves 2.5 and 2.5; the unit left goes to the first.
		{"half units", []int64{3, 3, -1}, []int64{3, 2, 0}},
		{"negative total", []int64{2, -5, 1}, []int64{0, 0, 0}},
		{"empty", []int64{0, 0}, []int64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := projectTotal(tt.z)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("projectTotal(%v) (-want +got):\n%s", tt.z, diff)
			}
		})
	}
}

// TestProjectTotalProperties checks on random vectors that the projection
// keeps the total, is non-negative, lies within one unit of the exact
// real-valued projection max(0, z-τ), and keeps the order of the cells.
func TestProjectTotalProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for range 500 {
		z := make([]int64, 1+rng.IntN(30))
		var total int64
		for i := range z {
			z[i] = rng.Int64N(21) - 8
			total += z[i]
		}
		x, err := projectTotal(z)
		if err != nil {
			t.Fatal(err)
		}
		// Find τ by bisection on the real problem.
		lo, hi := 0.0, 30.0
		for range 100 {
			mid := (lo + hi) / 2
			var s float64
			for _, v := range z {
				s += math.Max(0, float64(v)-mid)
			}
			if s > float64(max(total, 0)) {
				lo = mid
			} else {
				hi = mid
			}
		}
		var sum int64
		for i, v := range x {
			sum += v
			if v < 0 {
				t.Fatalf("projectTotal(%v) = %v has a negative cell", z, x)
			}
			if real := math.Max(0, float64(z[i])-hi); total > 0 && math.Abs(float64(v)-real) >= 1 {
				t.Fatalf("projectTotal(%v) = %v: cell %d is %d, real projection %.3f", z, x, i, v, real)
			}
			for j := range x {
				if z[i] > z[j] && x[i] < x[j] {
					t.Fatalf("projectTotal(%v) = %v reorders cells %d and %d", z, x, i, j)
				}
			}
		}
		if sum != max(total, 0) {
			t.Fatalf("projectTotal(%v) = %v sums to %d, want %d", z, x, sum, max(total, 0))
		}
	}
}

// TestAddNoiseScale checks the wiring from ε and sensitivity to the noise:
// on a table of large counts no cell goes negative, so the projection
// changes nothing and each cell's error is one discrete Laplace draw of
// scale Sensitivity/ε.
func TestAddNoiseScale(t *testing.T) {
	tests := []struct {
		name        string
		epsilon     string
		sensitivity int
	}{
		{"epsilon 1", "1", 1},
		{"epsilon 0.25", "0.25", 1},
		{"sensitivity 3", "1.5", 3},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := mustTable(t, []int{100, 20, 10}, nil)
			for c := range tab.counts {
				tab.counts[c] = 1000
			}
			eps, _ := ParseEpsilon(tt.epsilon)
			noisy, err := addNoise(tab, NoiseOptions{Epsilon: eps, Sensitivity: tt.sensitivity}, rand.NewChaCha8([32]byte{byte(i), 1}))
			if err != nil {
				t.Fatal(err)
			}
			k := 0
			draw := func() int64 { k++; return noisy.counts[k-1] - 1000 }
			a := math.Exp(-eps.Float64() / float64(tt.sensitivity))
			if err := checkLaplace(draw, a, len(noisy.counts)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAddNoiseConsistency(t *testing.T) {
	tests := []struct {
		name string
		c    Consistency
	}{
		{"projection", ProjectTotal},
		{"clamp", Clamp},
	}
	rng := rand.New(rand.NewPCG(6, 6))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := realisticTable(t, rng, []int{30, 6, 4}, 800) // sparse: most cells 0
			eps, _ := ParseEpsilon("0.5")
			noisy, err := addNoise(tab, NoiseOptions{Epsilon: eps, Consistency: tt.c}, rand.NewChaCha8([32]byte{3}))
			if err != nil {
				t.Fatal(err)
			}
			if slices.Equal(noisy.counts, tab.counts) {
				t.Fatal("no noise added")
			}
			if slices.Min(noisy.counts) < 0 {
				t.Fatal("negative count released")
			}
			// Margins are derived, so they add up; and the release goes
			// through suppression like any table.
			if _, err := Protect(context.Background(), noisy, Options{}); err != nil {
				t.Fatal(err)
			}
			trueTotal, _ := tab.Count(Total, Total, Total)
			noisyTotal, _ := noisy.Count(Total, Total, Total)
			// Projection keeps the total unbiased: 720 cells of variance
			// 2a/(1-a)² ≈ 7.6 give a standard deviation near 74. Clamping
			// adds a/(1-a²) ≈ 0.96 per empty cell.
			_, variance, _ := laplaceMoments(math.Exp(-0.5))
			sd := math.Sqrt(variance * float64(len(tab.counts)))
			diff := float64(noisyTotal - trueTotal)
			t.Logf("total %d, noisy %d", trueTotal, noisyTotal)
			if tt.c == ProjectTotal && math.Abs(diff) > 5*sd {
				t.Fatalf("projected total off by %.0f (sd %.0f)", diff, sd)
			}
			if tt.c == Clamp && diff < 100 {
				t.Fatalf("clamped total only %.0f above the truth: where did the bias go?", diff)
			}
		})
	}
}

func TestNoiseOptionsRejects(t *testing.T) {
	tests := []struct {
		name string
		o    NoiseOptions
	}{
		{"no epsilon", NoiseOptions{}},
		{"negative epsilon", NoiseOptions{Epsilon: -1}},
		{"huge epsilon", NoiseOptions{Epsilon: maxEpsilon + 1}},
		{"negative sensitivity", NoiseOptions{Epsilon: 1, Sensitivity: -1}},
		{"unknown consistency", NoiseOptions{Epsilon: 1, Consistency: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.o.withDefaults(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
