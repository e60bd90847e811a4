package stats

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven/disclosure"
)

// Tables released together are tied by sums as well as by shared cells:
// the SDG table's female children are the age-band table's women in the
// bands under 18 added up, and the girls of every table by UNODC category.
// linkTables makes equal cells agree; jointAudit checks what sums allow.
// Every cell that constrains only year, sex, age (band or group), UNODC
// category and form group (counted once) is a sum of the finer table
// year × sex × age band × form group, which no table publishes. An
// attacker holding every table knows each published such cell's sum; the
// audit computes, by linear programming over the finer table, how far each
// hidden such cell can still move, and fails if any could move less than
// k (disclosure.JointBounds).

// fineTable indexes the finer table's cells.
type fineTable struct {
	cfg                        *Config
	years, sexes, bands, forms []string
}

func newFineTable(cfg *Config, q Query, results []*Result) *fineTable {
	f := &fineTable{cfg: cfg,
		sexes: slices.Clone(dimensions[DimSex].fixed(cfg, "")),
		bands: dimensions[DimAgeBand].fixed(cfg, ""),
		forms: slices.Clone(dimensions[DimFormGroup].fixed(cfg, FormsOnce)),
	}
	for y := q.From.Year(); y <= q.To.Year(); y++ {
		f.years = append(f.years, strconv.Itoa(y))
	}
	// A code the vocabulary no longer lists is a category of its own.
	for _, r := range results {
		for j, d := range r.Dimensions {
			for _, c := range r.Cells {
				l := c.Labels[j]
				switch {
				case l == Total:
				case d == DimSex && !slices.Contains(f.sexes, l):
					f.sexes = append(f.sexes, l)
				case d == DimFormGroup && !slices.Contains(f.forms, l):
					f.forms = append(f.forms, l)
				}
			}
		}
	}
	return f
}

func (f *fineTable) size() int { return len(f.years) * len(f.sexes) * len(f.bands) * len(f.forms) }

// vars returns the finer cells a cell of r sums, or false when the cell
// constrains a dimension the finer table does not have.
func (f *fineTable) vars(r *Result, labels []string) ([]int, bool) {
	if r.Forms == FormsEach && slices.Contains(r.Dimensions, DimFormGroup) {
		return nil, false // victim-groups, not victims
	}
	for j, l := range labels {
		if l == Total {
			continue
		}
		switch r.Dimensions[j] {
		case DimYear, DimSex, DimAgeBand, DimAgeGroup, DimUNODC, DimFormGroup:
		default:
			return nil, false
		}
	}
	var out []int
	idx := 0
	for _, y := range f.years {
		for _, s := range f.sexes {
			for _, b := range f.bands {
				for _, fm := range f.forms {
					if f.matches(r, labels, y, s, b, fm) {
						out = append(out, idx)
					}
					idx++
				}
			}
		}
	}
	return out, true
}

func (f *fineTable) matches(r *Result, labels []string, y, s, b, fm string) bool {
	if !f.admits(r, labels, s, b) {
		return false
	}
	for j, l := range labels {
		switch {
		case l == Total:
		case r.Dimensions[j] == DimYear && l != y, r.Dimensions[j] == DimFormGroup && l != fm:
			return false
		}
	}
	return true
}

// admits tells whether a cell's sex and age constraints (sex, age band, age
// group, UNODC category) admit a victim of sex s in age band b.
func (f *fineTable) admits(r *Result, labels []string, s, b string) bool {
	child, known := f.child(b)
	for j, l := range labels {
		if l == Total {
			continue
		}
		var ok bool
		switch r.Dimensions[j] {
		case DimSex:
			ok = l == s
		case DimAgeBand:
			ok = l == b
		case DimAgeGroup:
			ok = l == ageGroupOf(child, known)
		case DimUNODC:
			ok = l == unodcOf(s, child, known)
		default:
			ok = true
		}
		if !ok {
			return false
		}
	}
	return true
}

// child tells whether a band is under 18, and whether the age is known.
func (f *fineTable) child(band string) (child, known bool) {
	for _, b := range f.cfg.AgeBands {
		if b.Code == band {
			return b.Child(), true
		}
	}
	return false, false
}

// ageGroupOf and unodcOf are the SDG age group and the UNODC category of a
// victim, for the dimensions and for the finer table alike, so that both
// place her in the same cells.
func ageGroupOf(child, known bool) string {
	switch {
	case !known:
		return Unknown
	case child:
		return "child"
	}
	return "adult"
}

func unodcOf(sex string, child, known bool) string {
	switch {
	case !known || (sex != "female" && sex != "male"):
		return "other_or_unknown"
	case child && sex == "female":
		return "girls"
	case child:
		return "boys"
	case sex == "female":
		return "women"
	}
	return "men"
}

// jointCell is a cell of the publication that is a sum of the finer table.
type jointCell struct {
	table  int
	labels []string
	vars   []int
	count  int64
}

