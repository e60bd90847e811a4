package stats

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
)

// gatherRare counts together, under Other, the codes of the table's open
// dimensions (nationality, ethnicity, location) held by fewer than k
// victims in the period. A row labelled with a code tells that someone
// with it was detected; with at least k behind every label, a label tells
// no more than a published count would. Unknown is kept: it names no one.
func (p *tablePlan) gatherRare() {
	rare := false
	for _, d := range p.dims {
		rare = rare || d.rare
	}
	if !rare {
		return
	}
	totals := make([]map[string]int64, len(p.dims))
	for i := range totals {
		totals[i] = map[string]int64{}
	}
	for key, n := range p.counts {
		for i, l := range strings.Split(key, "\x00") {
			totals[i][l] += n
		}
	}
	gathered := false
	recode := make([]map[string]string, len(p.dims))
	for i, d := range p.dims {
		if !d.rare {
			continue
		}
		recode[i] = map[string]string{}
		for l, n := range totals[i] {
			if l != Unknown && n < int64(p.q.K) {
				recode[i][l] = Other
				delete(p.observed[i], l)
				p.observed[i][Other] = true
				gathered = true
			}
		}
	}
	if !gathered {
		return
	}
	counts := map[string]int64{}
	for key, n := range p.counts {
		labels := strings.Split(key, "\x00")
		for i, l := range labels {
			if to, ok := recode[i][l]; ok {
				labels[i] = to
			}
		}
		counts[strings.Join(labels, "\x00")] += n
	}
	p.counts = counts
	p.rareNote = true
}

const rareNote = "Codes held by fewer than k victims in the period are counted together under \"other\", so that no row tells that a rare group was detected."

const noiseNote = "The counts carry random noise (differential privacy, discrete Laplace) and are then made consistent; totals are the sums of the published cells."

// privatize charges the table's ε to its dataset's budget and adds noise.
// A person counts in one inner cell, or in one per form group with
// FormsEach and form_group among the dimensions: that is the sensitivity.
func (p *tablePlan) privatize(ctx context.Context, tab *disclosure.Table) (*disclosure.Table, error) {
	sensitivity := 1
	if p.q.Forms == FormsEach && slices.Contains(p.q.By, DimFormGroup) {
		sensitivity = len(dimensions[DimFormGroup].fixed(p.cfg, FormsEach)) - 1 // "none" is exclusive
	}
	src := disclosure.CryptoSource()
	if p.e.Randomness != nil {
		src = p.e.Randomness()
	}
	release := fmt.Sprintf("%s, %s to %s, by %s", p.q.Title, p.q.From, p.q.To, strings.Join(p.q.By, ", "))
	out, err := disclosure.Privatize(ctx, p.e.Ledger, p.q.Noise.Dataset, release, tab,
		disclosure.NoiseOptions{Epsilon: p.q.Noise.Epsilon, Sensitivity: sensitivity}, src)
	switch {
	case errors.Is(err, disclosure.ErrUnknownDataset):
		return nil, haven.Errorf(haven.EINVALID, "No privacy budget is open for the dataset %q.", p.q.Noise.Dataset)
	case errors.Is(err, disclosure.ErrBudgetExceeded):
		return nil, haven.Errorf(haven.ECONFLICT, "The privacy budget of the dataset %q cannot pay for ε = %s.", p.q.Noise.Dataset, p.q.Noise.Epsilon)
	case err != nil:
		return nil, fmt.Errorf("statistics: %w", err)
	}
	return out, nil
}
