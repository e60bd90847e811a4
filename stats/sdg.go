package stats

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/haven-nrm/haven"
)

// SDGQuery asks for the SDG 16.2.2 publication of a period.
type SDGQuery struct {
	Basis      string
	From, To   haven.Date
	K          int
	Population *Population
	// Noise makes every table differentially private, each charged its
	// ε: the publication costs ε times the number of tables. Tables whose
	// categories come from the data (nationality, ethnicity, location)
	// are left out of a noisy publication.
	Noise *Noise
}

// Publication is a set of protected tables released together.
type Publication struct {
	Tables []*Result `json:"tables"`
}

// SDGCoreTitle is the title of the SDG 16.2.2 table within a publication.
const SDGCoreTitle = "SDG 16.2.2: detected victims by year, sex, age and form of exploitation"

// SDG computes the SDG 16.2.2 publication: the core table (year × sex ×
// age group × form group, each victim counted once, rates per 100,000
// population), the finer age bands by sex, and each other §110 dimension by
// UNODC category. Every table is protected on its own.
//
// Rate = victims / population × 100,000, where the population is that of
// the decision's year for the same sex and age group. A rate is given only
// for a published count of one calendar year whose sex and age group the
// population file covers (female, male or both; child, adult or both).
func (e *Engine) SDG(ctx context.Context, q SDGQuery) (*Publication, error) {
	if q.Population == nil {
		return nil, errors.New("statistics: SDG 16.2.2 needs a population table (--population)")
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		if err := q.Population.CheckYears(q.From.Year(), q.To.Year()); err != nil {
			return nil, err
		}
	}
	base := Query{Basis: q.Basis, From: q.From, To: q.To, K: q.K, Forms: FormsOnce, Noise: q.Noise}
	queries := []Query{}
	core := base
	core.By = []string{DimYear, DimSex, DimAgeGroup, DimFormGroup}
	core.Title = SDGCoreTitle
	queries = append(queries, core)
	bands := base
	bands.By = []string{DimSex, DimAgeBand}
	bands.Title = "Detected victims by sex and age band"
	queries = append(queries, bands)
	for _, d := range Section110() {
		if q.Noise != nil && dimensions[d].rare {
			continue
		}
		t := base
		t.By = []string{d, DimUNODC}
		t.Title = "Detected victims by " + d + " and UNODC category"
		queries = append(queries, t)
	}
	tables, err := e.Tables(ctx, queries)
	if err != nil {
		return nil, err
	}
	pub := &Publication{Tables: tables}
	addRates(pub.Tables[0], q.Population)
	return pub, nil
}

// addRates sets the rate of each published cell of the core table.
func addRates(r *Result, pop *Population) {
	iy, is, ia := slices.Index(r.Dimensions, DimYear), slices.Index(r.Dimensions, DimSex), slices.Index(r.Dimensions, DimAgeGroup)
	for i := range r.Cells {
		c := &r.Cells[i]
		if c.Suppressed {
			continue
		}
		year, err := strconv.Atoi(c.Labels[iy])
		if err != nil {
			continue // the period total spans years
		}
		n, ok := pop.Of(year, c.Labels[is], c.Labels[ia])
		if !ok || n == 0 {
			continue
		}
		rate := Rate(c.Count, n)
		c.Rate = &rate
	}
}

// Rate is victims per 100,000 population.
func Rate(victims, population int64) float64 {
	return float64(victims) * 100_000 / float64(population)
}
