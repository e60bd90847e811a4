package disclosure

import "fmt"

// Limits that keep a table's lattice and its hypercubes (2^dims corners) in
// memory and time bounds.
const (
	maxDims         = 8
	maxLatticeCells = 1 << 24
)

// lattice is the geometry of a table together with all its margins. Each
// dimension of n categories gets an extra position n meaning "all categories";
// a lattice cell with no such position is an inner cell, any other is a margin
// (a subtotal over the dimensions at position n; the grand total has all of
// them). Cells are numbered row-major, the last dimension varying fastest.
type lattice struct {
	sizes    []int    // categories of each dimension
	strides  []int    // lattice strides (sizes+1)
	cells    int      // lattice cells, margins included
	totals   []uint16 // per lattice cell, bit j set when dimension j is at its total
	innerExt []int    // lattice cell of each inner cell (inner cells row-major)
}

func newLattice(sizes []int) (*lattice, error) {
	if len(sizes) == 0 || len(sizes) > maxDims {
		return nil, fmt.Errorf("a table needs 1 to %d dimensions: %w", maxDims, ErrInvalid)
	}
	l := &lattice{sizes: append([]int(nil), sizes...), strides: make([]int, len(sizes))}
	cells, inner := 1, 1
	for j := len(sizes) - 1; j >= 0; j-- {
		if sizes[j] < 1 {
			return nil, fmt.Errorf("dimension %d has no category: %w", j, ErrInvalid)
		}
		l.strides[j] = cells
		cells *= sizes[j] + 1
		inner *= sizes[j]
		if cells > maxLatticeCells {
			return nil, fmt.Errorf("table too large (more than %d cells with margins): %w", maxLatticeCells, ErrInvalid)
		}
	}
	l.cells = cells
	l.totals = make([]uint16, cells)
	l.innerExt = make([]int, 0, inner)
	coords := make([]int, len(sizes))
	for idx := range cells {
		l.coords(idx, coords)
		var mask uint16
		for j, c := range coords {
			if c == sizes[j] {
				mask |= 1 << j
			}
		}
		l.totals[idx] = mask
		if mask == 0 {
			l.innerExt = append(l.innerExt, idx)
		}
	}
	return l, nil
}

func (l *lattice) dims() int { return len(l.sizes) }

func (l *lattice) isInner(idx int) bool { return l.totals[idx] == 0 }

// coords writes the lattice coordinates of idx into dst (position sizes[j]
// for a total) and returns it.
func (l *lattice) coords(idx int, dst []int) []int {
	for j, s := range l.strides {
		dst[j] = idx / s
		idx %= s
	}
	return dst
}

// index returns the lattice cell at the given lattice coordinates.
func (l *lattice) index(coords []int) int {
	idx := 0
	for j, c := range coords {
		idx += c * l.strides[j]
	}
	return idx
}

// fromPublic converts public coordinates (category index, or Total) to a
// lattice cell.
func (l *lattice) fromPublic(at []int) (int, error) {
	if len(at) != len(l.sizes) {
		return 0, fmt.Errorf("%d coordinates for %d dimensions: %w", len(at), len(l.sizes), ErrInvalid)
	}
	idx := 0
	for j, c := range at {
		switch {
		case c == Total:
			c = l.sizes[j]
		case c < 0 || c >= l.sizes[j]:
			return 0, fmt.Errorf("category %d out of range in dimension %d: %w", c, j, ErrInvalid)
		}
		idx += c * l.strides[j]
	}
	return idx, nil
}

// toPublic returns the public coordinates of a lattice cell.
func (l *lattice) toPublic(idx int) []int {
	at := l.coords(idx, make([]int, len(l.sizes)))
	for j := range at {
		if at[j] == l.sizes[j] {
			at[j] = Total
		}
	}
	return at
}

// margins returns the values of every lattice cell given the inner counts
// (row-major). The margin whose highest total dimension is j is the sum along
// j of cells whose totals all lie below j, so computing dimension by
// dimension in increasing order only reads cells already computed.
func (l *lattice) margins(inner []int64) []int64 {
	ext := make([]int64, l.cells)
	for i, v := range inner {
		ext[l.innerExt[i]] = v
	}
	for j := range l.sizes {
		n, stride := l.sizes[j], l.strides[j]
		for idx := range l.cells {
			if l.totals[idx]>>j != 1 {
				continue
			}
			var sum int64
			for c := range n {
				sum += ext[idx-(n-c)*stride]
			}
			ext[idx] = sum
		}
	}
	return ext
}

// ancestors calls fn for every lattice cell that contains the inner cell idx:
// the cell itself and each of its margins (2^dims cells).
func (l *lattice) ancestors(idx int, buf []int, fn func(int)) []int {
	buf = append(buf[:0], idx)
	rest := idx
	for j, s := range l.strides {
		c := rest / s
		rest %= s
		off := (l.sizes[j] - c) * s
		for i, m := 0, len(buf); i < m; i++ {
			buf = append(buf, buf[i]+off)
		}
	}
	for _, a := range buf {
		fn(a)
	}
	return buf
}
