package document_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven/document"
)

func renderHTML(t *testing.T, d *document.Doc) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := document.RenderHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	page, err := goquery.NewDocumentFromReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return page, buf.String()
}

func TestNonPunishmentHTML(t *testing.T) {
	d, err := document.NonPunishmentDoc(localizer(t, "en"), statement())
	if err != nil {
		t.Fatal(err)
	}
	page, raw := renderHTML(t, d)
	writeSample(t, "statement.html", []byte(raw))

	if lang, _ := page.Find("html").Attr("lang"); lang != "en" {
		t.Errorf("lang = %q, want en", lang)
	}
	if dir, _ := page.Find("html").Attr("dir"); dir != "ltr" {
		t.Errorf("dir = %q, want ltr", dir)
	}
	if got := page.Find("h1").Text(); got != "Statement on the non-punishment of a victim of trafficking" {
		t.Errorf("title = %q", got)
	}
	if got := page.Find("title").Text(); !strings.Contains(got, "HV-7K3M-9QXD-NP-1") {
		t.Errorf("page title %q lacks the reference", got)
	}
	fields := map[string]string{
		"reference":          "HV-7K3M-9QXD-NP-1",
		"issued_on":          "26 November 2026",
		"issued_by":          "National Referral Mechanism Secretariat",
		"person_name":        "Ana-María Núñez",
		"date_of_birth":      "4 March 1998",
		"case_reference":     "HV-7K3M-9QXD",
		"decided_on":         "15 September 2026",
		"decided_by":         "Multidisciplinary Identification Panel, Central Region",
		"decision_reference": "MIP/2026/117",
		"signatory_name":     "Dr. Elena Petrović",
		"signatory_role":     "Head of the NRM Secretariat",
		"signed_on":          "26 November 2026",
	}
	for key, want := range fields {
		sel := page.Find(`dd[data-field="` + key + `"]`)
		if sel.Length() != 1 {
			t.Errorf("%d values for %s, want 1", sel.Length(), key)
		} else if got := sel.Text(); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if got := page.Find(`dd[data-field="reference"]`).Closest("div").Find("dt").Text(); got != "Document reference" {
		t.Errorf("reference label = %q", got)
	}

	table := page.Find(`table[data-table="offences"]`)
	if got := table.Find("caption").Text(); got != "Offences committed as a direct consequence of being trafficked (3)" {
		t.Errorf("caption = %q", got)
	}
	var header []string
	table.Find(`thead th[scope="col"]`).Each(func(_ int, s *goquery.Selection) { header = append(header, s.Text()) })
	if diff := cmp.Diff([]string{"No.", "Offence", "Court or jurisdiction", "Date", "Case or record number"}, header); diff != "" {
		t.Errorf("offence header (-want +got):\n%s", diff)
	}
	var rows [][]string
	table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Children().Each(func(_ int, c *goquery.Selection) { row = append(row, c.Text()) })
		rows = append(rows, row)
		if tr.Find(`th[scope="row"]`).Length() != 1 {
			t.Errorf("row %d has no row header", len(rows))
		}
	})
	want := [][]string{
		{"1", "Use of a forged travel document", "Central District Court", "2 June 2025", "CR-2025-4481"},
		{"2", "Irregular stay", "Immigration Office, Northern Border", "19 July 2025", "IMM/25/99812"},
		{"3", "Petty theft (shoplifting) under the control of the exploiter", "Municipal Court of Eastport", "8 January 2026", "MC-26-0031"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("offence rows (-want +got):\n%s", diff)
	}

	body := page.Find("body").Text()
	for _, s := range []string{
		"paragraph 98 (c)",
		"Article 26 of the Law on Combating Trafficking in Human Beings",
		"On 15 September 2026, Multidisciplinary Identification Panel, Central Region identified the person",
		"To verify this statement, contact National Referral Mechanism Secretariat (+00 1 234 5678, nrm@example.org) and quote the reference HV-7K3M-9QXD-NP-1.",
		"HV-7K3M-9QXD-NP-1 · Confidential",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if id := regexp.MustCompile(`document\.[a-z0-9_.]+`).FindString(body + page.Find("title").Text()); id != "" {
		t.Errorf("the page shows the message id %q: the catalogue lacks it", id)
	}
	for _, id := range []string{"legal-basis", "request", "offences"} {
		h := page.Find(`section[aria-labelledby="` + id + `"] > h2#` + id)
		if h.Length() != 1 {
			t.Errorf("no heading labels section %s", id)
		}
	}
	if page.Find("blockquote").Length() != 1 || page.Find("figure.quote figcaption").Length() != 1 {
		t.Error("the legal basis is not quoted with its source")
	}
}

// TestStyleHash checks that StyleHash allows the page's inline style sheet,
// so a strict Content-Security-Policy can serve it.
func TestStyleHash(t *testing.T) {
	d, err := document.NonPunishmentDoc(localizer(t, "en"), statement())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := renderHTML(t, d)
	styles := page.Find("style")
	if styles.Length() != 1 {
		t.Fatalf("%d style elements, want 1", styles.Length())
	}
	sum := sha256.Sum256([]byte(styles.Text()))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; document.StyleHash != want {
		t.Errorf("StyleHash = %s, want %s", document.StyleHash, want)
	}
	if page.Find("[style], script, link").Length() != 0 {
		t.Error("the page has inline style attributes, scripts or links")
	}
}

// TestHTMLEscapesValues checks that a value is text, never markup.
func TestHTMLEscapesValues(t *testing.T) {
	np := statement()
	np.PersonName = `<b>Ana</b> "Núñez" <script>alert(1)</script>`
	d, err := document.NonPunishmentDoc(localizer(t, "en"), np)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := renderHTML(t, d)
	if page.Find("dd b, script").Length() != 0 {
		t.Error("a value became markup")
	}
	if got := page.Find(`dd[data-field="person_name"]`).Text(); got != np.PersonName {
		t.Errorf("name = %q, want it as typed", got)
	}
}
