package document_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/document"
)

// pdfFile is what the tests read back from a PDF: its page count and the
// text of every text-showing operator, in order.
type pdfFile struct {
	pages int
	lines []string
}

func (p pdfFile) text() string { return strings.Join(p.lines, "\n") }

var (
	pagesCount = regexp.MustCompile(`/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)`)
	pageObject = regexp.MustCompile(`/Type /Page[^s]`)
	showText   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// readPDF reads back the PDFs RenderPDF writes: it inflates every stream,
// finds the strings shown with Tj and decodes them from the UTF-16 that
// fpdf writes for TrueType fonts. It is enough for these tests, not a PDF
// reader.
func readPDF(t *testing.T, b []byte) pdfFile {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) {
		t.Fatalf("not a PDF: starts with %q", b[:min(len(b), 8)])
	}
	if !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		t.Fatal("the PDF does not end with the end-of-file marker")
	}
	var f pdfFile
	m := pagesCount.FindSubmatch(b)
	if m == nil {
		t.Fatal("no page tree in the PDF")
	}
	f.pages, _ = strconv.Atoi(string(m[1]))
	if n := len(pageObject.FindAll(b, -1)); n != f.pages {
		t.Fatalf("the page tree counts %d pages, the file has %d", f.pages, n)
	}
	for rest := b; ; {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("\nendstream"))
		if j < 0 {
			t.Fatal("a stream does not end")
		}
		data := rest[:j]
		rest = rest[j+len("\nendstream"):]
		if r, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if inflated, err := io.ReadAll(r); err == nil {
				data = inflated
			}
		}
		for _, m := range showText.FindAllSubmatch(data, -1) {
			f.lines = append(f.lines, decodePDFString(m[1]))
		}
	}
	return f
}

// decodePDFString undoes fpdf's escapes and its UTF-16BE encoding.
func decodePDFString(s []byte) string {
	var raw []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'r':
				raw = append(raw, '\r')
			case 'n':
				raw = append(raw, '\n')
			default:
				raw = append(raw, s[i])
			}
			continue
		}
		raw = append(raw, s[i])
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
	}
	return string(utf16.Decode(units))
}

func renderPDF(t *testing.T, d *document.Doc) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := document.RenderPDF(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNonPunishmentPDF(t *testing.T) {
	d, err := document.NonPunishmentDoc(localizer(t, "en"), statement())
	if err != nil {
		t.Fatal(err)
	}
	b := renderPDF(t, d)
	writeSample(t, "statement.pdf", b)
	f := readPDF(t, b)
	if f.pages < 1 {
		t.Fatalf("%d pages", f.pages)
	}
	for _, want := range []string{
		"Statement on the non-punishment of a victim of trafficking",
		"HV-7K3M-9QXD-NP-1",
		"26 November 2026",
		"Ana-María Núñez",
		"4 March 1998",
		"Use of a forged travel document",
		"CR-2025-4481",
		"IMM/25/99812",
		"Central District Court",
		"Dr. Elena Petrović",
		"Page 1 of " + strconv.Itoa(f.pages),
		"Page " + strconv.Itoa(f.pages) + " of " + strconv.Itoa(f.pages),
		"HV-7K3M-9QXD-NP-1 · Confidential: contains personal data",
	} {
		if !containsLine(f.lines, want) {
			t.Errorf("the PDF lacks the text %q", want)
		}
	}
	// Every page carries the reference in its footer.
	if n := strings.Count(f.text(), "HV-7K3M-9QXD-NP-1 · Confidential"); n != f.pages {
		t.Errorf("the footer reference appears %d times on %d pages", n, f.pages)
	}
	if id := regexp.MustCompile(`document\.[a-z0-9_.]+`).FindString(f.text()); id != "" {
		t.Errorf("the PDF shows the message id %q", id)
	}
	// The creation date is the date of issue, never the time of rendering.
	if !bytes.Contains(b, []byte("/CreationDate (D:20261126000000)")) {
		t.Error("the creation date is not the date of issue")
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// TestPDFIsReproducible renders the same statement twice: the bytes must
// match, so a document can be re-issued and compared.
func TestPDFIsReproducible(t *testing.T) {
	render := func() []byte {
		d, err := document.NonPunishmentDoc(localizer(t, "en"), statement())
		if err != nil {
			t.Fatal(err)
		}
		return renderPDF(t, d)
	}
	// Several renders, as map order in the PDF library differs from run
	// to run.
	a := render()
	for range 5 {
		if b := render(); !bytes.Equal(a, b) {
			t.Fatalf("two renders differ (%d and %d bytes)", len(a), len(b))
		}
	}
	other := statement()
	other.IssuedOn = day("2026-11-27")
	d, err := document.NonPunishmentDoc(localizer(t, "en"), other)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, renderPDF(t, d)) {
		t.Fatal("a different date of issue gave the same PDF")
	}
}

// TestPDFNames prints names in the scripts the font has, including names
// typed with combining accents.
func TestPDFNames(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"Ana-María Núñez", "Ana-María Núñez"},
		{"Ana-Mari\u0301a Nu\u0301n\u0303ez", "Ana-María Núñez"}, // decomposed accents
		{"Олена Коваль", "Олена Коваль"},
		{"Ελένη Παπαδοπούλου", "Ελένη Παπαδοπούλου"},
		{"Nguyễn Thị Ánh", "Nguyễn Thị Ánh"},
		{"Łucja Żółć-Ștefănescu", "Łucja Żółć-Ștefănescu"},
		{"Gülşen İpek Öztürk", "Gülşen İpek Öztürk"},
		{"Ђурђица Јовановић", "Ђурђица Јовановић"},
		{"Ana (\\Núñez)", "Ana (\\Núñez)"}, // PDF string delimiters
	} {
		t.Run(tt.want, func(t *testing.T) {
			np := statement()
			np.PersonName = tt.name
			d, err := document.NonPunishmentDoc(localizer(t, "en"), np)
			if err != nil {
				t.Fatal(err)
			}
			if err := document.CheckPDF(d); err != nil {
				t.Fatalf("CheckPDF: %v", err)
			}
			f := readPDF(t, renderPDF(t, d))
			if !containsLine(f.lines, tt.want) {
				t.Errorf("the PDF lacks %q", tt.want)
			}
		})
	}
}

