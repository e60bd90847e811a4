package disclosure

import (
	"fmt"
	"slices"
)

// Total stands, in a cell's coordinates, for "all categories" of a dimension:
// (Total, 2) is the column total of category 2 of the second dimension, and
// all-Total coordinates are the grand total.
const Total = -1

// Dimension is one breakdown of a table, such as sex or form of exploitation,
// with its categories in display order.
type Dimension struct {
	Name       string
	Categories []string
}

// Table is an N-dimensional contingency table of non-negative counts of
// persons. Its inner cells are set by the caller; its margins (subtotals over
// any subset of dimensions, and the grand total) are derived, so they always
// add up.
type Table struct {
	dims   []Dimension
	lat    *lattice
	counts []int64 // inner cells, row-major
	labels []map[string]int
}

// NewTable returns an empty table with the given dimensions.
func NewTable(dims ...Dimension) (*Table, error) {
	t, err := newTable(dims)
	if err != nil {
		return nil, fmt.Errorf("disclosure: new table: %w", err)
	}
	return t, nil
}

func newTable(dims []Dimension) (*Table, error) {
	sizes := make([]int, len(dims))
	labels := make([]map[string]int, len(dims))
	names := make(map[string]bool, len(dims))
	for j, d := range dims {
		if d.Name == "" || names[d.Name] {
			return nil, fmt.Errorf("dimension %d needs a unique, non-empty name: %w", j, ErrInvalid)
		}
		names[d.Name] = true
		labels[j] = make(map[string]int, len(d.Categories))
		for c, label := range d.Categories {
			if _, dup := labels[j][label]; dup || label == "" {
				return nil, fmt.Errorf("dimension %q: category %d needs a unique, non-empty label: %w", d.Name, c, ErrInvalid)
			}
			labels[j][label] = c
		}
		sizes[j] = len(d.Categories)
	}
	lat, err := newLattice(sizes)
	if err != nil {
		return nil, err
	}
	copied := make([]Dimension, len(dims))
	for j, d := range dims {
		copied[j] = Dimension{Name: d.Name, Categories: slices.Clone(d.Categories)}
	}
	return &Table{dims: copied, lat: lat, counts: make([]int64, len(lat.innerExt)), labels: labels}, nil
}

// Dimensions returns a copy of the table's dimensions.
func (t *Table) Dimensions() []Dimension { return cloneDims(t.dims) }

func cloneDims(dims []Dimension) []Dimension {
	out := make([]Dimension, len(dims))
	for j, d := range dims {
		out[j] = Dimension{Name: d.Name, Categories: slices.Clone(d.Categories)}
	}
	return out
}

// Set sets the inner cell at the given category indices (one per dimension)
// to count.
func (t *Table) Set(count int64, at ...int) error {
	i, err := t.innerIndex(at)
	if err != nil {
		return fmt.Errorf("disclosure: set: %w", err)
	}
	if count < 0 {
		return fmt.Errorf("disclosure: set: negative count: %w", ErrInvalid)
	}
	t.counts[i] = count
	return nil
}

// Add adds n persons to the inner cell with the given category labels (one
// per dimension), the way the statistics engine tallies records.
func (t *Table) Add(n int64, labels ...string) error {
	if len(labels) != len(t.dims) {
		return fmt.Errorf("disclosure: add: %d labels for %d dimensions: %w", len(labels), len(t.dims), ErrInvalid)
	}
	at := make([]int, len(labels))
	for j, label := range labels {
		c, ok := t.labels[j][label]
		if !ok {
			return fmt.Errorf("disclosure: add: dimension %q has no category %q: %w", t.dims[j].Name, label, ErrInvalid)
		}
		at[j] = c
	}
	i, err := t.innerIndex(at)
	if err != nil {
		return fmt.Errorf("disclosure: add: %w", err)
	}
	if n < 0 || t.counts[i] > maxCount-n {
		return fmt.Errorf("disclosure: add: count out of range: %w", ErrInvalid)
	}
	t.counts[i] += n
	return nil
}

// maxCount keeps every margin, and sums of margins in the search, far from
// int64 overflow.
const maxCount = 1 << 40

// Count returns the count of a cell: an inner cell, or a margin when some
// coordinates are Total.
func (t *Table) Count(at ...int) (int64, error) {
	if _, err := t.lat.fromPublic(at); err != nil {
		return 0, fmt.Errorf("disclosure: count: %w", err)
	}
	// Sum the inner cells below: an odometer over the categories of the
	// dimensions at their total, the others fixed.
	coords := make([]int, len(at))
	var free []int
	for j, c := range at {
		if c == Total {
			free = append(free, j)
			c = 0
		}
		coords[j] = c
	}
	var sum int64
	for {
		i, _ := t.innerIndex(coords)
		sum += t.counts[i]
		j := len(free) - 1
		for ; j >= 0; j-- {
			d := free[j]
			if coords[d]++; coords[d] < t.lat.sizes[d] {
				break
			}
			coords[d] = 0
		}
		if j < 0 {
			return sum, nil
		}
	}
}

func (t *Table) innerIndex(at []int) (int, error) {
	if len(at) != len(t.dims) {
		return 0, fmt.Errorf("%d coordinates for %d dimensions: %w", len(at), len(t.dims), ErrInvalid)
	}
	i := 0
	for j, c := range at {
		if c < 0 || c >= t.lat.sizes[j] {
			return 0, fmt.Errorf("category %d out of range in dimension %q: %w", c, t.dims[j].Name, ErrInvalid)
		}
		i = i*t.lat.sizes[j] + c
	}
	return i, nil
}

// values returns every lattice cell's count, margins included, and checks
// that the counts stay in range.
func (t *Table) values() ([]int64, error) {
	var total int64
	for _, v := range t.counts {
		if v < 0 || v > maxCount-total {
			return nil, fmt.Errorf("count out of range: %w", ErrInvalid)
		}
		total += v
	}
	return t.lat.margins(t.counts), nil
}
