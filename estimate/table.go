package estimate

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// MaxLists is the most lists a table may have. A table of m lists has 2^m−1
// possible combinations and the stepwise search weighs m(m−1)/2 interactions;
// past a dozen lists the model is slow and, with the few thousand people a
// referral mechanism meets, far too sparse to say anything.
const MaxLists = 12

// Row is one combination of lists and the number of people seen on exactly
// that combination: on every list where On is true and on no other.
type Row struct {
	On    []bool
	Count int
}

// Table is a validated table of list overlaps. Build one with [ReadCSV],
// [NewTable] or [FromPersons]; its zero value is not usable.
type Table struct {
	countName string
	rows      []Row
	h         histories
}

// histories is the numeric core of a table: the number of people with each
// capture history, indexed by the history's bit mask (bit i set = on list i).
// The estimator works on it alone, so bootstrap replicates need no Table.
type histories struct {
	lists    []string
	counts   []float64 // len 1<<len(lists); counts[0], the dark figure, is 0
	observed int
}

// Lists returns the names of the lists, in column order.
func (t *Table) Lists() []string { return slices.Clone(t.h.lists) }

// Observed returns the number of people on at least one list.
func (t *Table) Observed() int { return t.h.observed }

// CountName returns the name of the count column ("count" unless the CSV
// named it otherwise).
func (t *Table) CountName() string { return t.countName }

// Rows returns the table's combinations, in the order they were given, with
// zero-count combinations left out.
func (t *Table) Rows() []Row {
	out := make([]Row, len(t.rows))
	for i, r := range t.rows {
		out[i] = Row{On: slices.Clone(r.On), Count: r.Count}
	}
	return out
}

// NewTable builds a table from Go values: the names of the lists and, for
// each combination seen, which lists it covers and how many people were seen
// on exactly it. Combinations nobody was seen on may be left out or given a
// zero count.
func NewTable(lists []string, rows []Row) (*Table, error) {
	const op = "NewTable"
	if err := checkLists(op, lists); err != nil {
		return nil, err
	}
	raw := make([]rawRow, 0, len(rows))
	for i, r := range rows {
		if len(r.On) != len(lists) {
			return nil, &InputError{Op: op, Row: i + 1, Reason: fmt.Sprintf("has %d list values, want %d, one per list", len(r.On), len(lists))}
		}
		if r.Count < 0 {
			return nil, &InputError{Op: op, Row: i + 1, Reason: fmt.Sprintf("count %d is negative", r.Count)}
		}
		var mask uint32
		for j, on := range r.On {
			if on {
				mask |= 1 << j
			}
		}
		raw = append(raw, rawRow{mask: mask, count: r.Count, row: i + 1})
	}
	return build(op, lists, "count", raw)
}

// FromPersons counts people by the combination of lists they are on. lists
// names the lists (for Haven, the organisations that identify victims) in
// column order; each element of persons holds the names of the lists one
// identified person is on (a name given twice counts once). A person on no
// list cannot have been identified, so that is an error, as is a name not in
// lists.
func FromPersons(lists []string, persons [][]string) (*Table, error) {
	const op = "FromPersons"
	if err := checkLists(op, lists); err != nil {
		return nil, err
	}
	index := make(map[string]int, len(lists))
	for i, l := range lists {
		index[l] = i
	}
	count := make(map[uint32]int)
	first := make(map[uint32]int) // where each combination first appears, to keep a stable order
	for p, on := range persons {
		var mask uint32
		for _, l := range on {
			i, ok := index[l]
			if !ok {
				return nil, &InputError{Op: op, Row: p + 1, Reason: fmt.Sprintf("list %q is not one of %s", l, strings.Join(lists, ", "))}
			}
			mask |= 1 << i
		}
		if mask == 0 {
			return nil, &InputError{Op: op, Row: p + 1, Reason: "the person is on no list; only people some list saw can be counted"}
		}
		if _, seen := first[mask]; !seen {
			first[mask] = p + 1
		}
		count[mask]++
	}
	raw := make([]rawRow, 0, len(count))
	for mask, n := range count {
		raw = append(raw, rawRow{mask: mask, count: n, row: first[mask]})
	}
	slices.SortFunc(raw, func(a, b rawRow) int { return a.row - b.row })
	return build(op, lists, "count", raw)
}

// rawRow is a parsed row awaiting the checks that involve the whole table;
// line or row says where it came from, for error messages.
type rawRow struct {
	mask  uint32
	count int
	line  int
	row   int
}