// TestPDFRefusesScriptsItCannotPrint checks the font's limits are reported,
// not printed as empty boxes or reversed words, and that the HTML still
// prints the name.
func TestPDFRefusesScriptsItCannotPrint(t *testing.T) {
	for _, tt := range []struct{ name, script string }{
		{"فاطمة الزهراء", "Arabic"},
		{"שרה לוי", "Hebrew"},
		{"王芳", "Han"},
		{"ສົມໃຈ", "Lao"},
		{"Ana Núñez 🙂", "symbol"},
	} {
		t.Run(tt.script, func(t *testing.T) {
			np := statement()
			np.PersonName = tt.name
			d, err := document.NonPunishmentDoc(localizer(t, "en"), np)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			err = document.RenderPDF(&buf, d)
			if haven.ErrorCode(err) != haven.EINVALID {
				t.Fatalf("RenderPDF: %v, want an EINVALID error", err)
			}
			if msg := haven.ErrorMessage(err); !strings.Contains(msg, tt.script) || strings.Contains(msg, tt.name) {
				t.Errorf("message %q should name the script %s and not quote the name", msg, tt.script)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written before the error", buf.Len())
			}
			page, _ := renderHTML(t, d)
			if got := page.Find(`dd[data-field="person_name"]`).Text(); got != tt.name {
				t.Errorf("HTML name = %q, want %q", got, tt.name)
			}
		})
	}
}

// TestGenericDoc prints a document built by hand, as the national
// rapporteur's report will be: a long table breaks across pages and its
// header repeats.
func TestGenericDoc(t *testing.T) {
	table := document.Table{Key: "counts", Caption: "Detected victims by form of exploitation", Header: []string{"Form", "2025", "2026"}}
	for i := range 120 {
		table.Rows = append(table.Rows, []string{"Form " + strconv.Itoa(i), strconv.Itoa(i * 3), strconv.Itoa(i * 2)})
	}
	d := &document.Doc{
		Lang: "en", Dir: "ltr", Title: "Report", Reference: "NR-2026", Date: day("2026-12-31"),
		Sections: []document.Section{{ID: "tables", Heading: "Tables", Blocks: []document.Block{
			document.Paragraph{Text: "First line.\nSecond line."},
			table,
		}}},
		Footer: document.Footer{Text: "NR-2026", PageOf: "{page}/{pages}"},
	}
	f := readPDF(t, renderPDF(t, d))
	if f.pages < 2 {
		t.Fatalf("%d pages, want the table to run over at least 2", f.pages)
	}
	if n := strings.Count(f.text(), "Form\n2025\n2026"); n != f.pages {
		t.Errorf("the table header appears %d times on %d pages", n, f.pages)
	}
	for _, want := range []string{"Form 119", "First line.", "Second line.", "1/" + strconv.Itoa(f.pages)} {
		if !containsLine(f.lines, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	page, _ := renderHTML(t, d)
	if n := page.Find(`table[data-table="counts"] tbody tr`).Length(); n != 120 {
		t.Errorf("%d HTML rows, want 120", n)
	}
	if page.Find(`tbody th[scope="row"]`).Length() != 0 {
		t.Error("row headers without RowHeaders")
	}
}

func BenchmarkRenderPDF(b *testing.B) {
	d, err := document.NonPunishmentDoc(localizer(b, "en"), statement())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := document.RenderPDF(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}
