package demo

import (
	"math"
	"math/rand/v2"
	"strings"
)

// Streams of the PCG generator. Each purpose draws from its own stream of
// the seed, so that changing how passwords are drawn, say, leaves the
// cases of a seed as they were.
const (
	streamCases     = 0x6861_7665_6e5f_6361 // "haven_ca"
	streamReference = 0x6861_7665_6e5f_7265 // "haven_re"
	streamPasswords = 0x6861_7665_6e5f_7077 // "haven_pw"
)

// newRand returns a generator for one stream of seed.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// chance is true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a whole number in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

func (s span) draw(r *rand.Rand) int { return between(r, s.lo(), s.hi()) }

// pickWeighted returns the index of one of n items drawn by weight; weight
// must not be negative. It returns -1 when every weight is zero.
func pickWeighted(r *rand.Rand, n int, weight func(i int) float64) int {
	var total float64
	for i := range n {
		total += weight(i)
	}
	if total <= 0 {
		return -1
	}
	x := r.Float64() * total
	last := -1
	for i := range n {
		w := weight(i)
		if w <= 0 {
			continue
		}
		if x < w {
			return i
		}
		x -= w
		last = i
	}
	return last // rounding left x just above the last weight
}

// pick draws a code by weight.
func (w weights) pick(r *rand.Rand) string {
	i := pickWeighted(r, len(w), func(i int) float64 { return w[i].weight })
	if i < 0 {
		return ""
	}
	return w[i].code
}

func oneOf[T any](r *rand.Rand, items []T) T {
	return items[r.IntN(len(items))]
}

// logNormal draws from the distribution, cut to [Min, Max].
func (l logNormal) draw(r *rand.Rand) float64 {
	x := l.Median * math.Exp(l.Sigma*r.NormFloat64())
	return min(max(x, l.Min), l.Max)
}

// fillPattern replaces each # of a pattern with a digit and each L with a
// capital letter (no I or O, which read as digits).
func fillPattern(r *rand.Rand, pattern string) string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	var b strings.Builder
	for _, c := range pattern {
		switch c {
		case '#':
			b.WriteByte(byte('0' + r.IntN(10)))
		case 'L':
			b.WriteByte(letters[r.IntN(len(letters))])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// apportion splits total into len(w) whole counts in proportion to the
// weights (largest remainder), then raises any count below its minimum by
// taking from the largest, as long as the total allows. A stratified split
// gives every seed the same shape and guarantees the rare states appear.
func apportion(total int, w []float64, minimum []int) []int {
	counts := make([]int, len(w))
	var sum float64
	for _, x := range w {
		sum += x
	}
	if total <= 0 || sum <= 0 {
		return counts
	}
	type rest struct {
		i    int
		frac float64
	}
	rests := make([]rest, len(w))
	given := 0
	for i, x := range w {
		exact := float64(total) * x / sum
		counts[i] = int(exact)
		given += counts[i]
		rests[i] = rest{i, exact - float64(counts[i])}
	}
	// Stable order on ties keeps the split deterministic.
	for left := total - given; left > 0; left-- {
		best := 0
		for j := range rests {
			if rests[j].frac > rests[best].frac {
				best = j
			}
		}
		counts[rests[best].i]++
		rests[best].frac = -1
	}
	for i := range counts {
		for counts[i] < minimum[i] {
			donor := -1
			for j := range counts {
				if j != i && counts[j] > minimum[j] && (donor < 0 || counts[j] > counts[donor]) {
					donor = j
				}
			}
			if donor < 0 {
				break
			}
			counts[donor]--
			counts[i]++
		}
	}
	return counts
}
