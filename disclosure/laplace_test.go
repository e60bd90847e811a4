package disclosure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// laplaceMoments returns the pmf at 0, the variance and the fourth central
// moment of the discrete Laplace with parameter a = exp(-1/scale):
// P(x) = (1-a)/(1+a) a^|x|, variance 2a/(1-a)².
func laplaceMoments(a float64) (p0, variance, m4 float64) {
	p0 = (1 - a) / (1 + a)
	variance = 2 * a / ((1 - a) * (1 - a))
	for x := 1; ; x++ {
		term := 2 * p0 * math.Pow(a, float64(x)) * math.Pow(float64(x), 4)
		m4 += term
		if term < 1e-15*m4 && x > 10 {
			break
		}
	}
	return p0, variance, m4
}

// checkLaplace draws n samples and tests them against the discrete Laplace
// of parameter a: mean, variance (both within 5 standard errors) and a
// chi-square goodness of fit at significance 1e-6. With a fixed seed the
// outcome is fixed; the bounds are wide enough for a correct sampler and,
// as TestCheckLaplaceHasPower shows, narrow enough to catch a wrong scale.
func checkLaplace(draw func() int64, a float64, n int) error {
	p0, variance, m4 := laplaceMoments(a)
	const bins = 41 // values -20..20
	counts := make([]float64, bins)
	var sum, sumSq float64
	for range n {
		x := draw()
		sum += float64(x)
		sumSq += float64(x) * float64(x)
		if x >= -bins/2 && x <= bins/2 {
			counts[x+bins/2]++
		}
	}
	mean := sum / float64(n)
	if z := mean / math.Sqrt(variance/float64(n)); math.Abs(z) > 5 {
		return fmt.Errorf("mean %.4f is %.1f standard errors from 0", mean, z)
	}
	v := sumSq/float64(n) - mean*mean
	if z := (v - variance) / math.Sqrt((m4-variance*variance)/float64(n)); math.Abs(z) > 5 {
		return fmt.Errorf("variance %.4f, want %.4f (%.1f standard errors)", v, variance, z)
	}
	// Values from -20 to 20 expected at least 5 times get a bin each;
	// everything else shares one bin, so no expected count is below 5.
	var chi2, ownObserved, ownExpected float64
	df := 0.0 // bins - 1
	for i := range bins {
		want := float64(n) * p0 * math.Pow(a, math.Abs(float64(i-bins/2)))
		if want < 5 {
			continue
		}
		chi2 += (counts[i] - want) * (counts[i] - want) / want
		ownObserved += counts[i]
		ownExpected += want
		df++
	}
	if rest := float64(n) - ownExpected; rest >= 5 {
		got := float64(n) - ownObserved
		chi2 += (got - rest) * (got - rest) / rest
	} else {
		df--
	}
	if limit := (distuv.ChiSquared{K: df}).Quantile(1 - 1e-6); chi2 > limit {
		return fmt.Errorf("chi-square %.1f above %.1f (%v degrees of freedom)", chi2, limit, df)
	}
	return nil
}

func TestDiscreteLaplaceDistribution(t *testing.T) {
	tests := []struct {
		t, s uint64 // scale t/s
	}{
		{1, 1},  // ε = 1
		{2, 1},  // ε = 0.5
		{10, 1}, // ε = 0.1
		{1, 2},  // ε = 2
		{10, 3}, // ε = 0.3
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("scale %d/%d", tt.t, tt.s), func(t *testing.T) {
			s := newSampler(rand.NewChaCha8([32]byte{byte(i), 38}))
			a := math.Exp(-float64(tt.s) / float64(tt.t))
			if err := checkLaplace(func() int64 { return s.discreteLaplace(tt.t, tt.s) }, a, 40000); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCheckLaplaceHasPower feeds checkLaplace samples of the wrong scale
// (10% too wide, as a sampler that confused ε and its rounding might
// produce) and of the right scale but biased; it must reject both.
func TestCheckLaplaceHasPower(t *testing.T) {
	s := newSampler(rand.NewChaCha8([32]byte{99}))
	a := math.Exp(-1 / 2.0)
	if err := checkLaplace(func() int64 { return s.discreteLaplace(22, 10) }, a, 40000); err == nil {
		t.Error("accepted scale 2.2 as 2")
	}
	if err := checkLaplace(func() int64 { return s.discreteLaplace(2, 1) + int64(s.r.IntN(20)/19) }, a, 40000); err == nil {
		t.Error("accepted a biased sampler")
	}
}

func TestBernoulliExp(t *testing.T) {
	s := newSampler(rand.NewChaCha8([32]byte{7}))
	tests := []struct{ num, den uint64 }{{0, 1}, {3, 10}, {1, 1}, {5, 2}, {7, 3}}
	const n = 40000
	for _, tt := range tests {
		t.Run(fmt.Sprintf("exp(-%d/%d)", tt.num, tt.den), func(t *testing.T) {
			p := math.Exp(-float64(tt.num) / float64(tt.den))
			hits := 0
			for range n {
				if s.bernoulliExp(tt.num, tt.den) {
					hits++
				}
			}
			got := float64(hits) / n
			if se := math.Sqrt(p * (1 - p) / n); math.Abs(got-p) > 5*se+1e-12 {
				t.Fatalf("frequency %.4f, want %.4f", got, p)
			}
		})
	}
}

// TestCryptoSource checks that the production source feeds the sampler:
// values differ, and the noise is centred (a failure has probability
// below one in a billion).
func TestCryptoSource(t *testing.T) {
	src := CryptoSource()
	if src.Uint64() == src.Uint64() && src.Uint64() == src.Uint64() {
		t.Fatal("crypto source repeats itself")
	}
	s := newSampler(src)
	const n = 4000
	var sum float64
	for range n {
		sum += float64(s.discreteLaplace(1, 1))
	}
	_, variance, _ := laplaceMoments(math.Exp(-1))
	if math.Abs(sum/n) > 6*math.Sqrt(variance/n) {
		t.Fatalf("mean %.3f", sum/n)
	}
}
