package disclosure

import (
	"fmt"
	"strconv"
)

// Status says whether a cell of a release may be shown.
type Status uint8

const (
	// Published cells show their count (zeros included).
	Published Status = iota + 1
	// Suppressed cells are confidential and show no number at all.
	Suppressed
)

// ConfStatus returns the SDMX confidentiality status of the cell: "F" (free)
// or "C" (confidential). Primary and secondary suppressions are both "C" on
// purpose: SDMX's "D" for secondary confidentiality would tell a reader that
// every other "C" holds 1..k-1 persons.
func (s Status) ConfStatus() string {
	if s == Suppressed {
		return "C"
	}
	return "F"
}

func (s Status) String() string {
	switch s {
	case Published:
		return "published"
	case Suppressed:
		return "suppressed"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Reason says why a cell was suppressed. It is for the statistician only and
// must never be published: knowing that a cell is a primary suppression tells
// that it holds 1..k-1 persons.
type Reason uint8

const (
	// NotSuppressed is the reason of a published cell.
	NotSuppressed Reason = iota
	// Primary cells hold 1..k-1 persons.
	Primary
	// Secondary cells are suppressed so that primary cells cannot be
	// computed back from the margins.
	Secondary
	// Linked cells are suppressed because the same count is suppressed in
	// another table of the same publication (Options.Linked); they are
	// protected like primary cells, so that this table does not give away
	// what the other one hides.
	Linked
)

func (r Reason) String() string {
	switch r {
	case NotSuppressed:
		return "not suppressed"
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	case Linked:
		return "linked"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Cell is one cell of a release: an inner cell, or a margin when some of its
// coordinates are Total.
type Cell struct {
	// At holds a category index per dimension, or Total.
	At     []int
	status Status
	value  int64
}

// Status reports whether the cell may be shown.
func (c Cell) Status() Status { return c.status }

// Value returns the count of a published cell; ok is false for a suppressed
// cell, whose count the release does not hold.
func (c Cell) Value() (count int64, ok bool) {
	if c.status != Published {
		return 0, false
	}
	return c.value, true
}

// String returns the count, or "C" for a suppressed cell, so that a
// suppressed cell can never be printed as 0.
func (c Cell) String() string {
	if v, ok := c.Value(); ok {
		return strconv.FormatInt(v, 10)
	}
	return "C"
}

// Release is a protected table, ready to publish: every cell, margins
// included, is either published with its count or suppressed without one.
// A release holds no count of a suppressed cell, so none can leak from it.
type Release struct {
	dims     []Dimension
	lat      *lattice
	k, width int
	status   []Status // per lattice cell
	reason   []Reason // per lattice cell
	value    []int64  // per lattice cell; 0 where suppressed
}

// newRelease builds a release from lattice values and a suppression
// pattern. It copies only the published values.
func newRelease(dims []Dimension, lat *lattice, vals []int64, reason []Reason, k, width int) *Release {
	r := &Release{
		dims: cloneDims(dims), lat: lat, k: k, width: width,
		status: make([]Status, lat.cells), reason: make([]Reason, lat.cells), value: make([]int64, lat.cells),
	}
	copy(r.reason, reason)
	for idx := range lat.cells {
		if reason[idx] == NotSuppressed {
			r.status[idx] = Published
			r.value[idx] = vals[idx]
		} else {
			r.status[idx] = Suppressed
		}
	}
	return r
}

// Dimensions returns a copy of the release's dimensions.
func (r *Release) Dimensions() []Dimension { return cloneDims(r.dims) }

// K returns the threshold the release was protected with.
func (r *Release) K() int { return r.k }

// MinWidth returns the protection width the release was protected with.
func (r *Release) MinWidth() int { return r.width }

// Cell returns the cell at the given coordinates (category index or Total
// per dimension).
func (r *Release) Cell(at ...int) (Cell, error) {
	idx, err := r.lat.fromPublic(at)
	if err != nil {
		return Cell{}, fmt.Errorf("disclosure: release cell: %w", err)
	}
	return r.cell(idx), nil
}

func (r *Release) cell(idx int) Cell {
	return Cell{At: r.lat.toPublic(idx), status: r.status[idx], value: r.value[idx]}
}

// Cells returns every cell of the release, inner cells and margins, in
// row-major order with Total after the last category of each dimension.
func (r *Release) Cells() []Cell {
	out := make([]Cell, r.lat.cells)
	for idx := range out {
		out[idx] = r.cell(idx)
	}
	return out
}

// Reason returns why a cell was suppressed. For the statistician's eyes
// only: see Reason.
func (r *Release) Reason(at ...int) (Reason, error) {
	idx, err := r.lat.fromPublic(at)
	if err != nil {
		return NotSuppressed, fmt.Errorf("disclosure: release reason: %w", err)
	}
	return r.reason[idx], nil
}

// Summary counts a release's cells, to report the information lost.
type Summary struct {
	Cells, Published, Primary, Secondary, Linked int
	// SuppressedInner is the number of suppressed inner cells.
	SuppressedInner int
}

// Summary returns counts of published and suppressed cells.
func (r *Release) Summary() Summary {
	s := Summary{Cells: r.lat.cells}
	for idx, why := range r.reason {
		switch why {
		case NotSuppressed:
			s.Published++
			continue
		case Primary:
			s.Primary++
		case Secondary:
			s.Secondary++
		case Linked:
			s.Linked++
		}
		if r.lat.isInner(idx) {
			s.SuppressedInner++
		}
	}
	return s
}
