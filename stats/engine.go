package stats

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
)

// Bases and form modes (the same strings as the store's).
const (
	BasisReasonableGrounds = "reasonable_grounds"
	BasisIdentification    = "identification"
	// FormsEach counts a victim once in each UNODC group her forms fall
	// in: a table's form rows then add up to more than its victims.
	FormsEach = "each"
	// FormsOnce counts each victim once, under "multiple" when her forms
	// span several UNODC groups.
	FormsOnce = "once"
)

// CountRequest asks the store for victim counts; its fields match
// store.VictimCountQuery so that one converts to the other.
type CountRequest struct {
	Basis    string
	From, To haven.Date
	Columns  []string
	Forms    string
}

// Source counts victims: store.DB.CountVictims behind a SourceFunc.
type Source interface {
	CountVictims(ctx context.Context, r CountRequest, emit func(values []string, n int64) error) error
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, r CountRequest, emit func(values []string, n int64) error) error

// CountVictims calls f.
func (f SourceFunc) CountVictims(ctx context.Context, r CountRequest, emit func([]string, int64) error) error {
	return f(ctx, r, emit)
}

// Query is one table: victims whose basis decision falls in [From, To]
// (inclusive), by the dimensions By, protected with threshold K.
type Query struct {
	Basis    string
	From, To haven.Date
	By       []string
	Forms    string // FormsEach (default) or FormsOnce
	K        int    // 0 means disclosure.DefaultK (11)
	Title    string
}

// Validate checks a query and reports every bad field.
func (q *Query) Validate() error {
	var v haven.Validation
	if q.Basis != BasisReasonableGrounds && q.Basis != BasisIdentification {
		v.Addf("basis", "must be %s or %s", BasisReasonableGrounds, BasisIdentification)
	}
	if q.From.IsZero() || q.To.IsZero() {
		v.Add("period", "needs a start and an end")
	} else if q.To.Before(q.From.Time) {
		v.Add("period", "must not end before it starts")
	}
	if len(q.By) == 0 {
		v.Add("by", "needs at least one dimension")
	}
	seen := map[string]bool{}
	for _, d := range q.By {
		if _, ok := dimensions[d]; !ok || seen[d] {
			v.Addf("by", "must list distinct dimensions among %s", strings.Join(Dimensions(), ", "))
			break
		}
		seen[d] = true
	}
	if q.Forms != FormsEach && q.Forms != FormsOnce {
		v.Addf("forms", "must be %s or %s", FormsEach, FormsOnce)
	}
	if q.K != 0 && q.K < 2 {
		v.Add("k", "must be at least 2")
	}
	return v.Err()
}

// Total is the label of a margin ("all categories") in a Cell's labels.
const Total = "_T"

// Cell is one published or suppressed cell of a Result. A suppressed cell
// has no Count: it is marked, never shown as zero.
type Cell struct {
	Labels     []string `json:"labels"` // one per dimension, Total for a margin
	Count      int64    `json:"count"`
	Suppressed bool     `json:"suppressed"`
	// Rate per 100,000 population (SDG tables only); nil where there is no
	// population for the cell or the count is suppressed.
	Rate *float64 `json:"rate,omitempty"`
}

// Result is a protected table ready to publish.
type Result struct {
	Title      string   `json:"title"`
	Basis      string   `json:"basis"`
	From       string   `json:"from"`
	To         string   `json:"to"`
	Dimensions []string `json:"dimensions"`
	Forms      string   `json:"forms"`
	K          int      `json:"k"`
	// Withheld is set when no non-zero cell could be published: every
	// cell is suppressed and the table says so instead of showing zeros.
	Withheld bool   `json:"withheld"`
	Cells    []Cell `json:"cells"`
	// Note explains, in words, how to read the table.
	Note string `json:"note,omitempty"`
}

// Engine computes tables from a Source.
type Engine struct {
	Source Source
	Config *Config // nil means Default
}

func (e *Engine) config() *Config {
	if e.Config != nil {
		return e.Config
	}
	return Default
}

// normalize fills a query's defaults.
func (q *Query) normalize() {
	if q.Basis == "" {
		q.Basis = BasisReasonableGrounds
	}
	if q.Forms == "" {
		q.Forms = FormsEach
	}
	if q.K == 0 {
		q.K = disclosure.DefaultK
	}
}

