package document_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven/document"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/report"
)

// sampleReport is the report for 2025 over twelve returns, two of them
// without a risk assessment before, and three children's cases: the
// returns are published with their shortfall, every other indicator is
// too few to publish.
func sampleReport() report.Report {
	at := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	in := &report.Input{
		Period: report.Period{From: day("2025-01-01"), To: day("2025-12-31")},
		AsOf:   time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC),
		Limits: lifecycle.DefaultConfig(),
	}
	for i := range 12 {
		c := report.Case{Steps: []report.Step{{Event: lifecycle.RecordReturnWish, At: at}}}
		if i >= 2 {
			c.Steps = append(c.Steps, report.Step{Event: lifecycle.RecordRiskAssessment, At: at})
		}
		c.Steps = append(c.Steps, report.Step{Event: lifecycle.CloseReturned, At: at.Add(time.Hour)})
		in.Cases = append(in.Cases, c)
	}
	for range 3 {
		in.Cases = append(in.Cases, report.Case{OpenedAt: at, Child: true})
	}
	return report.Compute(in)
}

func rows(s *goquery.Selection) [][]string {
	var out [][]string
	s.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Children().Each(func(_ int, c *goquery.Selection) { row = append(row, strings.TrimSpace(c.Text())) })
		out = append(out, row)
	})
	return out
}

func TestRapporteurReportHTML(t *testing.T) {
	d := document.RapporteurReport(localizer(t, "en"), sampleReport(), "Office of the National Rapporteur", day("2026-02-02"))
	page, raw := renderHTML(t, d)
	writeSample(t, "rapporteur.html", []byte(raw))

	if got := page.Find("h1").Text(); got != "Report of the national rapporteur" {
		t.Errorf("title = %q", got)
	}
	meta := map[string]string{}
	page.Find("dl.meta dd").Each(func(_ int, dd *goquery.Selection) {
		meta[dd.AttrOr("data-field", "")] = dd.Text()
	})
	if diff := cmp.Diff(map[string]string{
		"period": "1 January 2025 to 31 December 2025", "as_of": "1 February 2026", "issued_on": "2 February 2026",
		"reference": "RR-2025-01-01-2025-12-31", "threshold": "11 cases or values", "issued_by": "Office of the National Rapporteur",
	}, meta); diff != "" {
		t.Errorf("meta (-want +got):\n%s", diff)
	}

	// The summary lists the shortfall first thing.
	var sections []string
	page.Find("section").Each(func(_ int, s *goquery.Selection) { sections = append(sections, s.AttrOr("data-section", "")) })
	want := []string{"intro", "summary"}
	for _, ind := range report.Indicators() {
		want = append(want, ind.ID)
	}
	want = append(want, "method")
	if diff := cmp.Diff(want, sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"Returns after a risk and security assessment", "Without a risk assessment before the return", "2"}},
		rows(page.Find(`section[data-section=summary] table[data-table=shortfalls]`))); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}

	// The published indicator, its shortfall marked, and its median over
	// ten values withheld.
	returns := page.Find(`section[data-section=returns_risk_assessment]`)
	if got := returns.Find("h2").Text(); got != "Returns after a risk and security assessment" {
		t.Errorf("heading %q", got)
	}
	if !strings.Contains(returns.Text(), "GR 38 §87, §89–91") {
		t.Error("the indicator does not cite its paragraphs")
	}
	if diff := cmp.Diff([][]string{
		{"Returns", "12"},
		{"Of which removals by the immigration authority", "0"},
		{"With a risk assessment before the return", "10"},
		{"With a risk assessment before the return (%)", "83.3"},
		{"Without a risk assessment before the return — Falls short of GR 38", "2"},
		{"Median days from the last assessment to the return", "Too few to publish"},
	}, rows(returns.Find("table"))); diff != "" {
		t.Errorf("returns (-want +got):\n%s", diff)
	}

	// A suppressed indicator prints no number at all.
	children := page.Find(`section[data-section=child_guardians]`)
	if children.Find("table").Length() != 0 || !strings.Contains(children.Text(), "Too few to publish (fewer than 11 cases).") {
		t.Errorf("suppressed indicator: %q", children.Text())
	}
	if regexp.MustCompile(`\d`).MatchString(strings.ReplaceAll(children.Find("p").Last().Text(), "11", "")) {
		t.Errorf("suppressed indicator shows a number: %q", children.Text())
	}
}

func TestRapporteurReportPDF(t *testing.T) {
	d := document.RapporteurReport(localizer(t, "en"), sampleReport(), "Office of the National Rapporteur", day("2026-02-02"))
	b := renderPDF(t, d)
	writeSample(t, "rapporteur.pdf", b)
	f := readPDF(t, b)
	text := f.text()
	for _, s := range []string{
		"Report of the national rapporteur", "Where GR 38 is not kept", "Without a risk assessment before the return",
		"Too few to publish (fewer than 11 cases).", "RR-2025-01-01-2025-12-31", "Method",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q", s)
		}
	}
	if !bytes.Equal(b, renderPDF(t, d)) {
		t.Error("two renders of the same report differ")
	}
}

func TestRapporteurReportWithoutShortfall(t *testing.T) {
	rep := sampleReport()
	rep.Results = nil
	d := document.RapporteurReport(localizer(t, "en"), rep, "", day("2026-02-02"))
	page, _ := renderHTML(t, d)
	summary := page.Find(`section[data-section=summary]`)
	if summary.Find("table").Length() != 0 || !strings.Contains(summary.Text(), "No published figure shows a shortfall") {
		t.Errorf("summary without shortfalls: %q", summary.Text())
	}
	if page.Find(`dd[data-field=issued_by]`).Length() != 0 {
		t.Error("an empty issuer is printed")
	}
}

// TestRapporteurMessagesExist checks every report message the builder
// asks for is in the catalogue.
func TestRapporteurMessagesExist(t *testing.T) {
	b, err := os.ReadFile("report.go")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`"((?:report|document)\.[a-z0-9_.]+)"`).FindAllStringSubmatch(string(b), -1)
	if len(ids) < 20 {
		t.Fatalf("found only %d message ids", len(ids))
	}
	l := localizer(t, "en")
	for _, m := range ids {
		if got := l.T(m[1]); got == m[1] {
			t.Errorf("report.go uses %q, which the catalogue lacks", m[1])
		}
	}
}
