package estimate

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotEstimable reports that the data cannot give a dark figure under the
// requested model: its maximum likelihood estimate does not exist (some
// parameter runs off to infinity) or is not identifiable (two parameter
// settings fit equally well). Errors wrapping it say which check failed.
var ErrNotEstimable = errors.New("model cannot be estimated")

// The two reasons a model cannot be estimated, as SparseMSE's checkident
// tells them apart.
var (
	errNotIdentifiable = fmt.Errorf("%w: not identifiable", ErrNotEstimable)
	errNoEstimate      = fmt.Errorf("%w: the maximum likelihood estimate does not exist", ErrNotEstimable)
)

// InputError is a table the estimator refuses, with where and why, so that
// whoever prepared it can find the cell to fix. Counting a wrong table would
// give a wrong number, which is worse than none.
type InputError struct {
	Op     string // the function that refused the table, e.g. "ReadCSV"
	Line   int    // 1-based line of the CSV file, or 0
	Row    int    // 1-based position in the rows or persons given, or 0
	Column string // the list or count column at fault, or ""
	Reason string
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString("estimate.")
	b.WriteString(e.Op)
	b.WriteString(": ")
	var where []string
	if e.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", e.Line))
	}
	if e.Row > 0 {
		where = append(where, fmt.Sprintf("row %d", e.Row))
	}
	if e.Column != "" {
		where = append(where, fmt.Sprintf("column %q", e.Column))
	}
	if len(where) > 0 {
		b.WriteString(strings.Join(where, ", "))
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}
