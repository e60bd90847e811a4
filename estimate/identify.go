package estimate

import "fmt"

// interiorTol is the margin below which the linear program's optimum counts
// as zero. The optimum is a ratio of integer determinants, so when it is not
// zero it is far above rounding error.
const interiorTol = 1e-9

// checkModel reports, as SparseMSE's checkident does, whether the model's
// maximum likelihood estimate is identifiable and exists; nil means both.
// Failures wrap errNotIdentifiable or errNoEstimate, and so ErrNotEstimable.
//
// Exists: by Fienberg and Rinaldo (2012), the estimate is finite exactly when
// the sufficient statistics t = Xᵀy are matched by some strictly positive
// vector of cell counts x, Xᵀx = t with every x > 0 (X is the model matrix,
// its rows the capture histories kept, y their counts). SparseMSE asks lpSolve
// for the largest s with x ≥ s and says the estimate does not exist when that
// largest s is 0. The same linear program is solved here in standard form,
// substituting x = w + s·1:
//
//	maximise s  subject to  Xᵀw + s·Xᵀ1 = t,  w ≥ 0,  s ≥ 0.
//
// Identifiable: X has full column rank. SparseMSE computes the rank from a QR
// decomposition; here it falls out of the linear program's first phase, as
// the number of its constraints Xᵀ(…) = t that are not redundant.
func checkModel(d *design) error {
	n, p := len(d.cells), len(d.terms)
	if n < p {
		return fmt.Errorf("%w: %d parameters for %d capture histories", errNotIdentifiable, p, n)
	}
	cols := n + 1
	a := make([]float64, p*cols)
	t := make([]float64, p)
	for i := range d.cells {
		for _, k := range d.covers(i) {
			a[int(k)*cols+i] = 1
			a[int(k)*cols+n]++
			t[k] += d.y[i]
		}
	}
	c := make([]float64, cols)
	c[n] = -1
	opt, rank, err := minimize(a, p, cols, t, c)
	if err != nil {
		return fmt.Errorf("check model: %w", err)
	}
	if rank < p {
		return fmt.Errorf("%w: the model has %d parameters but the data determine only %d", errNotIdentifiable, p, rank)
	}
	if -opt <= interiorTol {
		return fmt.Errorf("%w: the data force some expected counts to zero", errNoEstimate)
	}
	return nil
}
