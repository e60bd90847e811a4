package estimate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Method chooses the log-linear model.
type Method string

const (
	// Main fits main effects only: every list catches people independently
	// of the others. SparseMSE's method = "main".
	Main Method = "main"
	// Stepwise adds pairwise interactions one at a time while the data show
	// two lists sharing clearly more, or fewer, people than the model
	// expects. SparseMSE's method = "stepwise", its default and Haven's.
	Stepwise Method = "stepwise"
)

// Defaults, SparseMSE's.
const (
	DefaultPThreshold = 0.02
	DefaultLevel      = 0.95
)

// Options configure an estimate. The zero value is SparseMSE's default:
// stepwise with threshold 0.02 and a 95% interval.
type Options struct {
	Method Method // "" means Stepwise
	// PThreshold is the p-value an interaction must be below for the
	// stepwise search to add it; 0 means DefaultPThreshold. It must be
	// below 1. (SparseMSE's pthresh = 0, main effects only, is Method Main.)
	PThreshold float64
	// Level is the coverage of the interval, 0 meaning DefaultLevel.
	Level float64
}

func (o Options) resolve() (Options, error) {
	if o.Method == "" {
		o.Method = Stepwise
	}
	if o.Method != Main && o.Method != Stepwise {
		return o, fmt.Errorf("unknown method %q (want %q or %q)", o.Method, Main, Stepwise)
	}
	if o.PThreshold == 0 {
		o.PThreshold = DefaultPThreshold
	}
	if !(o.PThreshold > 0 && o.PThreshold < 1) {
		return o, fmt.Errorf("p-value threshold %v is not between 0 and 1", o.PThreshold)
	}
	if o.Level == 0 {
		o.Level = DefaultLevel
	}
	if !(o.Level > 0 && o.Level < 1) {
		return o, fmt.Errorf("interval level %v is not between 0 and 1", o.Level)
	}
	return o, nil
}

// Interaction is a pairwise interaction in the fitted model: the two lists
// catch the same people more (or less) often than independence would give.
type Interaction struct {
	Lists  [2]string `json:"lists"`
	Shared int       `json:"shared"` // people on both lists, whatever others they are on
	// PValue is the p-value for which the stepwise search added the
	// interaction (see Stepwise), at the step it was added.
	PValue float64 `json:"p_value"`
	// Empty marks a pair of lists that share nobody: the interaction is
	// minus infinity, so the histories on both lists are left out of the fit.
	Empty bool `json:"empty"`
}

// Result is an estimate of the total number of victims. Estimate, Lower and
// Upper are totals: the people observed on some list plus the dark figure.
type Result struct {
	Lists      []string `json:"lists"`
	Method     Method   `json:"method"`
	Observed   int      `json:"observed"`
	DarkFigure float64  `json:"dark_figure"` // the estimated number on no list, exp(intercept)
	Estimate   float64  `json:"estimate"`
	Lower      float64  `json:"lower"`
	Upper      float64  `json:"upper"`
	Level      float64  `json:"level"`
	// Model lists the terms, e.g. "main effects + I:K + O:P".
	Model string `json:"model"`
	// Interactions are the pairwise terms in the order they were added.
	Interactions []Interaction `json:"interactions"`
	// LogDarkSE is the standard error of the intercept, the log of the dark
	// figure; the interval is exp(intercept ± z·LogDarkSE) plus Observed.
	LogDarkSE float64 `json:"log_dark_se"`
	Deviance  float64 `json:"deviance"` // residual deviance of the fit
	DF        int     `json:"df"`       // its degrees of freedom
	// AIC is R's, plus 2 for each empty pair, as SparseMSE counts them.
	AIC float64 `json:"aic"`
}

// Estimate fits the model opt asks for and estimates the total population:
// the dark figure is exp(intercept), and the interval comes from a normal
// distribution for the intercept with its standard error, as in SparseMSE's
// estimatepopulation.0. Errors wrapping ErrNotEstimable mean the data cannot
// support the model; other errors mean bad options or a numerical failure.
func Estimate(t *Table, opt Options) (Result, error) {
	if t == nil || t.h.counts == nil {
		return Result{}, errors.New("estimate.Estimate: no table")
	}
	o, err := opt.resolve()
	if err != nil {
		return Result{}, fmt.Errorf("estimate.Estimate: %w", err)
	}
	f, steps, err := selectModel(&t.h, o)
	if err != nil {
		return Result{}, fmt.Errorf("estimate.Estimate: %w", err)
	}
	r, err := result(&t.h, o, f, steps)
	if err != nil {
		return Result{}, fmt.Errorf("estimate.Estimate: %w", err)
	}
	return r, nil
}

// selectModel fits main effects and, for Stepwise, runs the stepwise search
// from there.
func selectModel(h *histories, o Options) (*fit, []step, error) {
	for i, l := range h.lists {
		if n := h.onList(i); n == float64(h.observed) {
			return nil, nil, fmt.Errorf("%w: every observed person is on list %q, so nothing shows how many it missed", ErrNotEstimable, l)
		}
	}
	// SparseMSE checks main effects only for method "main"; its stepwise
	// search fits them unchecked and so can return a meaningless number.
	// Checking for both methods turns that case into an error.
	d := newDesign(h, nil)
	if err := checkModel(d); err != nil {
		return nil, nil, fmt.Errorf("main effects: %w", err)
	}
	f, err := fitPoisson(d)
	if err != nil {
		return nil, nil, fmt.Errorf("main effects: %w", err)
	}
	if o.Method == Main {
		return f, nil, nil
	}
	return stepwise(h, o.PThreshold, f)
}

func result(h *histories, o Options, f *fit, steps []step) (Result, error) {
	se := math.Sqrt(f.varBeta0)
	z := distuv.UnitNormal.Quantile(1 - (1-o.Level)/2)
	obs := float64(h.observed)
	r := Result{
		Lists:      slices.Clone(h.lists),
		Method:     o.Method,
		Observed:   h.observed,
		DarkFigure: math.Exp(f.beta[0]),
		Estimate:   obs + math.Exp(f.beta[0]),
		Lower:      obs + math.Exp(f.beta[0]-z*se),
		Upper:      obs + math.Exp(f.beta[0]+z*se),
		Level:      o.Level,
		LogDarkSE:  se,
		Deviance:   f.deviance,
		DF:         len(f.d.cells) - len(f.d.terms),
		AIC:        -2*logLikelihood(f.d.y, f.mu) + 2*float64(len(f.d.terms)+len(f.d.empty)),
		// An empty list, not null, so that JSON consumers need no special case.
		Interactions: []Interaction{},
	}
	for _, v := range []float64{r.Estimate, r.Lower, r.Upper, se} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{}, fmt.Errorf("%w: the interval is not finite (log standard error %g)", ErrNotEstimable, se)
		}
	}
	model := []string{"main effects"}
	for _, s := range steps {
		i, j := pairLists(s.pair)
		r.Interactions = append(r.Interactions, Interaction{
			Lists:  [2]string{h.lists[i], h.lists[j]},
			Shared: int(s.shared),
			PValue: s.p,
			Empty:  s.shared == 0,
		})
		model = append(model, h.names(s.pair))
	}
	r.Model = strings.Join(model, " + ")
	return r, nil
}
