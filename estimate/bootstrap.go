package estimate

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/stat/distuv"
)

// MinReplicates is the fewest bootstrap replicates Bootstrap accepts: with
// fewer, the tail quantiles a 95% interval needs rest on a handful of values.
const MinReplicates = 100

// maxFailedShare is the share of replicates that may fail to give an estimate
// before Bootstrap gives up. Failed replicates are left out, which shifts the
// interval if they are many; see Interval.Failed.
const maxFailedShare = 0.05

// Interval is a bootstrap confidence interval for the total population.
type Interval struct {
	Estimate float64 `json:"estimate"` // the point estimate from the data, as Estimate gives it
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
	Level    float64 `json:"level"`
	Method   string  `json:"method"` // "nonparametric BCa"
	// Replicates is how many bootstrap samples gave an estimate; Failed is
	// how many did not (their resampled table could not support even the
	// main-effects model) and were left out.
	Replicates int `json:"replicates"`
	Failed     int `json:"failed"`
	// Bias and Acceleration are the BCa corrections z₀ and â.
	Bias         float64 `json:"bias"`
	Acceleration float64 `json:"acceleration"`
	Seed         uint64  `json:"seed"`
}

// Bootstrap computes SparseMSE's bootstrap interval (its estimatepopulation):
//
//   - Nonparametric: each replicate draws as many people as were observed,
//     with replacement, from the people observed (a multinomial sample of the
//     table's counts), and reruns the whole estimate on it — model selection
//     included, so the interval reflects the uncertainty of the stepwise
//     choice as well as of the fit. Haven follows SparseMSE here so that the
//     two agree, and because a parametric bootstrap would simulate from the
//     selected model, taking as true the very model whose choice is
//     uncertain.
//   - BCa (DiCiccio and Efron 1996): the percentiles of the replicate
//     estimates are corrected for bias, z₀ = Φ⁻¹(share of replicates below
//     the estimate), and for acceleration, â, from a jackknife that removes
//     one person from each observed combination in turn. Quantiles are R's
//     type 8, as SparseMSE uses.
//
// A replicate that empties a small list drops that list (its parameter would
// be −∞, and the rest of the fit is then that of the table without it).
//
// Replicate i draws from its own ChaCha8 stream keyed by seed and i, so the
// result depends only on the table, the options, replicates and seed — not on
// how many cores share the work. Replicates run on GOMAXPROCS goroutines.
func Bootstrap(ctx context.Context, t *Table, opt Options, replicates int, seed uint64) (Interval, error) {
	const op = "estimate.Bootstrap"
	if t == nil || t.h.counts == nil {
		return Interval{}, fmt.Errorf("%s: no table", op)
	}
	o, err := opt.resolve()
	if err != nil {
		return Interval{}, fmt.Errorf("%s: %w", op, err)
	}
	if replicates < MinReplicates {
		return Interval{}, fmt.Errorf("%s: %d replicates are too few; use at least %d (SparseMSE uses 1000)", op, replicates, MinReplicates)
	}
	h := &t.h
	point, err := total(h, o)
	if err != nil {
		return Interval{}, fmt.Errorf("%s: %w", op, err)
	}

	// The observed combinations, whose counts are resampled and jackknifed.
	var cells []uint32
	for c, n := range h.counts {
		if n > 0 {
			cells = append(cells, uint32(c))
		}
	}
	boot := make([]float64, replicates)
	bootOK := make([]bool, replicates)
	jack := make([]float64, len(cells))
	// The first error that is not a table the model cannot fit: a numerical
	// failure, which must stop the bootstrap rather than be counted.
	var taskErr error
	var errOnce sync.Once
	fail := func(err error) { errOnce.Do(func() { taskErr = err }) }

	// Tasks 0…replicates−1 are bootstrap replicates, the rest jackknife fits.
	tasks := replicates + len(cells)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), tasks) {
		wg.Go(func() {
			sample := make([]float64, len(h.counts))
			for {
				i := int(next.Add(1) - 1)
				if i >= tasks || ctx.Err() != nil {
					return
				}
				if i < replicates {
					resample(sample, h, cells, seed, uint64(i))
					v, err := total(&histories{lists: h.lists, counts: sample, observed: h.observed}, o)
					if err != nil && !errors.Is(err, ErrNotEstimable) {
						fail(fmt.Errorf("replicate %d: %w", i, err))
					}
					boot[i], bootOK[i] = v, err == nil
					continue
				}
				c := cells[i-replicates]
				copy(sample, h.counts)
				sample[c]--
				v, err := total(&histories{lists: h.lists, counts: sample, observed: h.observed - 1}, o)
				if err != nil {
					fail(fmt.Errorf("jackknife without one person on %s: %w", combination(c, len(h.lists)), err))
				}
				jack[i-replicates] = v
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Interval{}, fmt.Errorf("%s: %w", op, err)
	}
	if taskErr != nil {
		return Interval{}, fmt.Errorf("%s: %w", op, taskErr)
	}

	var ests []float64
	for i, ok := range bootOK {
		if ok {
			ests = append(ests, boot[i])
		}
	}
	failed := replicates - len(ests)
	if float64(failed) > maxFailedShare*float64(replicates) {
		return Interval{}, fmt.Errorf("%s: %w: %d of %d replicates could not be estimated; the table is too sparse for a bootstrap interval", op, ErrNotEstimable, failed, replicates)
	}
	weights := make([]float64, len(cells))
	for k, c := range cells {
		weights[k] = h.counts[c]
	}
	a := acceleration(jack, weights)
	lo, hi, z0, err := bca(ests, point, a, o.Level)
	if err != nil {
		return Interval{}, fmt.Errorf("%s: %w", op, err)
	}
	return Interval{
		Estimate:     point,
		Lower:        lo,
		Upper:        hi,
		Level:        o.Level,
		Method:       "nonparametric BCa",
		Replicates:   len(ests),
		Failed:       failed,
		Bias:         z0,
		Acceleration: a,
		Seed:         seed,
	}, nil
}

// total is the point estimate of the total population for one table.
func total(h *histories, o Options) (float64, error) {
	k := h.withoutEmptyLists()
	if len(k.lists) < 2 {
		return 0, fmt.Errorf("%w: fewer than 2 lists have anyone on them", ErrNotEstimable)
	}
	f, _, err := selectModel(&k, o)
	if err != nil {
		return 0, err
	}
	v := float64(k.observed) + math.Exp(f.beta[0])
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%w: the estimate is not finite", ErrNotEstimable)
	}
	return v, nil
}

// resample fills sample with a multinomial draw of h.observed people from
// the observed combinations, with probabilities proportional to their counts:
// each draw picks one observed person uniformly.
func resample(sample []float64, h *histories, cells []uint32, seed, replicate uint64) {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[0:], seed)
	binary.LittleEndian.PutUint64(key[8:], replicate)
	rng := rand.New(rand.NewChaCha8(key))
	cum := make([]int, len(cells)) // people up to and including cell k
	run := 0
	for k, c := range cells {
		run += int(h.counts[c])
		cum[k] = run
	}
	clear(sample)
	for range h.observed {
		u := rng.IntN(h.observed)
		k := sort.SearchInts(cum, u+1)
		sample[cells[k]]++
	}
}

