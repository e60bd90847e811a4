package estimate

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// glm.fit's defaults, so that fits stop where R's do.
const (
	irlsEpsilon = 1e-8
	irlsMaxIter = 25
)

// fit is a fitted Poisson log-linear model.
type fit struct {
	d        *design
	beta     []float64 // one per d.terms; beta[0] is the log of the dark figure
	mu       []float64 // fitted count of each of d.cells
	varBeta0 float64   // the intercept's variance, [(XᵀWX)⁻¹]₀₀ at the estimate
	deviance float64
	iter     int
}

// fitPoisson fits the model by iteratively reweighted least squares, as R's
// glm(family = poisson) does: start from μ = y + 0.1, regress the working
// response z = η + (y−μ)/μ on the model matrix with weights μ, and stop when
// the deviance changes by less than 1e-8 relative. Callers check first that
// the estimate exists and is identifiable; a fit that still fails to converge
// is an error rather than a number.
func fitPoisson(d *design) (*fit, error) {
	n, p := len(d.cells), len(d.terms)
	if n < p {
		return nil, fmt.Errorf("fit: %w: %d parameters for %d capture histories", errNotIdentifiable, p, n)
	}
	eta := make([]float64, n)
	mu := make([]float64, n)
	for i, y := range d.y {
		mu[i] = y + 0.1
		eta[i] = math.Log(mu[i])
	}
	devOld := deviance(d.y, mu)

	info := mat.NewSymDense(p, nil)
	score := mat.NewVecDense(p, nil)
	beta := mat.NewVecDense(p, nil)
	var chol mat.Cholesky
	converged := false
	iter := 0
	for iter < irlsMaxIter && !converged {
		iter++
		weighted(d, mu, eta, info, score)
		if !chol.Factorize(info) {
			return nil, fmt.Errorf("fit: %w: the weighted model matrix is singular", ErrNotEstimable)
		}
		if err := chol.SolveVecTo(beta, score); err != nil {
			return nil, fmt.Errorf("fit: %w: %v", ErrNotEstimable, err)
		}
		b := beta.RawVector().Data
		for i := range d.cells {
			var s float64
			for _, k := range d.covers(i) {
				s += b[k]
			}
			eta[i] = s
			mu[i] = math.Exp(s)
		}
		dev := deviance(d.y, mu)
		if math.IsNaN(dev) || math.IsInf(dev, 0) {
			return nil, fmt.Errorf("fit: deviance is not finite after %d iterations", iter)
		}
		converged = math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < irlsEpsilon
		devOld = dev
	}
	if !converged {
		return nil, fmt.Errorf("fit: %w: no convergence in %d iterations", ErrNotEstimable, irlsMaxIter)
	}

	// The intercept's variance from the information at the estimate itself;
	// R takes it from the last iteration's weights, which differ by less than
	// the convergence tolerance.
	weighted(d, mu, eta, info, score)
	if !chol.Factorize(info) {
		return nil, fmt.Errorf("fit: %w: the information matrix is singular", ErrNotEstimable)
	}
	e0 := mat.NewVecDense(p, nil)
	e0.SetVec(0, 1)
	col := mat.NewVecDense(p, nil)
	if err := chol.SolveVecTo(col, e0); err != nil {
		return nil, fmt.Errorf("fit: %w: %v", ErrNotEstimable, err)
	}
	return &fit{
		d:        d,
		beta:     append([]float64(nil), beta.RawVector().Data...),
		mu:       mu,
		varBeta0: col.AtVec(0),
		deviance: devOld,
		iter:     iter,
	}, nil
}

// weighted fills info with XᵀWX and score with XᵀWz for weights μ and the
// working response z = η + (y−μ)/μ. Because x is 0 or 1, each cell adds its
// weight to the entries of the terms it covers, and only to those.
func weighted(d *design, mu, eta []float64, info *mat.SymDense, score *mat.VecDense) {
	raw := info.RawSymmetric()
	for i := range raw.Data {
		raw.Data[i] = 0
	}
	sc := score.RawVector().Data
	for i := range sc {
		sc[i] = 0
	}
	for i := range d.cells {
		w := mu[i]
		wz := w*eta[i] + d.y[i] - w
		cov := d.covers(i)
		for a, ka := range cov {
			sc[ka] += wz
			row := raw.Data[int(ka)*raw.Stride:]
			for _, kb := range cov[a:] {
				row[kb] += w // ka ≤ kb: the upper triangle, which SymDense reads
			}
		}
	}
}

// deviance is the Poisson deviance 2Σ[y log(y/μ) − (y−μ)].
func deviance(y, mu []float64) float64 {
	var s float64
	for i, yi := range y {
		if yi > 0 {
			s += yi * math.Log(yi/mu[i])
		}
		s -= yi - mu[i]
	}
	return 2 * s
}

// logLikelihood is the Poisson log-likelihood of the fitted counts, with the
// log(y!) terms R includes, so that AIC matches R's.
func logLikelihood(y, mu []float64) float64 {
	var s float64
	for i, yi := range y {
		lg, _ := math.Lgamma(yi + 1)
		if yi > 0 {
			s += yi * math.Log(mu[i])
		}
		s -= mu[i] + lg
	}
	return s
}
