package estimate

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"
)

func TestQuantile8(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	// R: quantile(1:10, c(0, 0.01, 0.1, 0.5, 0.9, 0.99, 1), type = 8). At p
	// the position is n·p + (p+1)/3, e.g. 10·0.1 + 1.1/3 = 1.3667.
	for _, tc := range []struct{ p, want float64 }{
		{0, 1},
		{0.01, 1},
		{0.1, 1 + 1.1/3}, // x is 1…10, so the value is the position
		{0.5, 5.5},
		{0.9, 9 + 1.9/3},
		{0.99, 10},
		{1, 10},
	} {
		if got := quantile8(x, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile8(1:10, %g) = %g, want %g", tc.p, got, tc.want)
		}
	}
}

func TestAcceleration(t *testing.T) {
	for _, tc := range []struct {
		name          string
		jack, weights []float64
		want          float64
	}{
		{"symmetric", []float64{1, 2, 3}, []float64{1, 1, 1}, 0},
		// mean 1, deviations (1, 1, −2): Σd² = 6, Σd³ = −6, â = −6/(6·6^1.5).
		{"skewed", []float64{0, 0, 3}, []float64{1, 1, 1}, -1 / math.Pow(6, 1.5)},
		// A combination seen twice counts twice: the same as the above.
		{"weighted", []float64{0, 3}, []float64{2, 1}, -1 / math.Pow(6, 1.5)},
		{"all equal", []float64{4, 4}, []float64{3, 1}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := acceleration(tc.jack, tc.weights); math.Abs(got-tc.want) > 1e-15 {
				t.Errorf("acceleration = %g, want %g", got, tc.want)
			}
		})
	}
}

