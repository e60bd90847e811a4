package disclosure

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
)

// maxSensitivity bounds how many inner cells one person may count in.
const maxSensitivity = 1000

// Consistency says how noisy counts become non-negative integers whose
// margins add up. Both steps only post-process the noisy inner cells, which
// costs no privacy; margins are always the sums of the released cells.
type Consistency int

const (
	// ProjectTotal replaces the noisy inner cells by the closest (least
	// squares) non-negative table with the same total, rounded to integers
	// keeping that total: every cell is lowered by one common amount and
	// floored at 0. The grand total stays the sum of the noisy cells, an
	// unbiased estimate of the true total, and small noise on empty cells
	// is mostly absorbed.
	ProjectTotal Consistency = iota
	// Clamp raises negative noisy cells to 0. Simple, but on a sparse
	// table every empty cell can only gain, so margins are biased upwards.
	Clamp
)

// NoiseOptions configure a differentially private release.
type NoiseOptions struct {
	// Epsilon is the privacy loss of this release, charged to the
	// dataset's budget.
	Epsilon Epsilon
	// Sensitivity is the largest number of inner cells one person counts
	// in (1 when each person is counted once). Zero means 1.
	Sensitivity int
	// Consistency is the post-processing step.
	Consistency Consistency
}

func (o NoiseOptions) withDefaults() (NoiseOptions, error) {
	if o.Sensitivity == 0 {
		o.Sensitivity = 1
	}
	if o.Sensitivity < 1 || o.Sensitivity > maxSensitivity {
		return o, fmt.Errorf("sensitivity out of range: %w", ErrInvalid)
	}
	if o.Epsilon <= 0 || o.Epsilon > maxEpsilon {
		return o, fmt.Errorf("epsilon must be positive: %w", ErrInvalid)
	}
	if o.Consistency != ProjectTotal && o.Consistency != Clamp {
		return o, fmt.Errorf("unknown consistency %d: %w", o.Consistency, ErrInvalid)
	}
	return o, nil
}

// addNoise returns a copy of t whose inner cells carry independent discrete
// Laplace noise of scale Sensitivity/ε, made consistent. Adding or removing
// one person changes at most Sensitivity inner cells by one each, an L1
// change of at most Sensitivity, so the noisy cells are ε-differentially
// private, and so is everything computed from them alone.
func addNoise(t *Table, o NoiseOptions, src rand.Source) (*Table, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	// scale = Sensitivity / ε = Sensitivity·10⁶ / (ε in millionths)
	num, den := uint64(o.Sensitivity)*epsilonScale, uint64(o.Epsilon)
	g := gcd(num, den)
	num, den = num/g, den/g
	s := newSampler(src)
	noisy := make([]int64, len(t.counts))
	for i, v := range t.counts {
		noisy[i] = v + s.discreteLaplace(num, den)
	}
	switch o.Consistency {
	case ProjectTotal:
		noisy, err = projectTotal(noisy)
	case Clamp:
		for i, v := range noisy {
			noisy[i] = max(v, 0)
		}
	}
	if err != nil {
		return nil, err
	}
	out := &Table{dims: cloneDims(t.dims), lat: t.lat, counts: noisy, labels: t.labels}
	return out, nil
}

// projectTotal returns the non-negative integer vector with sum max(0,
// sum(z)) closest to z: x = max(0, z-τ) for the τ >= 0 that gives that sum
// (the Euclidean projection onto a simplex), computed exactly in integers,
// then floored with the remaining units given to the largest remainders.
func projectTotal(z []int64) ([]int64, error) {
	var total int64
	for _, v := range z {
		total += v
	}
	out := make([]int64, len(z))
	if total <= 0 {
		return out, nil
	}
	order := make([]int, 0, len(z))
	for i, v := range z {
		if v > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(z[b], z[a]) })
	// ρ is the number of cells left positive: the largest j with
	// j·z(j) > S(j) - total, where S(j) sums the j largest.
	var sum, rho, sumRho int64
	for j, i := range order {
		sum += z[i]
		if int64(j+1)*z[i] > sum-total {
			rho, sumRho = int64(j+1), sum
		}
	}
	excess := sumRho - total // τ = excess/ρ
	if z[order[0]] > (1<<62)/rho {
		return nil, fmt.Errorf("table too large to project: %w", ErrInvalid)
	}
	rems := make([]int64, rho)
	var floors int64
	for j, i := range order[:rho] {
		n := rho*z[i] - excess
		out[i], rems[j] = n/rho, n%rho
		floors += out[i]
	}
	// rems sum to (total-floors)·ρ and each is below ρ, so enough cells
	// have a remainder to take the missing units.
	byRem := make([]int, rho)
	for j := range byRem {
		byRem[j] = j
	}
	slices.SortStableFunc(byRem, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
	for _, j := range byRem[:total-floors] {
		out[order[j]]++
	}
	return out, nil
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
