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
func linkTables(ctx context.Context, plans []*tablePlan, results []*Result) error {
	linked := make([][][]string, len(plans))
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

// sharedKey names a cell by what it counts: the categories of the
// dimensions it does not total over, with the table's basis and period. A
// dimension with one category counts the same as its total. With FormsEach
// a table by form group counts victim-groups, not victims, so its cells
// are its own.
func sharedKey(p *tablePlan, r *Result, labels []string) string {
	var parts []string
	for j, l := range labels {
		if l != Total && len(p.tdims[j].Categories) > 1 {
			parts = append(parts, r.Dimensions[j]+"="+l)
		}
	}
	slices.Sort(parts)
	each := ""
	if r.Forms == FormsEach && slices.Contains(r.Dimensions, DimFormGroup) {
		each = FormsEach
	}
	return strings.Join([]string{r.Basis, r.From, r.To, each, strings.Join(parts, "&")}, "|")
}
