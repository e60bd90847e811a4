package stats

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	// Noise, when set, makes the release differentially private: it is
	// charged to its dataset's budget in the Engine's Ledger before any
	// noise is drawn.
	Noise *Noise
}

// Noise asks for a differentially private table: discrete Laplace noise on
// the counts for a privacy loss Epsilon, charged to Dataset's budget.
type Noise struct {
	Dataset string             `json:"dataset"`
	Epsilon disclosure.Epsilon `json:"epsilon"`
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
	if q.Noise != nil {
		if q.Noise.Dataset == "" {
			v.Add("dataset", "is required for a noisy release: the budget it is charged to")
		}
		if q.Noise.Epsilon <= 0 || q.Noise.Epsilon > disclosure.MaxEpsilon {
			v.Add("epsilon", "must be positive")
		}
		for _, d := range q.By {
			if dimensions[d].rare {
				v.Addf("by", "%s cannot be released with noise: its categories come from the data, so they would tell who is there whatever the noise", d)
			}
		}
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
	// Noise is set when the counts carry differential-privacy noise.
	Noise *Noise `json:"noise,omitempty"`
}

// Engine computes tables from a Source.
type Engine struct {
	Source Source
	Config *Config // nil means Default
	// Ledger pays for noisy releases; a query with Noise fails without it.
	Ledger disclosure.Ledger
	// Randomness returns a source of noise per table; nil means
	// disclosure.CryptoSource. Tests pass seeded sources.
	Randomness func() rand.Source
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
	results, err := e.Tables(ctx, []Query{q})
	if err != nil {
		return nil, err
	}
	return results[0], nil
}

// Tables counts, maps and protects several tables. When the Source is
// also a RowSource and the tables share a basis and a period, they are
// counted in one pass over the cases; otherwise each is one count, run
// concurrently as the store's reader pool allows. Each table is protected
// on its own.
func (e *Engine) Tables(ctx context.Context, queries []Query) ([]*Result, error) {
	plans := make([]*tablePlan, len(queries))
	requests := make([]CountRequest, len(queries))
	adds := make([]func([]string, int64) error, len(queries))
	for i, q := range queries {
		q.normalize()
		if err := q.Validate(); err != nil {
			return nil, err
		}
		if q.Noise != nil && e.Ledger == nil {
			return nil, haven.Errorf(haven.EINVALID, "A noisy release needs a privacy budget ledger.")
		}
		plans[i] = newTablePlan(e, q)
		requests[i], adds[i] = plans[i].request(), plans[i].add
	}
	if rs, ok := e.Source.(RowSource); ok && sharePeriod(requests) {
		if err := countAll(ctx, rs, requests, adds); err != nil {
			return nil, fmt.Errorf("statistics: %w", err)
		}
	} else if err := each(len(queries), func(i int) error {
		if err := e.Source.CountVictims(ctx, requests[i], adds[i]); err != nil {
			return fmt.Errorf("statistics: %w", err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	results := make([]*Result, len(queries))
	err := each(len(queries), func(i int) (err error) {
		results[i], err = plans[i].finish(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(queries) > 1 {
		fine := newFineTable(plans[0].cfg, plans[0].q, results)
		for _, p := range plans {
			p.fine = fine
		}
		linked := make([][][]string, len(plans))
		if err := linkTables(ctx, plans, results, linked); err != nil {
			return nil, err
		}
		if sharePeriod(requests) {
			if err := auditTogether(ctx, plans, results, linked); err != nil {
				return nil, err
			}
		}
	}
	return results, nil
}

// each runs fn(0..n-1) concurrently and joins their errors.
func each(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func sharePeriod(rs []CountRequest) bool {
	for _, r := range rs[1:] {
		if r.Basis != rs[0].Basis || r.From != rs[0].From || r.To != rs[0].To {
			return false
		}
	}
	return true
}

// tablePlan is one table on its way: its dimensions, the store columns
// they read, and the counts by category gathered so far.
type tablePlan struct {
	e        *Engine
	q        Query
	cfg      *Config
	dims     []dimension
	columns  []string
	pos      [][]int // per dimension, positions of its columns
	counts   map[string]int64
	observed []map[string]bool
	labels   []string
	raw      []string
	rareNote bool // codes were gathered under Other

	// Set by finish for protect: the table with its counts (noisy if
	// asked), its dimensions, and the result without cells.
	tab   *disclosure.Table
	tdims []disclosure.Dimension
	base  *Result
	// fine is the publication's finer table, for the keys of shared cells.
	fine *fineTable
}

func newTablePlan(e *Engine, q Query) *tablePlan {
	p := &tablePlan{e: e, q: q, cfg: e.config(), dims: make([]dimension, len(q.By)), pos: make([][]int, len(q.By)),
		counts: map[string]int64{}, observed: make([]map[string]bool, len(q.By)), labels: make([]string, len(q.By))}
	for i, name := range q.By {
		p.dims[i] = dimensions[name]
		p.observed[i] = map[string]bool{}
		for _, c := range p.dims[i].columns {
			j := slices.Index(p.columns, c)
			if j < 0 {
				j = len(p.columns)
				p.columns = append(p.columns, c)
			}
			p.pos[i] = append(p.pos[i], j)
		}
	}
	return p
}

func (p *tablePlan) request() CountRequest {
	return CountRequest{Basis: p.q.Basis, From: p.q.From, To: p.q.To, Columns: p.columns, Forms: p.q.Forms}
}

// add maps one group of raw values to its categories and counts it.
func (p *tablePlan) add(values []string, n int64) error {
	for i, d := range p.dims {
		p.raw = p.raw[:0]
		for _, j := range p.pos[i] {
			p.raw = append(p.raw, values[j])
		}
		p.labels[i] = d.cat(p.cfg, p.raw)
		p.observed[i][p.labels[i]] = true
	}
	p.counts[strings.Join(p.labels, "\x00")] += n
	return nil
}

// finish builds the table's categories and cells and protects it.
func (p *tablePlan) finish(ctx context.Context) (*Result, error) {
	q, cfg, dims := p.q, p.cfg, p.dims
	p.gatherRare()
	counts, observed := p.counts, p.observed
	tdims := make([]disclosure.Dimension, len(dims))
	for i, d := range dims {
		var cats []string
		if d.name == DimYear {
			// The years of the period, so that a year's row does not
			// depend on whether anyone was detected in it.
			for y := q.From.Year(); y <= q.To.Year(); y++ {
				cats = append(cats, strconv.Itoa(y))
			}
		} else if d.fixed != nil {
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
	if p.rareNote {
		res.Note = strings.TrimSpace(res.Note + " " + rareNote)
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
	if q.Noise != nil {
		if tab, err = p.privatize(ctx, tab); err != nil {
			return nil, err
		}
		res.Noise = q.Noise
		res.Note = strings.TrimSpace(res.Note + " " + noiseNote)
	}
	p.tab, p.tdims, p.base = tab, tdims, res
	return p.protect(ctx, nil)
}

// protect protects the built table, suppressing the linked cells (labels
// per dimension, Total for a margin) whatever their counts, and returns
// the result to publish.
func (p *tablePlan) protect(ctx context.Context, linked [][]string) (*Result, error) {
	res := *p.base
	tdims := p.tdims
	opts := disclosure.Options{K: p.q.K}
	for _, labels := range linked {
		at := make([]int, len(labels))
		for j, l := range labels {
			if l == Total {
				at[j] = disclosure.Total
			} else if at[j] = slices.Index(tdims[j].Categories, l); at[j] < 0 {
				return nil, fmt.Errorf("statistics: linked cell %v: %w", labels, disclosure.ErrInternal)
			}
		}
		opts.Linked = append(opts.Linked, at)
	}
	rel, err := disclosure.Protect(ctx, p.tab, opts)
	if errors.Is(err, disclosure.ErrAllSuppressed) {
		res.Withheld = true
		res.Note = "Every cell of this table is suppressed to protect the persons in it (GR 38 §111); no number of it may be published."
		res.Cells = withheldCells(tdims)
		return &res, nil
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
	return &res, nil
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
