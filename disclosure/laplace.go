package disclosure

import "math/rand/v2"

// sampler draws the discrete Laplace distribution exactly, with integer
// arithmetic only, following Canonne, Kamath and Steinke, "The Discrete
// Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 1 and 2.
// Sampling a continuous Laplace in floating point and rounding leaks through
// the gaps of the floats (Mironov, CCS 2012); exact sampling does not.
type sampler struct{ r *rand.Rand }

func newSampler(src rand.Source) sampler { return sampler{r: rand.New(src)} }

// bernoulli returns true with probability num/den, for 0 <= num <= den.
func (s sampler) bernoulli(num, den uint64) bool { return s.r.Uint64N(den) < num }

// bernoulliExpUnit returns true with probability exp(-num/den), for
// 0 <= num <= den (Algorithm 1, γ in [0,1]): count K until a
// Bernoulli(γ/K) fails; K is odd with probability exp(-γ).
func (s sampler) bernoulliExpUnit(num, den uint64) bool {
	k := uint64(1)
	// Bernoulli(γ/K) is drawn as Bernoulli(γ) and Bernoulli(1/K), which is
	// the same law and cannot overflow den*K.
	for s.bernoulli(num, den) && s.r.Uint64N(k) == 0 {
		k++
	}
	return k%2 == 1
}

// bernoulliExp returns true with probability exp(-num/den) for any
// num >= 0: exp(-γ) is exp(-1) to the integer part times exp(-rest).
func (s sampler) bernoulliExp(num, den uint64) bool {
	for num > den {
		if !s.bernoulliExpUnit(1, 1) {
			return false
		}
		num -= den
	}
	return s.bernoulliExpUnit(num, den)
}

// discreteLaplace returns x with probability proportional to
// exp(-|x|·sc/t), the discrete Laplace of scale t/sc (Algorithm 2): a
// geometric magnitude built from a uniform remainder and a geometric
// quotient, divided by sc, with a random sign and -0 rejected so that 0 is
// not counted twice.
func (s sampler) discreteLaplace(t, sc uint64) int64 {
	for {
		u := s.r.Uint64N(t)
		if !s.bernoulliExp(u, t) {
			continue
		}
		var v uint64
		for s.bernoulliExp(1, 1) {
			v++
		}
		y := (u + t*v) / sc
		negative := s.r.Uint64N(2) == 1
		if negative && y == 0 {
			continue
		}
		if negative {
			return -int64(y)
		}
		return int64(y)
	}
}
