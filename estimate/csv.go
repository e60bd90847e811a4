package estimate

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ReadCSV reads a table of list overlaps in the format of SparseMSE's data
// sets: a header row naming the lists and then the count column (whose name
// is free, e.g. "frequency" or "n"), and one row per combination seen, with 1
// or 0 under each list and the number of people seen on exactly that
// combination. Fields may be quoted. Combinations seen by nobody may be left
// out or given a count of 0.
//
// Every problem is an *InputError naming the line and column at fault.
func ReadCSV(r io.Reader) (*Table, error) {
	const op = "ReadCSV"
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, to name the line and say what was expected
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{Op: op, Reason: "the file is empty; it needs a header row naming the lists and the count column"}
	}
	if err != nil {
		return nil, csvError(op, err)
	}
	header = append([]string(nil), header...) // the reader reuses its slice
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if len(header) < 3 {
		return nil, &InputError{Op: op, Line: 1, Reason: fmt.Sprintf("the header has %d column(s); it needs at least 2 lists and a count column", len(header))}
	}
	if looksNumeric(header) {
		return nil, &InputError{Op: op, Line: 1, Reason: "the first row holds numbers; it must be a header naming the lists and the count column"}
	}
	lists, countName := header[:len(header)-1], header[len(header)-1]
	// The count is the last column; a count named elsewhere means the
	// columns are in another order, which would read counts as lists.
	for _, l := range lists {
		if countNames[strings.ToLower(l)] {
			return nil, &InputError{Op: op, Line: 1, Column: l,
				Reason: "looks like the count column, which must be the last column, after the lists"}
		}
	}
	if err := checkLists(op, lists); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			ie.Line = 1
		}
		return nil, err
	}

	var raw []rawRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(op, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, &InputError{Op: op, Line: line, Reason: fmt.Sprintf("has %d fields, want %d (%d lists and the count)", len(rec), len(header), len(lists))}
		}
		var mask uint32
		for i, l := range lists {
			switch v := strings.TrimSpace(rec[i]); v {
			case "1":
				mask |= 1 << i
			case "0":
			default:
				return nil, &InputError{Op: op, Line: line, Column: l, Reason: fmt.Sprintf("value %q is not 0 or 1", v)}
			}
		}
		n, err := parseCount(strings.TrimSpace(rec[len(lists)]))
		if err != nil {
			return nil, &InputError{Op: op, Line: line, Column: countName, Reason: err.Error()}
		}
		raw = append(raw, rawRow{mask: mask, count: n, line: line})
	}
	if len(raw) == 0 {
		return nil, &InputError{Op: op, Reason: "the table is empty: the header is followed by no rows"}
	}
	return build(op, lists, countName, raw)
}

// WriteCSV writes the table in the format ReadCSV reads, so that the same
// table can be checked with SparseMSE in R.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := append(t.Lists(), t.countName)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("estimate: write CSV: %w", err)
	}
	rec := make([]string, len(header))
	for _, r := range t.rows {
		for i, on := range r.On {
			rec[i] = "0"
			if on {
				rec[i] = "1"
			}
		}
		rec[len(r.On)] = strconv.Itoa(r.Count)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("estimate: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("estimate: write CSV: %w", err)
	}
	return nil
}

// countNames are the usual names of a count column.
var countNames = map[string]bool{"count": true, "counts": true, "frequency": true, "freq": true}

// parseCount accepts a non-negative whole number. "12.0" is accepted because
// spreadsheets write whole numbers that way; "12.5" is not.
func parseCount(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("count %d is negative", n)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		return 0, fmt.Errorf("count %q is not a number", s)
	case f != math.Trunc(f):
		return 0, fmt.Errorf("count %q is not a whole number", s)
	case f < 0:
		return 0, fmt.Errorf("count %q is negative", s)
	case f > math.MaxInt32:
		return 0, fmt.Errorf("count %q is too large", s)
	}
	return int(f), nil
}

func looksNumeric(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err != nil {
			return false
		}
	}
	return true
}

func csvError(op string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{Op: op, Line: pe.Line, Reason: pe.Err.Error()}
	}
	return fmt.Errorf("estimate.%s: %w", op, err)
}