func TestBCa(t *testing.T) {
	ests := make([]float64, 1000)
	for i := range ests {
		ests[len(ests)-1-i] = float64(i + 1) // unsorted on purpose
	}
	t.Run("no bias, no acceleration: percentile interval", func(t *testing.T) {
		lo, hi, z0, err := bca(ests, 500.5, 0, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		sorted := make([]float64, len(ests))
		for i := range sorted {
			sorted[i] = float64(i + 1)
		}
		// Φ(Φ⁻¹(0.025)) is 0.025 only to rounding.
		if z0 != 0 || !within(lo, quantile8(sorted, 0.025), 1e-12) || !within(hi, quantile8(sorted, 0.975), 1e-12) {
			t.Errorf("bca = [%g, %g], z0 %g; want [%g, %g], 0", lo, hi, z0, quantile8(sorted, 0.025), quantile8(sorted, 0.975))
		}
	})
	t.Run("estimate low in the distribution shifts the interval up", func(t *testing.T) {
		lo0, hi0, _, _ := bca(ests, 500.5, 0, 0.95)
		lo, hi, z0, err := bca(ests, 300.5, 0, 0.95)
		if err != nil || !(z0 < 0) || !(lo < lo0 && hi < hi0) {
			t.Errorf("bca = [%g, %g], z0 %g, %v; want z0 < 0 and an interval below [%g, %g]", lo, hi, z0, err, lo0, hi0)
		}
	})
	t.Run("all replicates on one side", func(t *testing.T) {
		if _, _, _, err := bca(ests, 0.5, 0, 0.95); err == nil {
			t.Error("bca with every replicate above the estimate succeeded")
		}
	})
}

func TestResample(t *testing.T) {
	tb := table(t, "ABC", "A 30", "B 50", "AB 15", "C 5")
	h := &tb.h
	var cells []uint32
	for c, n := range h.counts {
		if n > 0 {
			cells = append(cells, uint32(c))
		}
	}
	sample := make([]float64, len(h.counts))
	mean := make([]float64, len(h.counts))
	const reps = 4000
	for r := range reps {
		resample(sample, h, cells, 42, uint64(r))
		var n float64
		for c, v := range sample {
			n += v
			if v > 0 && h.counts[c] == 0 {
				t.Fatalf("replicate %d drew combination %s, which nobody is on", r, combination(uint32(c), 3))
			}
			mean[c] += v / reps
		}
		if n != float64(h.observed) {
			t.Fatalf("replicate %d has %g people, want %d", r, n, h.observed)
		}
	}
	// Each count is binomial(100, n/100): its mean over 4000 replicates is
	// within 4 standard errors of n, sd/√4000, here at most 0.16.
	for _, c := range cells {
		n := h.counts[c]
		se := math.Sqrt(n*(1-n/100)) / math.Sqrt(reps)
		if math.Abs(mean[c]-n) > 4*se {
			t.Errorf("combination %s: mean %g over %d replicates, want %g ± %g", combination(c, 3), mean[c], reps, n, 4*se)
		}
	}
}

func TestBootstrap(t *testing.T) {
	tb := referenceTable(t, "NewOrl")
	ctx := context.Background()
	opt := Options{Method: Main}
	iv, err := Bootstrap(ctx, tb, opt, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Estimate(tb, opt)
	if err != nil {
		t.Fatal(err)
	}
	if iv.Estimate != r.Estimate || !(iv.Lower < iv.Estimate && iv.Estimate < iv.Upper) {
		t.Errorf("interval %+v does not surround the estimate %g", iv, r.Estimate)
	}
	if iv.Replicates+iv.Failed != 200 || iv.Method != "nonparametric BCa" || iv.Level != 0.95 || iv.Seed != 1 {
		t.Errorf("interval %+v: wrong bookkeeping", iv)
	}
	// The bootstrap and the normal interval measure the same uncertainty
	// and should roughly agree for main effects; a factor of two apart would
	// mean something is broken.
	if w, wb := r.Upper-r.Lower, iv.Upper-iv.Lower; wb < w/2 || wb > 2*w {
		t.Errorf("bootstrap interval width %g, normal interval width %g", wb, w)
	}

	t.Run("same seed, same interval, whatever the cores", func(t *testing.T) {
		prev := runtime.GOMAXPROCS(1)
		defer runtime.GOMAXPROCS(prev)
		again, err := Bootstrap(ctx, tb, opt, 200, 1)
		if err != nil || again != iv {
			t.Errorf("with 1 core: %+v, %v; with %d: %+v", again, err, prev, iv)
		}
	})
	t.Run("another seed, another interval", func(t *testing.T) {
		other, err := Bootstrap(ctx, tb, opt, 200, 2)
		if err != nil || other.Lower == iv.Lower || other.Upper == iv.Upper {
			t.Errorf("seed 2: %+v, %v; seed 1: %+v", other, err, iv)
		}
	})
	t.Run("stepwise", func(t *testing.T) {
		sw, err := Bootstrap(ctx, tb, Options{}, 200, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !(sw.Lower < sw.Estimate && sw.Estimate < sw.Upper) {
			t.Errorf("interval %+v does not surround its estimate", sw)
		}
	})
	t.Run("too few replicates", func(t *testing.T) {
		if _, err := Bootstrap(ctx, tb, opt, MinReplicates-1, 1); err == nil {
			t.Error("succeeded")
		}
	})
	t.Run("bad options", func(t *testing.T) {
		if _, err := Bootstrap(ctx, tb, Options{Level: 2}, 200, 1); err == nil {
			t.Error("succeeded")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := Bootstrap(cctx, tb, opt, 200, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
	t.Run("not estimable", func(t *testing.T) {
		_, err := Bootstrap(ctx, table(t, "AB", "A 10", "B 20"), opt, 200, 1)
		if !errors.Is(err, ErrNotEstimable) {
			t.Errorf("error = %v, want ErrNotEstimable", err)
		}
	})
}

// TestBootstrapDropsEmptiedLists: list C has one person, so about a third
// of the replicates (e^−1) have nobody on it. Those replicates must still
// give an estimate, from the table without C.
func TestBootstrapDropsEmptiedLists(t *testing.T) {
	tb := table(t, "ABC", "A 60", "B 40", "AB 20", "AC 1")
	iv, err := Bootstrap(context.Background(), tb, Options{Method: Main}, 300, 3)
	if err != nil {
		t.Fatal(err)
	}
	if iv.Failed != 0 || iv.Replicates != 300 {
		t.Errorf("%d replicates, %d failed; want 300, 0", iv.Replicates, iv.Failed)
	}
	emptied := 0
	sample := make([]float64, len(tb.h.counts))
	cells := []uint32{0b001, 0b010, 0b011, 0b101}
	for r := range 300 {
		resample(sample, &tb.h, cells, 3, uint64(r))
		if sample[0b101] == 0 {
			emptied++
		}
	}
	if emptied < 50 {
		t.Errorf("only %d of 300 replicates emptied list C; the test does not test dropping it", emptied)
	}
}