// jointAudit attacks the publication by linear programming over the finer
// table. It returns a hidden cell that could be narrowed below k (ok is
// false), and the published cells of the sums. Withheld and noisy tables
// take no part.
func jointAudit(ctx context.Context, plans []*tablePlan, results []*Result) (ok bool, narrow []int, published []jointCell, err error) {
	f := plans[0].fine
	if f == nil || f.size() > 20_000 {
		return false, nil, nil, fmt.Errorf("statistics: the period has too many years to audit the tables together: %w", disclosure.ErrInvalid)
	}
	var cells []disclosure.LinearCell
	var hidden [][]int
	var need []int64
	seen := map[string]bool{}
	for i, r := range results {
		if r.Withheld || r.Noise != nil || plans[i].tab == nil {
			continue
		}
		for _, c := range r.Cells {
			vars, ok := f.vars(r, c.Labels)
			if !ok {
				continue
			}
			if !c.Suppressed {
				published = append(published, jointCell{table: i, labels: c.Labels, vars: vars, count: c.Count})
			}
			key := fmt.Sprint(c.Suppressed, vars)
			if seen[key] {
				continue
			}
			seen[key] = true
			if c.Suppressed {
				hidden = append(hidden, vars)
				need = append(need, int64(r.K))
			} else {
				cells = append(cells, disclosure.LinearCell{Vars: vars, Value: c.Count})
			}
		}
	}
	if len(hidden) == 0 {
		return true, nil, published, nil
	}
	bounds, err := disclosure.JointBounds(ctx, f.size(), cells, hidden)
	if err != nil {
		return false, nil, nil, fmt.Errorf("statistics: %w", err)
	}
	for i, b := range bounds {
		if b.Width() < need[i] {
			return false, hidden[i], published, nil
		}
	}
	return true, nil, published, nil
}

// jointNote explains a table withheld by the joint audit.
const jointNote = "This table is withheld: together with the other tables of this publication, its numbers would let a suppressed cell be worked out (GR 38 §111)."

// maxJointRounds bounds the cells auditTogether links before it withholds.
const maxJointRounds = 60

// auditTogether protects the publication against sums across its tables.
// While some hidden cell can be narrowed below k, it suppresses the
// smallest published cell whose sum overlaps it (linked, and protected
// like a primary cell in its table), keeps the tables consistent, and
// audits again. If that does not settle within maxJointRounds, it
// withholds tables, last first, until it does. The first table (the SDG
// table in the SDG publication) is kept: alone, its own protection holds.
func auditTogether(ctx context.Context, plans []*tablePlan, results []*Result, linked [][][]string) error {
	for round := 0; ; round++ {
		ok, narrow, published, err := jointAudit(ctx, plans, results)
		if err != nil || ok {
			return err
		}
		if round < maxJointRounds {
			if c, found := cheapestOverlap(narrow, published, linked); found {
				linked[c.table] = append(linked[c.table], c.labels)
				if results[c.table], err = plans[c.table].protect(ctx, linked[c.table]); err != nil {
					return err
				}
				if err := linkTables(ctx, plans, results, linked); err != nil {
					return err
				}
				continue
			}
		}
		if err := withholdOne(ctx, plans, results); err != nil {
			return err
		}
	}
}

// cheapestOverlap returns the published cell with the smallest count (the
// least information lost) whose sum shares a finer cell with narrow and
// which is not the whole of it.
func cheapestOverlap(narrow []int, published []jointCell, linked [][][]string) (jointCell, bool) {
	in := map[int]bool{}
	for _, v := range narrow {
		in[v] = true
	}
	var best jointCell
	found := false
	for _, c := range published {
		if c.count == 0 || slices.ContainsFunc(linked[c.table], func(l []string) bool { return slices.Equal(l, c.labels) }) {
			continue
		}
		overlaps := false
		for _, v := range c.vars {
			if in[v] {
				overlaps = true
				break
			}
		}
		if overlaps && (!found || c.count < best.count) {
			best, found = c, true
		}
	}
	return best, found
}

// withholdOne withholds the last table whose withholding alone settles the
// audit, or else the last table still published.
func withholdOne(ctx context.Context, plans []*tablePlan, results []*Result) error {
	victim := -1
	for i := len(results) - 1; i > 0; i-- {
		if results[i].Withheld || results[i].Noise != nil {
			continue
		}
		if victim < 0 {
			victim = i
		}
		saved := results[i]
		results[i] = withheld(saved, plans[i].tdims, jointNote)
		settled, _, _, err := jointAudit(ctx, plans, results)
		results[i] = saved
		if err != nil {
			return err
		}
		if settled {
			victim = i
			break
		}
	}
	if victim < 0 {
		return fmt.Errorf("statistics: the tables cannot be protected together: %w", disclosure.ErrInternal)
	}
	results[victim] = withheld(results[victim], plans[victim].tdims, jointNote)
	return nil
}

// withheld returns r with every cell suppressed and note as its note.
func withheld(r *Result, dims []disclosure.Dimension, note string) *Result {
	out := *r
	out.Withheld, out.Note, out.Cells = true, strings.TrimSpace(note), withheldCells(dims)
	return &out
}