// acceleration is SparseMSE's jackknife estimate of the BCa acceleration:
// with jack[k] the estimate without one person of combination k, and
// weights[k] the number of people in it,
//
//	d_k = Σ w·jack / Σ w − jack[k],   â = Σ w d³ / (6 (Σ w d²)^{3/2}).
func acceleration(jack, weights []float64) float64 {
	var sw, swj float64
	for k, w := range weights {
		sw += w
		swj += w * jack[k]
	}
	mean := swj / sw
	var s2, s3 float64
	for k, w := range weights {
		d := mean - jack[k]
		s2 += w * d * d
		s3 += w * d * d * d
	}
	if s2 == 0 {
		return 0
	}
	return s3 / (6 * math.Pow(s2, 1.5))
}

// bca returns the BCa interval at the given level from the replicate
// estimates, SparseMSE's bcaconfvalues.
func bca(ests []float64, point, a, level float64) (lo, hi, z0 float64, err error) {
	below := 0
	for _, v := range ests {
		if v < point {
			below++
		}
	}
	if below == 0 || below == len(ests) {
		return 0, 0, 0, errors.New("every bootstrap estimate lies on one side of the point estimate, so the BCa bias correction is infinite")
	}
	z0 = distuv.UnitNormal.Quantile(float64(below) / float64(len(ests)))
	sorted := slices.Clone(ests)
	slices.Sort(sorted)
	adjust := func(alpha float64) float64 {
		za := distuv.UnitNormal.Quantile(alpha) + z0
		return distuv.UnitNormal.CDF(z0 + za/(1-a*za))
	}
	tail := (1 - level) / 2
	return quantile8(sorted, adjust(tail)), quantile8(sorted, adjust(1-tail)), z0, nil
}

// quantile8 is R's quantile(x, p, type = 8) of sorted x, the median-unbiased
// definition of Hyndman and Fan (1996) that SparseMSE asks for.
func quantile8(sorted []float64, p float64) float64 {
	n := len(sorted)
	h := float64(n)*p + (p+1)/3 // 1-based position
	j := math.Floor(h)
	g := h - j
	at := func(k float64) float64 { // clamps to the first and last values, as R does
		return sorted[int(min(max(k, 1), float64(n)))-1]
	}
	if g == 0 {
		return at(j)
	}
	return (1-g)*at(j) + g*at(j+1)
}
