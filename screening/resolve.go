package screening

import (
	"slices"
	"strings"
)

// resolve returns the indicators of every list that resolves, following
// extends: a variant takes its base's indicators of the inherited dimensions,
// drops the omitted ones and adds its own. Variants keep the ILO/EC grades of
// what they inherit, which is why a variant cannot change its base's age group.
func (l *loader) resolve(index []string) map[string][]*Indicator {
	const (
		visiting = 1
		done     = 2
	)
	resolved := map[string][]*Indicator{}
	state := map[string]int{}

	var visit func(id string, chain []string) ([]*Indicator, bool)
	visit = func(id string, chain []string) ([]*Indicator, bool) {
		switch state[id] {
		case done:
			inds, ok := resolved[id]
			return inds, ok
		case visiting:
			l.problemf(listPath(id), "extends forms a cycle: %s", strings.Join(append(chain, id), " → "))
			return nil, false
		}
		lf, ok := l.listFiles[id]
		if !ok {
			state[id] = done
			return nil, false
		}
		state[id] = visiting
		defer func() { state[id] = done }()

		if lf.Extends == "" {
			resolved[id] = byDimension(l.own[id])
			return resolved[id], true
		}
		base, ok := visit(lf.Extends, append(chain, id))
		if !ok {
			return nil, false
		}
		file := listPath(id)
		if baseFile := l.listFiles[lf.Extends]; baseFile.AgeGroup != lf.AgeGroup {
			l.problemf(file, "age_group %q differs from %q of the list it extends, %q: the grades of a list are written for one age group",
				lf.AgeGroup, baseFile.AgeGroup, lf.Extends)
		}
		inherited := inheritedDimensions(lf.Inherit)
		var kept []*Indicator
		for _, ind := range base {
			if inherited[ind.Dimension] && !slices.Contains(lf.Omit, ind.ID) {
				kept = append(kept, ind)
			}
		}
		for _, omit := range lf.Omit {
			if !slices.ContainsFunc(base, func(ind *Indicator) bool { return ind.ID == omit && inherited[ind.Dimension] }) {
				l.problemf(file, "omit: %q is not among the indicators inherited from %q", omit, lf.Extends)
			}
		}
		resolved[id] = byDimension(append(kept, l.own[id]...))
		return resolved[id], true
	}

	for _, id := range index {
		visit(id, nil)
	}
	return resolved
}

// inheritedDimensions returns the dimensions a variant inherits: all six
// unless it names some.
func inheritedDimensions(names []string) map[Dimension]bool {
	out := map[Dimension]bool{}
	for _, d := range Dimensions() {
		out[d] = len(names) == 0 || slices.Contains(names, string(d))
	}
	return out
}

// byDimension orders indicators by dimension, keeping their order within one.
func byDimension(inds []*Indicator) []*Indicator {
	order := map[Dimension]int{}
	for i, d := range Dimensions() {
		order[d] = i
	}
	out := slices.Clone(inds)
	slices.SortStableFunc(out, func(a, b *Indicator) int { return order[a.Dimension] - order[b.Dimension] })
	return out
}
