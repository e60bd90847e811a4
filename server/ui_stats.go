package server

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/chart"
	"github.com/haven-nrm/haven/i18n"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/stats"
)

func init() {
	// The layout asks the policy whether to link the statistics page.
	templateFuncs["mayReadStatistics"] = func(u *haven.User) bool {
		return u != nil && policy.Decide(u, policy.StatisticsRead, nil) == policy.Allow
	}
}

// Ids of the chart and of its data table in the page.
const (
	statisticsChartID = "statistics-chart"
	statisticsTableID = "statistics-table"
)

// statisticsPage is what templates/statistics.html shows: the form, and
// once asked, the protected table, its chart and the download links.
type statisticsPage struct {
	Form       statisticsForm
	Dimensions []statisticsOption
	Bases      []statisticsOption
	FormModes  []statisticsOption

	Shown      bool          // a table was asked for and computed
	Withheld   bool          // no number of it may be published
	Empty      bool          // no victim in the period
	Chart      template.HTML // the sanitised SVG from package chart
	ChartTitle string
	Table      *statisticsTable
	Notes      []string
	Protection string
	Downloads  []statisticsLink
}

// statisticsForm holds the form's values as sent, to show them again.
type statisticsForm struct {
	From, To, K string
}

type statisticsOption struct {
	Value, Label string
	Checked      bool
}

type statisticsLink struct {
	Label, URL string
}

// statisticsTable is a protected table laid out for HTML: one dimension as
// rows; two as a cross-table, the second across; more as one row per cell.
type statisticsTable struct {
	Caption  string
	ColGroup string   // the dimension across, for a cross-table
	HeadCols []string // headers of the row-header columns
	Columns  []string // headers of the value columns
	Rows     []statisticsRow
}

type statisticsRow struct {
	Heads []string
	Total bool
	Cells []statisticsCell
}

type statisticsCell struct {
	Text       string
	Suppressed bool
	Total      bool
}

func (s *Server) handleStatistics(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.StatisticsRead, nil); err != nil {
		return err
	}
	d := &statisticsPage{}
	p := s.newPageData(r, a, d)
	l := p.L
	req, perr := parseStatisticsRequest(r.URL.Query(), timeNow(), []string{formatHTML})
	d.fillForm(l, r.URL.Query(), req)
	if r.URL.RawQuery == "" {
		// The first visit shows the form only: nothing is released.
		s.render(w, r, http.StatusOK, "statistics", p)
		return nil
	}
	if perr != nil {
		p.Error = l.T("error.invalid")
		p.FieldErrors = haven.ErrorFields(perr)
		s.render(w, r, http.StatusUnprocessableEntity, "statistics", p)
		return nil
	}
	res, err := s.protectedTable(r, req)
	if haven.ErrorCode(err) == haven.EINVALID {
		p.Error = l.T("error.invalid")
		p.FieldErrors = haven.ErrorFields(err)
		s.render(w, r, http.StatusUnprocessableEntity, "statistics", p)
		return nil
	} else if err != nil {
		return err
	}
	if err := d.show(l, req, res); err != nil {
		return err
	}
	if err := s.recordRelease(r, haven.ReleasePage, req, res); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "statistics", p)
	return nil
}

// fillForm sets the form's choices and the values to show again.
func (d *statisticsPage) fillForm(l *i18n.Localizer, q url.Values, req statisticsRequest) {
	get := func(key, def string) string {
		if v := q.Get(key); v != "" {
			return v
		}
		return def
	}
	d.Form = statisticsForm{From: get("from", req.Query.From.String()), To: get("to", req.Query.To.String()),
		K: get("k", strconv.Itoa(req.Query.K))}
	for _, dim := range stats.Dimensions() {
		d.Dimensions = append(d.Dimensions, statisticsOption{Value: dim, Label: dimensionLabel(l, dim), Checked: slices.Contains(req.Query.By, dim)})
	}
	for _, b := range []string{stats.BasisReasonableGrounds, stats.BasisIdentification} {
		d.Bases = append(d.Bases, statisticsOption{Value: b, Label: l.T("statistics.basis." + b), Checked: b == req.Query.Basis})
	}
	for _, f := range []string{stats.FormsEach, stats.FormsOnce} {
		d.FormModes = append(d.FormModes, statisticsOption{Value: f, Label: l.T("statistics.forms." + f), Checked: f == req.Query.Forms})
	}
}