// Table counts, maps and protects one table.
func (e *Engine) Table(ctx context.Context, q Query) (*Result, error) {
	q.normalize()
	if err := q.Validate(); err != nil {
		return nil, err
	}
	cfg := e.config()
	dims := make([]dimension, len(q.By))
	var columns []string
	pos := make([][]int, len(q.By)) // per dimension, positions of its columns
	for i, name := range q.By {
		dims[i] = dimensions[name]
		for _, c := range dims[i].columns {
			j := slices.Index(columns, c)
			if j < 0 {
				j = len(columns)
				columns = append(columns, c)
			}
			pos[i] = append(pos[i], j)
		}
	}
	counts := map[string]int64{}
	observed := make([]map[string]bool, len(dims))
	for i := range observed {
		observed[i] = map[string]bool{}
	}
	labels := make([]string, len(dims))
	raw := make([]string, 0, 4)
	req := CountRequest{Basis: q.Basis, From: q.From, To: q.To, Columns: columns, Forms: q.Forms}
	err := e.Source.CountVictims(ctx, req, func(values []string, n int64) error {
		for i, d := range dims {
			raw = raw[:0]
			for _, j := range pos[i] {
				raw = append(raw, values[j])
			}
			labels[i] = d.cat(cfg, raw)
			observed[i][labels[i]] = true
		}
		counts[strings.Join(labels, "\x00")] += n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	tdims := make([]disclosure.Dimension, len(dims))
	for i, d := range dims {
		var cats []string
		if d.fixed != nil {
			cats = slices.Clone(d.fixed(cfg, q.Forms))
			for l := range observed[i] { // a code the vocabulary no longer lists
				if !slices.Contains(cats, l) {
					cats = append(cats, l)
				}
			}
		} else {
			for l := range observed[i] {
				cats = append(cats, l)
			}
			slices.Sort(cats)
		}
		tdims[i] = disclosure.Dimension{Name: d.name, Categories: cats}
	}
	res := &Result{Title: q.Title, Basis: q.Basis, From: q.From.String(), To: q.To.String(),
		Dimensions: slices.Clone(q.By), Forms: q.Forms, K: q.K}
	if q.Forms == FormsEach && slices.Contains(q.By, DimFormGroup) {
		res.Note = "A victim exploited in several forms counts once in each form group's row, so the form rows add up to more than the victims, and a total over form_group counts victim-forms, not victims. Use forms=once to count each victim once."
	}
	for _, d := range tdims {
		if len(d.Categories) == 0 {
			return res, nil // no victim in the period: an empty table
		}
	}
	tab, err := disclosure.NewTable(tdims...)
	if err != nil {
		return nil, haven.Errorf(haven.EINVALID, "The table cannot be built: %v.", err)
	}
	for key, n := range counts {
		if err := tab.Add(n, strings.Split(key, "\x00")...); err != nil {
			return nil, fmt.Errorf("statistics: %w", err)
		}
	}
	rel, err := disclosure.Protect(ctx, tab, disclosure.Options{K: q.K})
	if errors.Is(err, disclosure.ErrAllSuppressed) {
		res.Withheld = true
		res.Note = "Every cell of this table is suppressed to protect the persons in it (GR 38 §111); no number of it may be published."
		res.Cells = withheldCells(tdims)
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	for _, c := range rel.Cells() {
		cell := Cell{Labels: make([]string, len(c.At))}
		for j, at := range c.At {
			if at == disclosure.Total {
				cell.Labels[j] = Total
			} else {
				cell.Labels[j] = tdims[j].Categories[at]
			}
		}
		if v, ok := c.Value(); ok {
			cell.Count = v
		} else {
			cell.Suppressed = true
		}
		res.Cells = append(res.Cells, cell)
	}
	return res, nil
}

// withheldCells lists every cell of a table, all suppressed.
func withheldCells(dims []disclosure.Dimension) []Cell {
	var out []Cell
	labels := make([]string, len(dims))
	var walk func(j int)
	walk = func(j int) {
		if j == len(dims) {
			out = append(out, Cell{Labels: slices.Clone(labels), Suppressed: true})
			return
		}
		for _, c := range append(slices.Clone(dims[j].Categories), Total) {
			labels[j] = c
			walk(j + 1)
		}
	}
	walk(0)
	return out
}