func checkLists(op string, lists []string) error {
	if len(lists) < 2 {
		return &InputError{Op: op, Reason: fmt.Sprintf("the table has %d list(s); estimation needs at least 2", len(lists))}
	}
	if len(lists) > MaxLists {
		return &InputError{Op: op, Reason: fmt.Sprintf("the table has %d lists; at most %d are supported", len(lists), MaxLists)}
	}
	seen := make(map[string]int, len(lists))
	for i, l := range lists {
		if strings.TrimSpace(l) == "" {
			return &InputError{Op: op, Reason: fmt.Sprintf("list %d has no name", i+1)}
		}
		if j, dup := seen[l]; dup {
			return &InputError{Op: op, Column: l, Reason: fmt.Sprintf("list name repeats list %d", j+1)}
		}
		seen[l] = i
	}
	return nil
}

// build runs the checks that need the whole table and assembles it.
func build(op string, lists []string, countName string, raw []rawRow) (*Table, error) {
	m := len(lists)
	t := &Table{
		countName: countName,
		h: histories{
			lists:  slices.Clone(lists),
			counts: make([]float64, 1<<m),
		},
	}
	where := make(map[uint32]rawRow, len(raw))
	for _, r := range raw {
		if r.mask == 0 {
			return nil, &InputError{Op: op, Line: r.line, Row: r.row, Reason: "the combination on no list is the unobserved dark figure and cannot have a count"}
		}
		if prev, dup := where[r.mask]; dup {
			return nil, &InputError{Op: op, Line: r.line, Row: r.row, Reason: fmt.Sprintf("combination %s repeats %s", combination(r.mask, m), position(prev))}
		}
		where[r.mask] = r
		if r.count == 0 {
			continue
		}
		on := make([]bool, m)
		for i := range on {
			on[i] = r.mask&(1<<i) != 0
		}
		t.rows = append(t.rows, Row{On: on, Count: r.count})
		t.h.counts[r.mask] = float64(r.count)
		t.h.observed += r.count
	}
	if t.h.observed == 0 {
		return nil, &InputError{Op: op, Reason: "the table is empty: nobody is counted on any list"}
	}
	for i, l := range lists {
		if t.h.onList(i) == 0 {
			return nil, &InputError{Op: op, Column: l, Reason: "nobody is on this list; a list without people says nothing about overlaps, so remove it"}
		}
	}
	return t, nil
}

// onList returns how many people are on list i, whatever other lists they
// are on.
func (h *histories) onList(i int) float64 {
	var n float64
	for mask, c := range h.counts {
		if mask&(1<<i) != 0 {
			n += c
		}
	}
	return n
}

// overlap returns how many people are on every list in the mask.
func (h *histories) overlap(lists uint32) float64 {
	var n float64
	for mask, c := range h.counts {
		if uint32(mask)&lists == lists {
			n += c
		}
	}
	return n
}

// withoutEmptyLists returns the histories with the lists nobody is on taken
// out. A bootstrap or jackknife sample can empty a small list; the model's
// estimate for such a list is minus infinity, and in that limit the other
// parameters are exactly those of the model without the list.
func (h *histories) withoutEmptyLists() histories {
	var keep []int
	for i := range h.lists {
		if h.onList(i) > 0 {
			keep = append(keep, i)
		}
	}
	if len(keep) == len(h.lists) {
		return *h
	}
	out := histories{counts: make([]float64, 1<<len(keep)), observed: h.observed}
	for _, i := range keep {
		out.lists = append(out.lists, h.lists[i])
	}
	for mask, c := range h.counts {
		if c == 0 {
			continue
		}
		var nm uint32
		for k, i := range keep {
			if mask&(1<<i) != 0 {
				nm |= 1 << k
			}
		}
		out.counts[nm] += c
	}
	return out
}

// combination renders a history as the CSV would write it, e.g. "1,0,1".
func combination(mask uint32, m int) string {
	parts := make([]string, m)
	for i := range parts {
		parts[i] = "0"
		if mask&(1<<i) != 0 {
			parts[i] = "1"
		}
	}
	return strings.Join(parts, ",")
}

func position(r rawRow) string {
	if r.line > 0 {
		return fmt.Sprintf("line %d", r.line)
	}
	return fmt.Sprintf("row %d", r.row)
}

// names names the lists in a mask, joined by ":" as R writes interactions.
func (h *histories) names(mask uint32) string {
	parts := make([]string, 0, bits.OnesCount32(mask))
	for i, l := range h.lists {
		if mask&(1<<i) != 0 {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, ":")
}
