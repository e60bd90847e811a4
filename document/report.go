package document

import (
	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/i18n"
	"github.com/haven-nrm/haven/report"
)

// RapporteurReference is the reference of the rapporteur's report for a
// period: "RR-2025-01-01-2025-12-31".
func RapporteurReference(p report.Period) string {
	return "RR-" + p.From.String() + "-" + p.To.String()
}

// RapporteurReport builds the national rapporteur's report (CEDAW GR 38
// §115, §117) in l's language: the period and the date of the data, a
// summary of the published figures where the mechanism fell short of GR 38,
// one section per indicator in the order of report.Indicators, and the
// method. It holds aggregates only, already protected by report.Compute:
// a suppressed indicator or figure prints as "too few to publish".
func RapporteurReport(l *i18n.Localizer, rep report.Report, issuer string, issued haven.Date) *Doc {
	ref := RapporteurReference(rep.Period)
	d := &Doc{
		Lang:      l.Lang,
		Dir:       l.Dir,
		Issuer:    issuer,
		Title:     l.T("report.title"),
		Subtitle:  l.T("report.subtitle"),
		Reference: ref,
		Date:      issued,
		Meta: []Field{
			{Key: "period", Label: l.T("report.period"), Value: l.T("report.period_value",
				"From", FormatDate(l, rep.Period.From), "To", FormatDate(l, rep.Period.To))},
			{Key: "as_of", Label: l.T("report.as_of"), Value: FormatDate(l, haven.DateOf(rep.AsOf))},
			{Key: "issued_on", Label: l.T("document.issued_on"), Value: FormatDate(l, issued)},
			{Key: "reference", Label: l.T("report.reference"), Value: ref},
			{Key: "threshold", Label: l.T("report.threshold"), Value: l.T("report.threshold_value", "K", rep.K)},
		},
		Footer: Footer{
			Text:   l.T("report.footer", "Reference", ref),
			PageOf: l.T("document.page", "Page", "{page}", "Pages", "{pages}"),
		},
	}
	if issuer != "" {
		d.Meta = append(d.Meta, Field{Key: "issued_by", Label: l.T("report.issued_by"), Value: issuer})
	}

	d.Sections = append(d.Sections, Section{ID: "intro", Blocks: []Block{Paragraph{Text: l.T("report.intro", "K", rep.K)}}})
	summary := Section{ID: "summary", Heading: l.T("report.summary")}
	if short := rep.Shortfalls(); len(short) == 0 {
		summary.Blocks = append(summary.Blocks, Paragraph{Text: l.T("report.summary_none")})
	} else {
		t := Table{Key: "shortfalls", Caption: l.T("report.summary_intro"),
			Header: []string{l.T("report.indicator"), l.T("report.figure"), l.T("report.value")}}
		for _, s := range short {
			t.Rows = append(t.Rows, []string{l.T(s.Indicator.Title), l.T(s.Figure.Label), s.Figure.Text()})
		}
		summary.Blocks = append(summary.Blocks, t)
	}
	d.Sections = append(d.Sections, summary)

	for _, r := range rep.Results {
		s := Section{ID: r.ID, Heading: l.T(r.Title), Blocks: []Block{
			Paragraph{Text: l.T("report.paragraph", "Paragraph", r.Paragraph), Note: true},
			Paragraph{Text: l.T(r.Definition)},
		}}
		if r.Suppressed {
			s.Blocks = append(s.Blocks, Paragraph{Text: l.T("report.too_few", "K", rep.K)})
		} else {
			s.Blocks = append(s.Blocks, figureTable(l, r))
		}
		d.Sections = append(d.Sections, s)
	}

	d.Sections = append(d.Sections, Section{ID: "method", Heading: l.T("report.method"), Blocks: []Block{
		Paragraph{Text: l.T("report.method_period")},
		Paragraph{Text: l.T("report.method_percentile")},
		Paragraph{Text: l.T("report.method_suppression", "K", rep.K)},
	}})
	return d
}

// figureTable is a published indicator's figures, one row each; a
// shortfall above zero says so beside its label.
func figureTable(l *i18n.Localizer, r report.Result) Table {
	title := l.T(r.Title)
	t := Table{Key: r.ID, Caption: l.T("report.figures_caption", "Title", title),
		Header: []string{l.T("report.figure"), l.T("report.value")}, RowHeaders: true}
	for _, f := range r.Figures {
		label, value := l.T(f.Label), f.Text()
		if f.Suppressed {
			value = l.T("report.too_few_value")
		} else if f.FallsShort() {
			label += " — " + l.T("report.shortfall")
		}
		t.Rows = append(t.Rows, []string{label, value})
	}
	return t
}
