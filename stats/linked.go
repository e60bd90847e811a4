package stats

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven/disclosure"
)

// maxLinkRounds bounds the rounds of linkTables. Each round only adds
// suppressions, so the rounds end; a publication of n tables settles in at
// most a few.
const maxLinkRounds = 20

// linkTables makes the tables released together agree on the cells they
// share. Tables of one publication count the same victims, so the cell
// "girls" of the table by disability and UNODC category is the cell
// "girls" of the table by nationality and UNODC category: if one table
// suppresses it, for a small count or to protect another cell, the other
// must not publish it, or the first table's protection could be undone by
// arithmetic. Whenever a shared cell is suppressed in one table and
// published in another, the other table is protected again with that cell
// linked (suppressed and protected like a primary cell), until every shared
// cell has one status everywhere.
//
// Cells are shared when they constrain the same dimensions to the same
// categories, with the same basis, period and form mode. Withheld tables
// publish nothing and force nothing. Noisy tables are left alone: each
// carries its own noise, so their cells are not the same numbers.
func linkTables(ctx context.Context, plans []*tablePlan, results []*Result, linked [][][]string) error {
	for range maxLinkRounds {
		suppressed := map[string]bool{}
		for i, r := range results {
			if r.Withheld || r.Noise != nil || plans[i].tab == nil {
				continue
			}
			for _, c := range r.Cells {
				if c.Suppressed {
					suppressed[sharedKey(plans[i], r, c.Labels)] = true
				}
			}
		}
		var redo []int
		for i, r := range results {
			if r.Withheld || r.Noise != nil || plans[i].tab == nil {
				continue
			}
			added := false
			for _, c := range r.Cells {
				if !c.Suppressed && c.Count > 0 && suppressed[sharedKey(plans[i], r, c.Labels)] {
					linked[i] = append(linked[i], c.Labels)
					added = true
				}
			}
			if added {
				redo = append(redo, i)
			}
		}
		if len(redo) == 0 {
			return nil
		}
		err := each(len(redo), func(n int) (err error) {
			i := redo[n]
			results[i], err = plans[i].protect(ctx, linked[i])
			return err
		})
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("statistics: linked tables did not settle: %w", disclosure.ErrInternal)
}

// sharedKey names a cell by what it counts, so that two cells with the
// same key hold the same number whatever their labels: the girls of a
// table by UNODC category are the female children of a table by sex and
// age group. The key lists, with the table's basis and period, the pairs
// of sex and age band the cell admits (every pair: "*"), its years, its
// form groups, and the category of every other dimension it constrains.
// With FormsEach a table by form group counts victim-groups, not victims,
// so its cells are its own.
func sharedKey(p *tablePlan, r *Result, labels []string) string {
	f := p.fine
	var parts []string
	var pairs []string
	allPairs := true
	for _, s := range f.sexes {
		for _, b := range f.bands {
			if f.admits(r, labels, s, b) {
				pairs = append(pairs, s+"/"+b)
			} else {
				allPairs = false
			}
		}
	}
	if !allPairs {
		parts = append(parts, "sex-age="+strings.Join(pairs, ","))
	}
	for j, l := range labels {
		switch d := r.Dimensions[j]; {
		case l == Total, d == DimSex, d == DimAgeBand, d == DimAgeGroup, d == DimUNODC:
		case len(p.tdims[j].Categories) == 1:
			// One category counts the same as its total.
		default:
			parts = append(parts, d+"="+l)
		}
	}
	slices.Sort(parts)
	each := ""
	if r.Forms == FormsEach && slices.Contains(r.Dimensions, DimFormGroup) {
		each = FormsEach
	}
	return strings.Join([]string{r.Basis, r.From, r.To, each, strings.Join(parts, "&")}, "|")
}
