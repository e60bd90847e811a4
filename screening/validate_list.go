package screening

import (
	"fmt"
	"slices"
	"strings"
)

// listRefs is what a list file may refer to in the rest of the catalogue.
type listRefs struct {
	index     []string        // list ids of catalogue.yaml
	forms     map[string]bool // form ids
	sources   map[string]bool // source ids
	checklist map[string]bool // forced-labour ids; nil when the checklist did not load
}

// checkLists checks every list file on its own and returns the indicators
// they define, by id. Indicator ids share one namespace with the forced-labour
// checklist because answers carry both.
func (l *loader) checkLists(refs listRefs, checklist []checklistIndicatorFile) map[string]*Indicator {
	indicators := map[string]*Indicator{}
	definedIn := map[string]string{}
	for _, ind := range checklist {
		definedIn[ind.ID] = "forced-labour.yaml"
	}
	for _, listID := range refs.index {
		lf, ok := l.listFiles[listID]
		if !ok {
			continue
		}
		l.checkListHeader(listID, lf, refs)
		for _, ind := range l.checkListIndicators(listID, lf, refs, definedIn) {
			indicators[ind.ID] = ind
			l.own[listID] = append(l.own[listID], ind)
		}
	}
	return indicators
}

// checkListHeader checks what a list says about itself.
func (l *loader) checkListHeader(listID string, lf *listFile, refs listRefs) {
	file := listPath(listID)
	if lf.ID != listID {
		l.problemf(file, "id %q does not match the file name", lf.ID)
	}
	if strings.TrimSpace(lf.Title) == "" {
		l.problemf(file, "title is missing")
	}
	if !AgeGroup(lf.AgeGroup).Valid() {
		l.problemf(file, "age_group %q is not %q or %q", lf.AgeGroup, ForAdults, ForChildren)
	}
	if len(lf.Forms) == 0 {
		l.problemf(file, "forms is empty: say which forms of exploitation the list covers")
	}
	for _, f := range lf.Forms {
		if !refs.forms[f] {
			l.problemf(file, "form %q is not in the forms of catalogue.yaml", f)
		}
	}
	if !refs.sources[lf.Source] {
		l.problemf(file, "source %q is not in the sources of catalogue.yaml", lf.Source)
	}
	if lf.Extends == "" && (len(lf.Inherit) > 0 || len(lf.Omit) > 0) {
		l.problemf(file, "inherit and omit need extends")
	}
	if lf.Extends != "" && !slices.Contains(refs.index, lf.Extends) {
		l.problemf(file, "extends %q, which is not a list of catalogue.yaml", lf.Extends)
	}
	for _, d := range lf.Inherit {
		if !Dimension(d).Valid() {
			l.problemf(file, "inherit: unknown dimension %q", d)
		}
	}
}

// checkListIndicators checks the indicators a list defines and returns them
// in canonical dimension order, file order within a dimension: the order a
// reviewer reads and the order results show. definedIn records, across all
// files, where each id was first defined.
func (l *loader) checkListIndicators(listID string, lf *listFile, refs listRefs, definedIn map[string]string) []*Indicator {
	file := listPath(listID)
	var unknown []string
	for dim := range lf.Indicators {
		if !Dimension(dim).Valid() {
			unknown = append(unknown, dim)
		}
	}
	slices.Sort(unknown)
	for _, dim := range unknown {
		l.problemf(file, "indicators: unknown dimension %q", dim)
	}

	var out []*Indicator
	for _, d := range Dimensions() {
		for i, f := range lf.Indicators[string(d)] {
			where := fmt.Sprintf("indicators.%s[%d]", d, i)
			if prev, dup := definedIn[f.ID]; dup {
				l.problemf(file, "%s: id %q is already used in %s", where, f.ID, prev)
			} else {
				l.checkID(file, where, f.ID, map[string]bool{})
				definedIn[f.ID] = file
			}
			if !Grade(f.Grade).Valid() {
				l.problemf(file, "indicator %q: grade %q is not strong, medium or weak", f.ID, f.Grade)
			}
			l.checkTexts(file, f.ID, f.Label, f.Question, f.Explanation)
			for _, fl := range f.ForcedLabour {
				if refs.checklist != nil && !refs.checklist[fl] {
					l.problemf(file, "indicator %q: forced_labour %q is not in forced-labour.yaml", f.ID, fl)
				}
			}
			out = append(out, &Indicator{
				ID:           f.ID,
				List:         listID,
				Dimension:    d,
				Grade:        Grade(f.Grade),
				Source:       lf.Source,
				Label:        f.Label,
				Question:     f.Question,
				Explanation:  f.Explanation,
				ForcedLabour: f.ForcedLabour,
			})
		}
	}
	return out
}

// checkCoverage checks what only the resolved lists show: every list can
// satisfy the rule in each of the six dimensions, ListFor is never ambiguous,
// and every form of exploitation has a list.
func (l *loader) checkCoverage(resolved map[string][]*Indicator, index []string, forms []textEntryFile) {
	type key struct{ form, age string }
	owner := map[key]string{}
	covered := map[string]bool{}
	// Only lists that resolved are checked: the others already have a problem.
	for _, id := range index {
		inds, ok := resolved[id]
		if !ok {
			continue
		}
		file := listPath(id)
		for _, d := range Dimensions() {
			if !slices.ContainsFunc(inds, func(ind *Indicator) bool { return ind.Dimension == d }) {
				l.problemf(file, "dimension %q has no indicator: every list needs all six", d)
			}
		}
		lf := l.listFiles[id]
		for _, f := range lf.Forms {
			covered[f] = true
			k := key{f, lf.AgeGroup}
			if other, dup := owner[k]; dup {
				l.problemf(file, "form %q for age group %q is already covered by list %q", f, lf.AgeGroup, other)
			}
			owner[k] = id
		}
	}
	for _, f := range forms {
		if !covered[f.ID] {
			l.problemf("catalogue.yaml", "form %q has no list", f.ID)
		}
	}
}