// show lays out a computed table, its chart, notes and download links.
func (d *statisticsPage) show(l *i18n.Localizer, req statisticsRequest, res *stats.Result) error {
	d.Shown = true
	d.Withheld = res.Withheld
	d.Protection = l.T("statistics.protection", "K", res.K)
	for _, f := range []string{stats.FormatCSV, stats.FormatXLSX, stats.FormatJSON} {
		d.Downloads = append(d.Downloads, statisticsLink{Label: l.T("statistics.download_" + f),
			URL: (&url.URL{Path: "/api/v1/statistics", RawQuery: req.values(f).Encode()}).String()})
	}
	dims := make([]string, len(res.Dimensions))
	for i, dim := range res.Dimensions {
		dims[i] = dimensionLabel(l, dim)
	}
	period := []any{"Dimensions", strings.Join(dims, ", "), "From", res.From, "To", res.To,
		"Basis", l.T("statistics.basis." + res.Basis)}
	if res.Withheld {
		return nil // no number, no chart: the page says why
	}
	if len(res.Cells) == 0 {
		d.Empty = true
		return nil
	}
	if res.Forms == stats.FormsEach && slices.Contains(res.Dimensions, stats.DimFormGroup) {
		d.Notes = append(d.Notes, l.T("statistics.note_forms_each"))
	}
	d.Table = newStatisticsTable(l, res)
	d.Table.Caption = l.T("statistics.caption", period...)
	d.ChartTitle = l.T("statistics.chart_title", period...)
	svg, err := chart.SVG(res, chart.Options{
		ID: statisticsChartID, Title: d.ChartTitle, DescribedBy: statisticsTableID,
		Category:         func(dim, c string) string { return categoryLabel(l, dim, c) },
		Dimension:        func(dim string) string { return dimensionLabel(l, dim) },
		ValueAxis:        l.T("statistics.count"),
		SuppressedLegend: l.T("statistics.suppressed_legend"),
	})
	if errors.Is(err, chart.ErrEmpty) {
		return nil
	} else if err != nil {
		return err
	}
	// chart.SVG writes only allow-listed SVG elements and attributes with
	// every text escaped, so the markup is safe to inline.
	d.Chart = template.HTML(svg)
	if len(res.Dimensions) > 2 {
		d.Notes = append(d.Notes, l.T("statistics.note_chart_margins", "First", dims[0], "Second", dims[1]))
	}
	return nil
}

// newStatisticsTable lays out the cells of res, totals last.
func newStatisticsTable(l *i18n.Localizer, res *stats.Result) *statisticsTable {
	n := len(res.Dimensions)
	// The categories of each dimension in the table's order, total last.
	order := make([][]string, n)
	for _, c := range res.Cells {
		for j, lab := range c.Labels {
			if lab != stats.Total && !slices.Contains(order[j], lab) {
				order[j] = append(order[j], lab)
			}
		}
	}
	for j := range order {
		order[j] = append(order[j], stats.Total)
	}
	cells := slices.Clone(res.Cells)
	slices.SortStableFunc(cells, func(a, b stats.Cell) int {
		for j := range n {
			if d := slices.Index(order[j], a.Labels[j]) - slices.Index(order[j], b.Labels[j]); d != 0 {
				return d
			}
		}
		return 0
	})
	value := func(c stats.Cell) statisticsCell {
		total := slices.Contains(c.Labels, stats.Total)
		if c.Suppressed {
			return statisticsCell{Text: l.T("statistics.suppressed"), Suppressed: true, Total: total}
		}
		return statisticsCell{Text: strconv.FormatInt(c.Count, 10), Total: total}
	}
	t := &statisticsTable{}
	if n == 2 {
		// A cross-table: the first dimension down, the second across.
		t.HeadCols = []string{dimensionLabel(l, res.Dimensions[0])}
		t.ColGroup = dimensionLabel(l, res.Dimensions[1])
		for _, c := range order[1] {
			t.Columns = append(t.Columns, categoryLabel(l, res.Dimensions[1], c))
		}
		at := map[[2]string]stats.Cell{}
		for _, c := range cells {
			at[[2]string{c.Labels[0], c.Labels[1]}] = c
		}
		for _, rc := range order[0] {
			row := statisticsRow{Heads: []string{categoryLabel(l, res.Dimensions[0], rc)}, Total: rc == stats.Total}
			for _, cc := range order[1] {
				c, ok := at[[2]string{rc, cc}]
				if !ok {
					row.Cells = append(row.Cells, statisticsCell{})
					continue
				}
				row.Cells = append(row.Cells, value(c))
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	}
	for _, dim := range res.Dimensions {
		t.HeadCols = append(t.HeadCols, dimensionLabel(l, dim))
	}
	t.Columns = []string{l.T("statistics.count")}
	for _, c := range cells {
		row := statisticsRow{Total: slices.Contains(c.Labels, stats.Total), Cells: []statisticsCell{value(c)}}
		for j, lab := range c.Labels {
			row.Heads = append(row.Heads, categoryLabel(l, res.Dimensions[j], lab))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// dimensionLabel names a dimension in the reader's language.
func dimensionLabel(l *i18n.Localizer, dim string) string {
	return l.T("statistics.dim." + dim)
}

// codeLists are the message lists that label the categories of the
// coded dimensions; the other dimensions show their codes (nationality,
// ethnicity and location codes, years, age bands).
var codeLists = map[string]string{
	stats.DimSex: "sex", stats.DimDisability: "disability", stats.DimImmigrationStatus: "immigration",
	stats.DimSocioeconomicStatus: "socioeconomic", stats.DimAgeGroup: "statistics.age_group",
	stats.DimUNODC: "statistics.unodc_category", stats.DimFormGroup: "statistics.form_group",
}

// categoryLabel labels a category of a dimension in the reader's language.
func categoryLabel(l *i18n.Localizer, dim, cat string) string {
	switch {
	case cat == stats.Total:
		return l.T("statistics.total")
	case codeLists[dim] != "":
		return l.Code(codeLists[dim], cat)
	case cat == stats.Unknown:
		return l.T("statistics.unknown")
	}
	return cat
}
